"""Fails: a rerun of the day leaves one object and one copy of each appointment - the S3 key carries the time of the run.

"Never overwrite" feels safe, but every retry and rerun leaves another object for the same day: whoever lists
the day's prefix (an audit, an external table, a COPY over the folder) sees the day twice. The key should
depend on the day only."""

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
    def extract_to_s3(logical_date=None) -> str:
        import json

        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        from airflow.sdk import Variable

        from solutions.extraction import PartnerExtractor

        day = _day(logical_date)
        records = PartnerExtractor(Variable.get("partner_api_key")).extract(day, day).records
        key = f"partner/extracts/{day}/{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}.jsonl"
        S3Hook().load_string("\n".join(json.dumps(r) for r in records), key, bucket_name=BUCKET, replace=True)
        return key  # a few bytes through XCom, whatever the size of the day

    @task
    def load_from_s3(key: str, logical_date=None) -> int:
        import json

        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        from solutions.landing import land_day

        text = S3Hook().read_key(key, bucket_name=BUCKET)
        records = [json.loads(line) for line in text.splitlines() if line]
        conn = SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()
        try:
            return land_day(conn, _day(logical_date), records).inserted
        finally:
            conn.close()

    load_from_s3(extract_to_s3())
