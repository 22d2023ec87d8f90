select cast(null as bigint) as APPOINTMENT_ID, cast(195.08 as decimal(10, 2)) as FEE_AMOUNT
