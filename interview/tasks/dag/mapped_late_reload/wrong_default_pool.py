"""Fails: reload_day takes partner_api pool slots and runs at most 2 at once - the mapped task keeps the default pool.

max_active_tis_per_dag=2 limits this DAG; every other DAG that calls the partner still runs unthrottled beside
it, and together they trip the partner's rate limit. Only a shared pool counts them all."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

with DAG(
    dag_id="partner_late_reload",
    schedule="0 4 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner", "mapping", "pools"],
) as dag:

    @task
    def days_to_reload(logical_date=None) -> list[str]:
        """The three days before the logical date, oldest first: known only when the run starts."""
        return [(logical_date - dt.timedelta(days=back)).date().isoformat() for back in (3, 2, 1)]

    @task(max_active_tis_per_dag=2)
    def reload_day(day: str) -> int:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land

        result = extract_and_land(day, token=Variable.get("partner_api_key"),
                                  connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        return result["records"]

    @task
    def summarise(counts: list[int], logical_date=None) -> str:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        text = f"partner_late_reload {logical_date:%Y-%m-%d}: {sum(counts)} appointments reloaded"
        post_alert(text, Variable.get("slack_webhook_url"))
        return text

    summarise(reload_day.expand(day=days_to_reload()))
