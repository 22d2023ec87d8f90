{#- The time a snapshot run stamps on the versions it opens and closes when it has no UPDATED_AT to use (the
    check strategy, hard deletes). dbt asks snapshot_get_time(); dbt-duckdb answers current_timestamp. A nightly
    job replayed on the sim passes its own clock instead (--vars '{snapshot_time: "2025-09-12 02:00:00"}'),
    so the history says when the night ran, not when the notebook did. This project's macro wins dbt's
    dispatch over the adapter's (the root project is searched first). -#}
{% macro duckdb__snapshot_get_time() -%}
    {%- if var('snapshot_time') -%}
        '{{ var("snapshot_time") }}'::timestamp
    {%- else -%}
        {{ current_timestamp() }}::timestamp
    {%- endif -%}
{%- endmacro %}
