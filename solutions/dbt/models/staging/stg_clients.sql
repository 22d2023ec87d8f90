select
    cast(CLIENT_ID as bigint) as CLIENT_ID,
    CLIENT_NAME,
    STATE,
    cast(CREATED_DATE as date) as CREATED_DATE
from {{ source('backend', 'clients') }}
