-- One row per appointment. Incremental: a run processes one day (--vars '{day: YYYY-MM-DD}') and replaces
-- that day wholesale (delete+insert keyed on APPOINTMENT_DATE), so running a day twice gives the same table,
-- and appointments the partner removed since the last run disappear too (a merge on APPOINTMENT_ID would
-- keep them). The columns and types are the ones the rest of the kit reads (sim/data_sql.py).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='APPOINTMENT_DATE',
    on_schema_change='fail'
) }}

select
    APPOINTMENT_ID,
    CLIENT_ID,
    CLINICIAN_ID,
    APPOINTMENT_DATE,
    APPOINTMENT_TS,
    STATUS,
    cast(case when STATUS = 'no_show' then 1 else 0 end as bigint) as IS_NO_SHOW,
    DURATION_MINUTES,
    FEE_AMOUNT
from {{ ref('stg_partner_appointments') }}
{% if is_incremental() %}
where LOAD_DATE = cast('{{ run_day() }}' as date)
{% endif %}
