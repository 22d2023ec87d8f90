"""The syllabus's XCom threshold check in TaskFlow style: the count travels as a return value.

``check_appointment_threshold(extract_appointment_count())`` does three things the classic version spells
out by hand: it sets the dependency, it stores the count as the first task's ``return_value`` XCom, and it
pulls that XCom into the second task's ``count`` argument when the second task runs. No key or task_id
strings to mistype. Same checks as ``xcom_threshold_check``: the run's day, a threshold param, no retries
for a count that retrying cannot change.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Param, dag, task
from airflow.sdk.exceptions import AirflowFailException


@dag(
    dag_id="xcom_threshold_check_taskflow",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    params={"threshold": Param(1000, type="integer", minimum=0, description="fewest appointments a day may have")},
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["xcom", "taskflow"],
    doc_md=__doc__,
)
def xcom_threshold_check_taskflow():
    @task
    def extract_appointment_count(ds: str | None = None) -> int:
        """Yesterday's rows in ``ANALYTICS.STAGING.APPOINTMENTS``; the return value is the XCom."""
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        row = SnowflakeHook(snowflake_conn_id="snowflake_default").get_first(
            "SELECT COUNT(*) FROM ANALYTICS.STAGING.APPOINTMENTS WHERE APPOINTMENT_DATE = %(day)s",
            parameters={"day": day},
        )
        print(f"{row[0]} staged appointments on {day}")
        return int(row[0])

    @task
    def check_appointment_threshold(count: int, params: dict | None = None) -> None:
        threshold = params["threshold"]
        if count < threshold:
            raise AirflowFailException(f"only {count} appointments, expected at least {threshold}")
        print(f"count {count} meets threshold {threshold}")

    check_appointment_threshold(extract_appointment_count())


dag = xcom_threshold_check_taskflow()
