"""Check a day's appointments in a scratch schema that is created for the run and always dropped.

The run copies the day's rows out of the mart into a schema of its own, checks them there, and drops the
schema at the end, whatever happened in between:

* ``create_scratch_schema`` is a **setup** task and ``drop_scratch_schema`` its **teardown**: Airflow runs the
  teardown once the tasks between them are done, *even if they failed* (a teardown ignores its upstream's
  state, as long as its setup succeeded), and a failed run's teardown does not make the run green (a
  teardown's own outcome does not decide the run's state either, unless ``on_failure_fail_dagrun=True``);
* clearing a task in the UI clears its setup and teardown with it, so a re-run of the checks gets a fresh
  schema, not a leftover;
* the checks sit in a **task group**: one box in the graph, task ids ``checks.copy_day`` and
  ``checks.no_duplicate_ids``, one unit to clear or to wire with ``>>``.

The schema's name comes from the run's logical date (``SCRATCH_20251001``): no two runs of different days share
one, and a re-run of the same day starts from a fresh schema.
"""

from __future__ import annotations

import datetime as dt
import re

import pendulum
from airflow.sdk import dag, setup, task, task_group, teardown
from airflow.sdk.exceptions import AirflowFailException

CONN_ID = "snowflake_default"
DATABASE = "ANALYTICS"
SOURCE = "ANALYTICS.MARTS.FCT_APPOINTMENTS"


def scratch_name(ds_nodash: str) -> str:
    """``ANALYTICS.SCRATCH_<YYYYMMDD>``; refuses anything that is not eight digits (it becomes SQL text)."""
    if not re.fullmatch(r"\d{8}", ds_nodash or ""):
        raise ValueError(f"ds_nodash must be eight digits (YYYYMMDD), not {ds_nodash!r}")
    return f"{DATABASE}.SCRATCH_{ds_nodash}"


def _run(*statements: tuple[str, tuple]) -> list[tuple]:
    """Run statements on one connection; the last one's rows."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    conn = SnowflakeHook(snowflake_conn_id=CONN_ID).get_conn()
    try:
        cur = conn.cursor()
        for sql, params in statements:
            cur.execute(sql, params or None)
        return cur.fetchall() if cur.description else []
    finally:
        conn.close()


@dag(
    dag_id="scratch_schema_checks",
    schedule="30 3 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 1, "retry_delay": dt.timedelta(minutes=5)},
    tags=["setup-teardown", "task-groups", "data-quality"],
    doc_md=__doc__,
)
def scratch_schema_checks():
    @setup
    def create_scratch_schema(ds_nodash: str | None = None) -> str:
        schema = scratch_name(ds_nodash)
        _run((f"CREATE SCHEMA IF NOT EXISTS {schema}", ()))
        print(f"created {schema}")
        return schema

    @teardown
    def drop_scratch_schema(schema: str) -> None:
        _run((f"DROP SCHEMA IF EXISTS {schema} CASCADE", ()))
        print(f"dropped {schema}")

    @task_group
    def checks(schema: str):
        @task
        def copy_day(schema: str, ds: str | None = None) -> int:
            day = (dt.date.fromisoformat(ds) - dt.timedelta(days=1)).isoformat()
            rows = _run((f"CREATE OR REPLACE TABLE {schema}.APPOINTMENTS AS "
                         f"SELECT * FROM {SOURCE} WHERE APPOINTMENT_DATE = %s", (day,)),
                        (f"SELECT COUNT(*) FROM {schema}.APPOINTMENTS", ()))
            print(f"{rows[0][0]} appointments of {day} copied to {schema}")
            return rows[0][0]

        @task
        def no_duplicate_ids(schema: str, copied: int) -> int:
            dupes = _run((f"SELECT APPOINTMENT_ID FROM {schema}.APPOINTMENTS GROUP BY 1 HAVING COUNT(*) > 1 "
                          "ORDER BY 1", ()))
            if dupes:  # a data problem: retrying cannot fix it, so fail without using up the retries
                raise AirflowFailException(f"{len(dupes)} appointment ids appear twice: "
                                           f"{[d[0] for d in dupes[:5]]}")
            return copied

        no_duplicate_ids(schema, copy_day(schema))

    schema = create_scratch_schema()
    checks(schema) >> drop_scratch_schema(schema)


dag = scratch_schema_checks()
