{#- The day a run processes, from --vars '{day: 2025-09-30}', checked when the SQL is executed: a run that
    needs the day and does not get one stops with a clear message instead of processing the wrong data.
    (While dbt parses the project nothing runs, so parsing and `dbt ls` work without the var.) -#}
{% macro run_day() -%}
    {%- set day = var('day') -%}
    {%- if not execute -%}
        {{- return('1970-01-01') -}}
    {%- endif -%}
    {%- if day is none -%}
        {{ exceptions.raise_compiler_error("this model processes one day: pass it with --vars '{day: YYYY-MM-DD}'") }}
    {%- endif -%}
    {%- if not modules.re.match('^\\d{4}-\\d{2}-\\d{2}$', day | string) -%}
        {{ exceptions.raise_compiler_error("var 'day' must be YYYY-MM-DD, got " ~ day) }}
    {%- endif -%}
    {{- return(day | string) -}}
{%- endmacro %}
