-- The contract says FEE_AMOUNT decimal(10, 2); the select makes it a double: dbt refuses before building.
select cast(1 as bigint) as APPOINTMENT_ID, cast(195.08 as double) as FEE_AMOUNT
