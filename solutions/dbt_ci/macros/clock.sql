{#- `dbt source freshness` compares max(loaded_at_field) with {{ current_timestamp() }} (dbt's
    default__collect_freshness). The sim's data lives in 2025 on a simulated clock, so this project's
    current_timestamp is the var `as_of` when given (a root-project macro wins over dbt-duckdb's
    duckdb__current_timestamp in adapter.dispatch). On Snowflake, drop this file. -#}

{% macro duckdb__current_timestamp() -%}
    {%- if var('as_of') -%} cast('{{ var("as_of") }}' as timestamp) {%- else -%} now() {%- endif -%}
{%- endmacro %}
