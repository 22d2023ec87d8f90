"""XCom carries a reference, not the data: the day's staged appointments go to S3, the key goes through XCom.

An XCom lives in a row of Airflow's metadata database and every task that pulls it reads the whole value back
through the API server. So the rows themselves go where data belongs (here S3; in the warehouse, a table) and
the XCom holds the S3 key: a few dozen bytes whatever the size of the day.

* ``extract_to_s3`` writes ``handoff/appointments/<day>.csv`` and returns the key. The key depends only on
  the day, so a re-run overwrites the same object (idempotent) instead of leaving copies behind.
* ``summarise`` receives the key as an argument (TaskFlow pulls the XCom), reads the file and returns counts
  per status. Its ``-> dict[str, int]`` annotation turns on ``multiple_outputs``: the dict is stored as the
  return value *and* each status becomes its own XCom (``completed``, ``no_show``, ...), which downstream
  tasks can pull one by one.
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io

import pendulum
from airflow.sdk import dag, task

BUCKET = "simplepractice-raw-data"
COLUMNS = ("appointment_id", "client_id", "status", "fee_amount")


@dag(
    dag_id="xcom_s3_handoff",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["xcom", "taskflow", "s3"],
    doc_md=__doc__,
)
def xcom_s3_handoff():
    @task
    def extract_to_s3(ds: str | None = None) -> str:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        rows = SnowflakeHook(snowflake_conn_id="snowflake_default").get_records(
            "SELECT APPOINTMENT_ID, CLIENT_ID, STATUS, FEE_AMOUNT FROM ANALYTICS.STAGING.APPOINTMENTS "
            "WHERE APPOINTMENT_DATE = %(day)s ORDER BY APPOINTMENT_ID",
            parameters={"day": day},
        )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        key = f"handoff/appointments/{day}.csv"
        S3Hook(aws_conn_id="aws_default").load_string(out.getvalue(), key, bucket_name=BUCKET, replace=True)
        print(f"{len(rows)} rows -> s3://{BUCKET}/{key}")
        return key

    @task
    def summarise(key: str) -> dict[str, int]:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        text = S3Hook(aws_conn_id="aws_default").read_key(key, bucket_name=BUCKET)
        counts = collections.Counter(row["status"] for row in csv.DictReader(io.StringIO(text)))
        print(f"read {sum(counts.values())} rows back from {key}")
        return dict(sorted(counts.items()))

    summarise(extract_to_s3())


dag = xcom_s3_handoff()
