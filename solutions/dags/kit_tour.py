"""A three-task tour of the sim from inside Airflow: warehouse, S3 and Slack, each touched by one task.

Nothing here knows it runs against a simulation: the tasks use the Snowflake provider's hook, the Amazon
provider's S3 hook and requests, configured by the Airflow Connection ``snowflake_default`` and the Variable
``slack_webhook_url``, which Airflow reads from ``AIRFLOW_CONN_*`` / ``AIRFLOW_VAR_*`` environment variables.
In a notebook the sim patches the libraries in-process; under ``make airflow`` the same variables point at
the sim served on loopback. Only the connections differ, never the DAG.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import Variable, dag, task

BUCKET = "simplepractice-raw-data"


@dag(
    dag_id="kit_tour",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 1, "retry_delay": dt.timedelta(minutes=1)},
    tags=["tour"],
)
def kit_tour():
    @task
    def count_appointments(ds: str | None = None) -> int:
        """Yesterday's appointments (the run at 02:00 on day D processes D-1), counted with a bound parameter."""
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        conn = SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()
        try:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %s", (day,))
            count = cur.fetchone()[0]
        finally:
            conn.close()
        print(f"{count} appointments on {day}")
        return count

    @task
    def list_landing_files() -> list[str]:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        keys = S3Hook().list_keys(bucket_name=BUCKET, prefix="appointments/") or []
        print(f"{len(keys)} file(s) in s3://{BUCKET}/appointments/")
        return sorted(keys)

    @task
    def notify(count: int, files: list[str]) -> None:
        import requests

        text = f"kit_tour: {count} appointments, {len(files)} landing file(s)"
        response = requests.post(Variable.get("slack_webhook_url"), json={"text": text}, timeout=10)
        response.raise_for_status()
        print(f"posted to Slack: {text}")

    notify(count_appointments(), list_landing_files())


kit_tour()
