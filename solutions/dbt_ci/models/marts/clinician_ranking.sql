-- The clinicians ranked by no-show rate (1 = most no-shows), for the operations team's weekly review.
select CLINICIAN_ID, NO_SHOW_RATE, rank() over (order by NO_SHOW_RATE desc) as NO_SHOW_RANK
from {{ ref('clinician_no_show_rate') }}
