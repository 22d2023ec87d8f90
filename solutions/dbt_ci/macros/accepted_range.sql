{#- A generic test written locally because packages cannot be installed here. A team would add the hub
    package dbt-labs/dbt_utils (packages.yml, `dbt deps`) and write `dbt_utils.accepted_range`, which also
    takes `inclusive` and `where`. A test fails when its query returns rows. -#}

{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is null
{%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
{%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
{% endtest %}
