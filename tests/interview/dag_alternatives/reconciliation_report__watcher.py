"""revenue_reconciliation_daily with a report that only reports, and a watcher task that keeps the run red."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, TriggerRule, task

with DAG("revenue_reconciliation_daily", schedule="0 6 * * *",
         start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc), catchup=False,
         default_args={"owner": "finance-data", "retries": 1}, tags=["revenue"]):

    @task
    def reconcile(ds=None) -> bool:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        from solutions.reconciliation import reconcile as compare

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        result = compare(day, connection=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        if not result.passed:
            raise ValueError(result.message())
        return True

    @task(trigger_rule=TriggerRule.ALL_DONE)
    def report(passed: bool | None = None, ds=None) -> None:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        post_alert(f"revenue reconciliation {'passed' if passed else 'FAILED'} for {day}",
                   Variable.get("slack_webhook_url"))

    @task(trigger_rule=TriggerRule.ONE_FAILED)
    def watcher() -> None:
        """A leaf that runs only when something upstream failed, and fails: the run's state follows it."""
        raise RuntimeError("an upstream task failed")

    checked = reconcile()
    checked >> [report(checked), watcher()]
