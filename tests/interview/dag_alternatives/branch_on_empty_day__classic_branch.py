"""partner_branch_load with BranchPythonOperator and a join written as a string trigger rule."""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator
from airflow.sdk import DAG

DAY = "{{ macros.ds_add(ds, -1) }}"
START = dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc)


def choose(day: str) -> str:
    from airflow.sdk import Variable

    from solutions.extraction import PartnerExtractor

    records = PartnerExtractor(Variable.get("partner_api_key")).extract(day, day).records
    return "load_day" if records else "skip_load"


def load(day: str) -> int:
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
    from airflow.sdk import Variable

    from solutions.pipeline import extract_and_land

    return extract_and_land(day, token=Variable.get("partner_api_key"),
                            connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)["records"]


def report(day: str, ti) -> None:
    from airflow.sdk import Variable

    from solutions.alerting import post_alert

    post_alert(f"{day}: {ti.xcom_pull(task_ids='load_day') or 0} appointments loaded",
               Variable.get("slack_webhook_url"))


with DAG("partner_branch_load", schedule="0 2 * * *", start_date=START, catchup=False,
         default_args={"owner": "data-team", "retries": 2}, tags=["partner"]):
    count_day = BranchPythonOperator(task_id="count_day", python_callable=choose, op_kwargs={"day": DAY})
    load_day = PythonOperator(task_id="load_day", python_callable=load, op_kwargs={"day": DAY})
    skip_load = EmptyOperator(task_id="skip_load")
    done = PythonOperator(task_id="report", python_callable=report, op_kwargs={"day": DAY},
                          trigger_rule="none_failed_min_one_success")
    count_day >> [load_day, skip_load] >> done
