select CLINICIAN_ID, CLINICIAN_NAME, SPECIALTY, HOURLY_RATE
from {{ ref('stg_clinicians') }}
