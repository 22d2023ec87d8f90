"""Fails: no work at parse time - the webhook URL is read with Variable.get when the file is parsed.

It works, and it queries the secrets backend every time the DAG processor parses the file (every 30 seconds by
default), and it keeps a secret in a module global. Read it in the callback, when there is something
to say."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, Variable, task


WEBHOOK = Variable.get("slack_webhook_url")


def alert_slack(context) -> None:
    """on_failure_callback: Airflow calls it once, after the last try, with the failed task's context."""
    from solutions.alerting import post_alert

    ti = context["ti"]
    text = (f"FAILED {ti.dag_id}.{ti.task_id} for {context['logical_date']:%Y-%m-%d} "
            f"(try {ti.try_number}): {context['exception']}")
    post_alert(text, WEBHOOK)


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
