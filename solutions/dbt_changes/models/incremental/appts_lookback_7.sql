-- The same, re-reading the last 7 days loaded: wider than the longest lag of a late change.
{{ config(incremental_strategy='delete+insert', unique_key='APPOINTMENT_DATE') }}

select {{ appointment_columns() }}
from {{ source('backend', 'appointments') }}
{% if is_incremental() %}
where {{ lookback_filter(7) }}
{% endif %}
