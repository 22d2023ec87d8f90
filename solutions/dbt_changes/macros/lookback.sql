{#- Reprocess the newest `days` appointment days already loaded, and everything after them. -#}
{% macro lookback_filter(days) -%}
    APPOINTMENT_DATE >= (select max(APPOINTMENT_DATE) from {{ this }}) - {{ days | int }}
{%- endmacro %}
