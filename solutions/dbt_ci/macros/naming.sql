{#- One schema per environment: <env>_<custom schema> (PROD_MARTS, PR_42_MARTS). The environment is a var, so
    the code is identical everywhere and `state:modified` sees no change: dbt compares a node's configured
    schema, not what generate_schema_name makes of it (ParsedNode.same_database_representation). -#}

{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (var('env') ~ '_' ~ (custom_schema_name or target.schema)) | trim | upper }}
{%- endmacro %}

{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {{ (custom_alias_name or node.name) | trim | upper }}
{%- endmacro %}
