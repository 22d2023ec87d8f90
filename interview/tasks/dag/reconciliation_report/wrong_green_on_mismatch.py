"""Fails: a day with missing payments: report still posts the failure and the run ends failed - the all_done report succeeds, so the run ends success.

A DAG run's state is decided by its leaf tasks: report is the only leaf, and it succeeded. The UI, the
dashboards and anything waiting on this DAG see a green run on the day revenue did not match."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, TriggerRule, task


def _day(logical_date) -> str:
    return (logical_date - dt.timedelta(days=1)).date().isoformat()


with DAG(
    dag_id="revenue_reconciliation_daily",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "finance-data", "retries": 1, "retry_delay": dt.timedelta(minutes=5)},
    tags=["revenue", "reconciliation"],
) as dag:

    @task
    def reconcile(logical_date=None) -> dict:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        from solutions.reconciliation import reconcile as compare

        result = compare(_day(logical_date),
                         connection=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        if not result.passed:
            raise ValueError(result.message())
        return result.to_dict()

    @task(trigger_rule=TriggerRule.ALL_DONE)  # reports after a failed reconcile too
    def report(ti=None, logical_date=None) -> str:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        result = ti.xcom_pull(task_ids="reconcile")  # None when reconcile failed: it returned nothing
        verdict = "passed" if result else "FAILED"
        text = f"revenue reconciliation {verdict} for {_day(logical_date)}"
        post_alert(text, Variable.get("slack_webhook_url"))
        return text

    reconcile() >> report()
