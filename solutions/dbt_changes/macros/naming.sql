{#- Snowflake upper-cases unquoted names, and the rest of the kit (quality checks, notebooks, fakesnow's
    INFORMATION_SCHEMA) looks tables up as ANALYTICS.MARTS.FCT_APPOINTMENTS. So: the custom schema is used as
    written (not dbt's default "<target schema>_<custom schema>"), and every relation name is upper case. -#}

{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim | upper }}
{%- endmacro %}

{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {{ (custom_alias_name or node.name) | trim | upper }}
{%- endmacro %}
