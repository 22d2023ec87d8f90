select APPOINTMENT_DATE, cast(sum(FEE_AMOUNT) as decimal(12, 2)) as REVENUE
from {{ ref('fct_appointments') }}
where STATUS = 'completed'
group by APPOINTMENT_DATE
