select cast(1 as bigint) as APPOINTMENT_ID, cast(195.08 as decimal(10, 2)) as FEE_AMOUNT
union all
select cast(1 as bigint), cast(80.00 as decimal(10, 2))
