-- One row per version of a client (SCD type 2), from the timestamp snapshot. CLIENT_KEY identifies the version
-- (facts join to it); CLIENT_ID the client. Intervals are half-open, [VALID_FROM, VALID_TO): a moment belongs to
-- exactly one version. The open version ends in 9999 instead of NULL, so range joins need no special case.
select
    dbt_scd_id                                               as CLIENT_KEY,
    CLIENT_ID,
    CLIENT_NAME,
    STATE,
    dbt_valid_from                                           as VALID_FROM,
    coalesce(dbt_valid_to, timestamp '9999-12-31 00:00:00')  as VALID_TO,
    dbt_valid_to is null                                     as IS_CURRENT
from {{ ref('clients_timestamp') }}
