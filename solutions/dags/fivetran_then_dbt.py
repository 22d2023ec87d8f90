"""Scenario 1, steps 1-3: Fivetran copies the backend database into the raw layer, then dbt builds on it.

    fivetran_sync -> dbt_run -> report

* ``fivetran_sync``: the Astronomer/Fivetran provider's ``FivetranOperator`` starts a sync of connector
  ``backend_postgres`` and, being deferrable, hands the waiting to the triggerer: no worker slot is held
  while Fivetran works. It fails the task when Fivetran reports a failed sync.
* ``dbt_run``: dbt on what was synced (``stg_clients``, ``dim_clients``), only after the sync succeeded.
* ``report``: what landed, read back from the warehouse.

Retries: a rate-limited or unreachable Fivetran API fails the sync task, and Airflow's own ``retries`` are
the back-off (the provider retries 5xx and connection errors itself, not 429). ``execution_timeout`` bounds
the wait: the triggerer enforces it on the deferred task, so a sync that never finishes fails the task.
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, task
from fivetran_provider_async.operators import FivetranOperator

CONNECTOR_ID = "backend_postgres"
MODELS = ("stg_clients", "dim_clients")

with DAG(
    dag_id="fivetran_then_dbt",
    schedule="0 2 * * *",  # the syllabus's 2 AM
    start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=1)},
    tags=["scenario-1", "fivetran", "dbt"],
) as dag:
    fivetran_sync = FivetranOperator(
        task_id="fivetran_sync",
        connector_id=CONNECTOR_ID,
        fivetran_conn_id="fivetran_default",
        poll_frequency=1,  # seconds between status checks; minutes in production
        deferrable=True,
        execution_timeout=dt.timedelta(hours=2),
    )

    @task
    def dbt_run(ds: str | None = None) -> dict:
        """``dbt run --select stg_clients dim_clients`` on the synced raw tables."""
        from solutions.pipeline import PipelineConfig

        runner = PipelineConfig.from_airflow().dbt()
        result = runner.invoke("run", "--select", *MODELS, day=ds)
        print(result.summary())
        return result.raise_for_status().to_dict()

    @task
    def report() -> dict:
        """Rows in the raw copy and in the mart dbt built from it."""
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        hook = SnowflakeHook(snowflake_conn_id="snowflake_default")
        raw = hook.get_first("SELECT COUNT(*) FROM BACKEND.PUBLIC.CLIENTS")[0]
        mart = hook.get_first("SELECT COUNT(*) FROM ANALYTICS.MARTS.DIM_CLIENTS")[0]
        print(f"raw clients: {raw}, dim_clients: {mart}")
        return {"raw_clients": int(raw), "dim_clients": int(mart)}

    fivetran_sync >> dbt_run() >> report()
