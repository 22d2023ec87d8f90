"""The syllabus's branch on data volume, with classic operators: count the day's raw rows, then run either a
full refresh or an incremental build of ``fct_appointments``, then report, whichever branch ran.

A branch task returns the task_id (or a list of them) to follow; Airflow marks every other task directly
downstream of it ``skipped``. A task after both branches must say what it waits for: with the default trigger
rule ``all_success`` it would be skipped too (one of its upstream tasks was skipped), so ``report`` uses
``none_failed_min_one_success``: run when nothing upstream failed and at least one upstream task succeeded.

The dbt steps are placeholders that print the command they stand for (the kit runs real dbt in a later
notebook). What changed from the syllabus: no ``provide_context=True`` (Airflow 3 refuses it); imports from
the standard provider; the count is for the run's day (the run at 02:00 on day D looks at D-1) with a bound
parameter, through the Snowflake hook; the threshold is a DAG param; the join task exists and runs.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator
from airflow.sdk import DAG, Param, TriggerRule


def check_data_volume(ds: str, params: dict) -> str:
    """Return the task_id to follow: a full refresh above ``params["full_refresh_threshold"]`` raw rows."""
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


def run_dbt(command: str) -> str:
    """Placeholder for a dbt step: prints the command it stands for and returns it (an XCom)."""
    print(f"would run: {command}")
    return command


def report(ti) -> None:
    """Runs after whichever branch ran. The branch not taken was skipped and pushed nothing, so pulling
    from both returns one value. (Not from ``check_volume``: on Airflow 3 a branch task that skips
    something ends without storing its return value.)"""
    ran = [command for command in ti.xcom_pull(task_ids=["run_full_refresh", "run_incremental"]) if command]
    print(f"fct_appointments built with: {' + '.join(ran)}")


with DAG(
    dag_id="branch_on_volume",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    params={"full_refresh_threshold": Param(100_000, type="integer", minimum=0)},
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["branching", "classic"],
    doc_md=__doc__,
) as dag:
    check_volume = BranchPythonOperator(task_id="check_volume", python_callable=check_data_volume)
    full_refresh = PythonOperator(
        task_id="run_full_refresh", python_callable=run_dbt,
        op_kwargs={"command": "dbt run --full-refresh --select fct_appointments"},
    )
    incremental = PythonOperator(
        task_id="run_incremental", python_callable=run_dbt,
        op_kwargs={"command": "dbt run --select fct_appointments"},
    )
    done = PythonOperator(
        task_id="report", python_callable=report, trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS,
    )
    check_volume >> [full_refresh, incremental] >> done
