-- One row per appointment: the partner's JSON parsed into typed columns.
-- An appointment landed on several load days (rescheduled, re-sent) keeps its latest version.
with landed as (

    select LOAD_DATE, RAW_DATA
    from {{ source('partner', 'partner_appointments') }}

),

parsed as (

    select
        cast(RAW_DATA ->> 'appointment_id' as bigint)     as APPOINTMENT_ID,
        cast(RAW_DATA ->> 'client_id' as bigint)          as CLIENT_ID,
        cast(RAW_DATA ->> 'clinician_id' as bigint)       as CLINICIAN_ID,
        cast(RAW_DATA ->> 'appointment_date' as date)     as APPOINTMENT_DATE,
        cast(RAW_DATA ->> 'start_time' as timestamp)      as APPOINTMENT_TS,
        lower(RAW_DATA ->> 'status')                      as STATUS,
        cast(RAW_DATA ->> 'duration_minutes' as bigint)   as DURATION_MINUTES,
        cast(RAW_DATA ->> 'fee_amount' as decimal(10, 2)) as FEE_AMOUNT,
        LOAD_DATE
    from landed

)

select *
from parsed
qualify row_number() over (partition by APPOINTMENT_ID order by LOAD_DATE desc) = 1
