"""Fails: extract_to_s3 >> load_from_s3, a day lands whole through one S3 object and the XCom is its key, a rerun of the day leaves one object and one copy of each appointment - the key is pulled with a Jinja template written inside the Python function.

Templates are rendered only in an operator's templated fields (and TaskFlow arguments), never inside the
function's body: key is the literal text "{{ ti.xcom_pull(...) }}", S3 has no such object, and without the
argument the two tasks are not even linked."""

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
        key = f"partner/extracts/{day}.jsonl"  # one key per day: a rerun overwrites it
        S3Hook().load_string("\n".join(json.dumps(r) for r in records), key, bucket_name=BUCKET, replace=True)
        return key  # a few bytes through XCom, whatever the size of the day

    @task
    def load_from_s3(logical_date=None) -> int:
        import json

        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        from solutions.landing import land_day

        key = "{{ ti.xcom_pull(task_ids='extract_to_s3') }}"
        text = S3Hook().read_key(key, bucket_name=BUCKET)
        records = [json.loads(line) for line in text.splitlines() if line]
        conn = SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()
        try:
            return land_day(conn, _day(logical_date), records).inserted
        finally:
            conn.close()

    extract_to_s3()
    load_from_s3()
