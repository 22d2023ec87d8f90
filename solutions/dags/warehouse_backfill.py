"""Rebuild the appointments fact for a range of days, one dbt run per day, without swamping the warehouse.

Triggered by hand (or by the REST API) with a config: ``{"first_day": "2025-09-21", "last_day": "2025-09-30"}``.
``plan_days`` turns the range into a list, and ``dbt_run_day`` is mapped over it: ten days, ten task instances,
each a ``dbt run`` of the fact for its day (``solutions.pipeline.dbt_run``, the nightly pipeline's own step).

What keeps the warehouse safe:

* ``pool="snowflake_warehouse"``: every dbt task, in this DAG and any other, takes a slot of one pool; the
  pool's size (an Airflow admin setting, not code) is how many queries the team lets reach the warehouse at
  once. Without it, the ten mapped tasks are queued together (up to ``max_active_tasks``, 16 by default) and
  the warehouse queues what Airflow did not;
* ``priority_weight=1`` with ``weight_rule="absolute"``: a backfill yields each free slot to anything more
  urgent that waits for the same pool (the nightly run, a customer-facing refresh);
* ``max_active_runs=1``: a second backfill triggered meanwhile waits (queued) instead of doubling the load;
* ``params`` with JSON schemas: a config that is not two ISO dates is refused when the run is created (the
  UI and the REST API answer 400) instead of failing a task later; ``plan_days`` checks what a schema cannot
  say (the order of the two days, at most 31 days).
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, task

POOL = "snowflake_warehouse"
MAX_DAYS = 31


@dag(
    dag_id="warehouse_backfill",
    schedule=None,
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "first_day": Param("2025-09-21", type="string", format="date",
                           description="first day to rebuild (YYYY-MM-DD)"),
        "last_day": Param("2025-09-30", type="string", format="date",
                          description="last day to rebuild (YYYY-MM-DD), at most 31 days after the first"),
    },
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["dbt", "pools", "backfill"],
    doc_md=__doc__,
)
def warehouse_backfill():
    @task
    def plan_days(params: dict | None = None) -> list[str]:
        first, last = (dt.date.fromisoformat(params[key]) for key in ("first_day", "last_day"))
        if last < first:
            raise ValueError(f"last_day {last} is before first_day {first}")
        if (last - first).days >= MAX_DAYS:
            raise ValueError(f"{first}..{last} is {(last - first).days + 1} days; at most {MAX_DAYS} per run")
        return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]

    @task(pool=POOL, priority_weight=1, weight_rule="absolute")
    def dbt_run_day(day: str) -> dict:
        from solutions import pipeline

        return pipeline.dbt_run(dt.date.fromisoformat(day), pipeline.PipelineConfig.from_airflow().dbt())

    @task(pool=POOL, priority_weight=1, weight_rule="absolute")
    def dbt_test_days(results: list[dict], params: dict | None = None) -> dict:
        from solutions import pipeline

        runner = pipeline.PipelineConfig.from_airflow().dbt()
        return pipeline.dbt_test(dt.date.fromisoformat(params["last_day"]), runner)

    dbt_test_days(dbt_run_day.expand(day=plan_days()))


dag = warehouse_backfill()
