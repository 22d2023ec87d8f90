"""The branch on data volume in TaskFlow style: ``@task.branch`` returns the task_id to follow.

Same behaviour as ``branch_on_volume``: the branch not taken is ``skipped``, and ``report`` runs after
whichever branch ran because its trigger rule is ``none_failed_min_one_success`` (with the default
``all_success`` it would be skipped along with the branch not taken). ``report`` takes both branches' return
values as arguments, which also makes it downstream of both; the skipped one pushed nothing and arrives as
``None``. (Not the branch task's own return value: on Airflow 3 a branch task that skips something ends
without storing it.) The dbt steps are placeholders that print and return the command they stand for; the
kit runs real dbt in a later notebook.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task


@dag(
    dag_id="branch_on_volume_taskflow",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    params={"full_refresh_threshold": Param(100_000, type="integer", minimum=0)},
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["branching", "taskflow"],
    doc_md=__doc__,
)
def branch_on_volume_taskflow():
    @task.branch
    def check_volume(ds: str | None = None, params: dict | None = None) -> str:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        row = SnowflakeHook(snowflake_conn_id="snowflake_default").get_first(
            "SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS WHERE RAW_DATA:appointment_date::DATE = %(day)s",
            parameters={"day": day},
        )
        count, threshold = int(row[0]), params["full_refresh_threshold"]
        branch = "run_full_refresh" if count > threshold else "run_incremental"
        print(f"{count} raw appointments on {day}, threshold {threshold} -> {branch}")
        return branch

    @task
    def run_full_refresh() -> str:
        command = "dbt run --full-refresh --select fct_appointments"
        print(f"would run: {command}")
        return command

    @task
    def run_incremental() -> str:
        command = "dbt run --select fct_appointments"
        print(f"would run: {command}")
        return command

    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
    def report(full_refresh: str | None, incremental: str | None) -> None:
        """The skipped branch pushed nothing: its argument arrives as None."""
        print(f"fct_appointments built with: {full_refresh or incremental}")

    full_refresh, incremental = run_full_refresh(), run_incremental()
    check_volume() >> [full_refresh, incremental]
    report(full_refresh, incremental)


dag = branch_on_volume_taskflow()
