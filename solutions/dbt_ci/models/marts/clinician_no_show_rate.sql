-- One row per clinician: appointments booked, no-shows, and the no-show rate in percent.
with counted as (

    select
        CLINICIAN_ID,
        count(*)                        as TOTAL_APPOINTMENTS,
        cast(sum(IS_NO_SHOW) as bigint) as NO_SHOWS
    from {{ ref('fct_appointments') }}
    group by CLINICIAN_ID

)

select
    CLINICIAN_ID,
    TOTAL_APPOINTMENTS,
    NO_SHOWS,
    cast(round(100.0 * NO_SHOWS / TOTAL_APPOINTMENTS, 2) as decimal(5, 2)) as NO_SHOW_RATE
from counted
