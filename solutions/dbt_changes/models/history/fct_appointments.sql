-- Grain: one row per appointment that exists at the source. CLIENT_KEY is the client's version *at the time of
-- the appointment* (a point-in-time join); CLIENT_ID and CLINICIAN_ID join the current versions.
select
    a.APPOINTMENT_ID,
    a.APPOINTMENT_DATE,
    a.APPOINTMENT_TS,
    a.CLIENT_ID,
    c.CLIENT_KEY,
    a.CLINICIAN_ID,
    a.STATUS,
    a.FEE_AMOUNT
from {{ source('backend', 'appointments') }} a
left join {{ ref('dim_clients') }} c
    on  c.CLIENT_ID = a.CLIENT_ID
    and a.APPOINTMENT_TS >= c.VALID_FROM
    and a.APPOINTMENT_TS <  c.VALID_TO
