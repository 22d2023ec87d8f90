{#- The columns every strategy model keeps, and _RUN: the label of the run that wrote the row
    (--vars '{run: ...}'), so "rows written by a run" is a count, not a guess. -#}
{% macro appointment_columns() -%}
    APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, APPOINTMENT_TS, STATUS, FEE_AMOUNT, UPDATED_AT,
    cast('{{ var("run") }}' as varchar) as _RUN
{%- endmacro %}
