-- dbt's microbatch: no is_incremental() filter here. dbt splits the run into one-day batches of event_time and
-- filters the source (which declares event_time) to each batch; dbt-duckdb then deletes the batch's rows from
-- the table and inserts them again. Which batches: --event-time-start/--event-time-end, else `lookback`
-- batches before the newest one up to now (the machine's clock).
{{ config(
    incremental_strategy='microbatch',
    event_time='APPOINTMENT_TS',
    batch_size='day',
    begin='2025-09-01',
    lookback=7
) }}

select {{ appointment_columns() }}
from {{ source('backend', 'appointments') }}
