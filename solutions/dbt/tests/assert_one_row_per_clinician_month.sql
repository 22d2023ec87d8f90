-- Singular test (no dbt_utils offline): the pre-aggregate has one row per clinician and month,
-- and every rate is a percentage. Rows returned = failures.
select CLINICIAN_ID, MONTH, count(*) as ROWS_FOR_KEY, max(NO_SHOW_RATE) as MAX_RATE
from {{ ref('clinician_no_show_rate') }}
group by 1, 2
having count(*) > 1 or max(NO_SHOW_RATE) > 100 or min(NO_SHOW_RATE) < 0
