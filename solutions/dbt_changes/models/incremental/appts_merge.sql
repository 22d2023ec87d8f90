-- Rows changed since the high-water mark, upserted by key: a changed row replaces its old version.
-- >= (not >): rows written in the same second as the mark but after the last run are read again; the merge
-- makes reading a row twice harmless. A row deleted at the source is never in the batch, so it stays here.
{{ config(
    incremental_strategy='merge',
    unique_key='APPOINTMENT_ID',
    on_schema_change=var('on_schema_change')
) }}

select {{ appointment_columns() }}
{%- if var('add_column') %}, DURATION_MINUTES{% endif %}
from {{ source('backend', 'appointments') }}
{% if is_incremental() %}
where UPDATED_AT >= (select max(UPDATED_AT) from {{ this }})
{% endif %}
