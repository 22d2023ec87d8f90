"""Fails: the alert names the DAG and the task and the logical date and the try and the error - the alert says which task failed, not when or why.

"extract_and_land failed" sends the on-call to the logs before they can decide anything: which day, which try,
and the error itself belong in the message."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task


def alert_slack(context) -> None:
    """on_failure_callback: Airflow calls it once, after the last try, with the failed task's context."""
    from airflow.sdk import Variable

    from solutions.alerting import post_alert

    ti = context["ti"]
    text = f"{ti.task_id} failed"
    post_alert(text, Variable.get("slack_webhook_url"))  # the webhook is a secret: read when alerting


with DAG(
    dag_id="partner_alerting_load",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5),
                  "on_failure_callback": alert_slack},
    tags=["partner", "alerting"],
) as dag:

    @task
    def extract_and_land(logical_date=None) -> int:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land as run

        day = (logical_date - dt.timedelta(days=1)).date().isoformat()
        return run(day, token=Variable.get("partner_api_key"),
                   connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)["records"]

    @task
    def report(records: int, logical_date=None) -> str:
        return f"{logical_date:%Y-%m-%d}: {records} appointments"

    report(extract_and_land())
