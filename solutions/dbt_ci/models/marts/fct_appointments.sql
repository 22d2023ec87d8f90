select
    cast(APPOINTMENT_ID as bigint)                                   as APPOINTMENT_ID,
    cast(CLINICIAN_ID as bigint)                                     as CLINICIAN_ID,
    APPOINTMENT_DATE,
    STATUS,
    cast(case when STATUS = 'no_show' then 1 else 0 end as integer) as IS_NO_SHOW,
    cast(FEE_AMOUNT as decimal(10, 2))                               as FEE_AMOUNT
from {{ ref('stg_appointments') }}
