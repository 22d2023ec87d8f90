"""partner_alerting_load with a notifier class (Airflow's BaseNotifier) as every task's failure callback."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, BaseNotifier, task


class SlackOnFailure(BaseNotifier):
    def notify(self, context) -> None:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        ti = context["ti"]
        text = (f"{ti.dag_id} / {ti.task_id} failed on try {ti.try_number} for run "
                f"{context['logical_date'].date()}: {context['exception']!r}")
        post_alert(text, Variable.get("slack_webhook_url"))


with DAG("partner_alerting_load", schedule="0 2 * * *",
         start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc), catchup=False,
         default_args={"owner": "data-team", "retries": 2, "on_failure_callback": SlackOnFailure()},
         tags=["partner"]):

    @task
    def extract_and_land(ds=None) -> int:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land as run

        day = (dt.date.fromisoformat(ds) - dt.timedelta(days=1)).isoformat()
        return run(day, token=Variable.get("partner_api_key"),
                   connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)["records"]

    @task
    def report(records: int) -> str:
        return f"{records} appointments"

    report(extract_and_land())
