-- Rows changed since the newest change already loaded, appended: every change arrives, as a second row.
{{ config(incremental_strategy='append') }}

select {{ appointment_columns() }}
from {{ source('backend', 'appointments') }}
{% if is_incremental() %}
where UPDATED_AT > (select max(UPDATED_AT) from {{ this }})
{% endif %}
