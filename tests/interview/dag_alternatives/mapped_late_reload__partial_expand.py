"""partner_late_reload with a classic operator mapped by partial() and expand()."""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, task


def reload(day: str) -> int:
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
    from airflow.sdk import Variable

    from solutions.pipeline import extract_and_land

    return extract_and_land(day, token=Variable.get("partner_api_key"),
                            connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)["records"]


with DAG("partner_late_reload", schedule="0 4 * * *",
         start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc), catchup=False,
         default_args={"owner": "data-team", "retries": 2}, tags=["partner"]):

    @task
    def days_to_reload(data_interval_end=None) -> list[dict]:
        return [{"day": (data_interval_end - dt.timedelta(days=n)).strftime("%Y-%m-%d")} for n in (3, 2, 1)]

    reloaded = PythonOperator.partial(
        task_id="reload_day", python_callable=reload, pool="partner_api", max_active_tis_per_dag=2,
    ).expand(op_kwargs=days_to_reload())

    @task
    def summarise(counts, ds=None) -> None:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        text = f"partner_late_reload {ds}: {sum(counts)} appointments reloaded"
        post_alert(text, Variable.get("slack_webhook_url"))

    summarise(reloaded.output)
