select APPOINTMENT_ID, CLIENT_ID, CLINICIAN_ID, APPOINTMENT_DATE, lower(STATUS) as STATUS, FEE_AMOUNT
from {{ source('backend', 'appointments') }}
