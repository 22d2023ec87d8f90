-- One row per clinician (type 1: overwritten in place; nothing about a clinician is tracked over time here).
select CLINICIAN_ID, CLINICIAN_NAME, SPECIALTY, HOURLY_RATE
from {{ source('backend', 'clinicians') }}
