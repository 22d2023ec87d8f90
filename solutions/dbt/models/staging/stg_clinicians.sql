select
    cast(CLINICIAN_ID as bigint) as CLINICIAN_ID,
    CLINICIAN_NAME,
    SPECIALTY,
    cast(HOURLY_RATE as decimal(10, 2)) as HOURLY_RATE
from {{ source('backend', 'clinicians') }}
