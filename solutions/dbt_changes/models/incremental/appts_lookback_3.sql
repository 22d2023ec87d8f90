-- Replace whole appointment days (delete+insert keyed on the day), re-reading the last 3 days loaded:
-- changes and deletes inside the window arrive, older ones do not.
{{ config(incremental_strategy='delete+insert', unique_key='APPOINTMENT_DATE') }}

select {{ appointment_columns() }}
from {{ source('backend', 'appointments') }}
{% if is_incremental() %}
where {{ lookback_filter(3) }}
{% endif %}
