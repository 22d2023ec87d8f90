-- The syllabus's pipeline as a model: each run loads the days after the newest day it already has, once.
-- Cheap, and blind: a day already loaded is never read again, so a late change or delete never arrives.
{{ config(incremental_strategy='append') }}

select {{ appointment_columns() }}
from {{ source('backend', 'appointments') }}
{% if is_incremental() %}
where APPOINTMENT_DATE > (select max(APPOINTMENT_DATE) from {{ this }})
{% endif %}
