select CLIENT_ID, CLIENT_NAME, STATE, CREATED_DATE
from {{ ref('stg_clients') }}
