-- The customer-facing pre-aggregate behind the clinicians' dashboard: one row per clinician and month,
-- small enough that a dashboard query never scans fct_appointments.
-- Changes from the syllabus's precompute_clinician_metrics: the 12-month window ends at the run's day
-- (--vars), not current_date(), so a rerun or a backfill gives the same numbers; cancelled appointments are
-- left out of the denominator (a cancellation is not a missed visit); the rate is a rounded percentage.
with appointments as (

    select CLINICIAN_ID, APPOINTMENT_DATE, IS_NO_SHOW
    from {{ ref('fct_appointments') }}
    where STATUS in ('completed', 'no_show')
      and APPOINTMENT_DATE > cast('{{ run_day() }}' as date) - interval 12 month
      and APPOINTMENT_DATE <= cast('{{ run_day() }}' as date)

)

select
    CLINICIAN_ID,
    cast(date_trunc('month', APPOINTMENT_DATE) as date)                 as MONTH,
    cast(count(*) as bigint)                                            as KEPT_OR_MISSED,
    cast(sum(IS_NO_SHOW) as bigint)                                     as NO_SHOWS,
    cast(round(100.0 * sum(IS_NO_SHOW) / count(*), 2) as decimal(5, 2)) as NO_SHOW_RATE_PCT
from appointments
group by 1, 2
