"""Fails: a day lands whole through one S3 object and the XCom is its key - the records themselves go through XCom.

It works on a small day. An XCom is a row of the metadata database, and every task that pulls it reads it back
through the API server: a busy day makes a multi-megabyte row per run, slows the scheduler's database and can
exceed what the XCom backend accepts. The data belongs in S3; the XCom carries the key."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

BUCKET = "simplepractice-raw-data"


def _day(logical_date) -> str:
    return (logical_date - dt.timedelta(days=1)).date().isoformat()


with DAG(
    dag_id="partner_s3_handoff",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner", "xcom", "s3"],
) as dag:

    @task
    def extract_to_s3(logical_date=None) -> list:
        import json

        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        from airflow.sdk import Variable

        from solutions.extraction import PartnerExtractor

        day = _day(logical_date)
        records = PartnerExtractor(Variable.get("partner_api_key")).extract(day, day).records
        key = f"partner/extracts/{day}.jsonl"  # one key per day: a rerun overwrites it
        S3Hook().load_string("\n".join(json.dumps(r) for r in records), key, bucket_name=BUCKET, replace=True)
        return records  # the S3 copy is kept for audits

    @task
    def load_from_s3(records: list, logical_date=None) -> int:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        from solutions.landing import land_day

        conn = SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()
        try:
            return land_day(conn, _day(logical_date), records).inserted
        finally:
            conn.close()

    load_from_s3(extract_to_s3())
