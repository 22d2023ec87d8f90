-- Grain: one row per payment event: a charge, or a refund (a negative amount on the day it was refunded).
-- Shares dim_clients with fct_appointments (a conformed dimension): revenue and visits cut by the same client
-- attributes, at the time of each event.
select
    p.PAYMENT_ID,
    p.PAYMENT_DATE,
    p.APPOINTMENT_ID,
    p.CLIENT_ID,
    c.CLIENT_KEY,
    p.PAYMENT_AMOUNT,
    p.PAYMENT_METHOD,
    p.PAYMENT_AMOUNT < 0 as IS_REFUND
from {{ source('backend', 'payments') }} p
left join {{ ref('dim_clients') }} c
    on  c.CLIENT_ID = p.CLIENT_ID
    and p.UPDATED_AT >= c.VALID_FROM
    and p.UPDATED_AT <  c.VALID_TO
