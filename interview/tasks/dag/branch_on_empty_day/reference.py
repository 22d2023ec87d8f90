"""Load the partner's day only when there is one: branch around the load on an empty day; report either way.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG, TriggerRule, task


def _day(logical_date) -> str:
    return (logical_date - dt.timedelta(days=1)).date().isoformat()


with DAG(
    dag_id="partner_branch_load",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner", "branching"],
) as dag:

    @task.branch
    def count_day(logical_date=None) -> str:
        from airflow.sdk import Variable

        from solutions.fanout import partner_count

        found = partner_count(_day(logical_date), token=Variable.get("partner_api_key"))
        return "load_day" if found["partner"] else "skip_load"

    @task
    def load_day(logical_date=None) -> int:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land

        result = extract_and_land(_day(logical_date), token=Variable.get("partner_api_key"),
                                  connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        return result["records"]

    skip_load = EmptyOperator(task_id="skip_load")

    @task(trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)  # runs whichever branch ran
    def report(ti=None, logical_date=None) -> str:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        loaded = ti.xcom_pull(task_ids="load_day") or 0  # a skipped task pushed nothing
        text = f"{_day(logical_date)}: {loaded} appointments loaded"
        post_alert(text, Variable.get("slack_webhook_url"))
        return text

    count_day() >> [load_day(), skip_load] >> report()
