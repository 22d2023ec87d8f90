-- The customer-facing pre-aggregate behind the clinicians' dashboard: one row per clinician and month,
-- small enough that a dashboard query never scans fct_appointments.
-- The table's contract (columns, types, window, rounding) is the one documented in
-- solutions/customer_metrics.py, which builds the same table from Python in notebook 13: both must agree.
-- Changes from the syllabus's precompute_clinician_metrics: the window is the 12 calendar months ending with
-- the run's day (--vars), not current_date(), so a rerun or a backfill gives the same numbers; the rate is an
-- exact percentage rounded half up into NUMBER(5,2).
with appointments as (

    select CLINICIAN_ID, APPOINTMENT_DATE, IS_NO_SHOW
    from {{ ref('fct_appointments') }}
    where APPOINTMENT_DATE >= date_trunc('month', cast('{{ run_day() }}' as date)) - interval 11 month
      and APPOINTMENT_DATE <= cast('{{ run_day() }}' as date)

)

select
    CLINICIAN_ID,
    cast(date_trunc('month', APPOINTMENT_DATE) as date)                           as MONTH,
    cast(count(*) as bigint)                                                      as TOTAL_APPOINTMENTS,
    cast(count_if(IS_NO_SHOW = 1) as bigint)                                      as NO_SHOWS,
    cast(round(count_if(IS_NO_SHOW = 1) * 10000 / count(*)) / 100 as decimal(5, 2)) as NO_SHOW_RATE
from appointments
group by 1, 2
