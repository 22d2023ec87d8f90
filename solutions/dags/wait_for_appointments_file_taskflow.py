"""The same wait in TaskFlow style: a custom sensor written with ``@task.sensor``.

The decorated function is the sensor's ``poke``: Airflow calls it every ``poke_interval`` until it returns
a true value (or ``PokeReturnValue(is_done=True)``) or ``timeout`` passes. ``PokeReturnValue`` also carries an
XCom: here the key that was found, so the next task receives it as an argument instead of rebuilding it.
The condition is ours to write: the object exists *and* has bytes in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pendulum
from airflow.sdk import PokeReturnValue, dag, task

BUCKET = "simplepractice-raw-data"


@dag(
    dag_id="wait_for_appointments_file_taskflow",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["sensors", "taskflow"],
    doc_md=__doc__,
)
def wait_for_appointments_file_taskflow():
    @task.sensor(mode="reschedule", poke_interval=300, timeout=3600)
    def wait_for_appointments_file(ds: str | None = None) -> PokeReturnValue:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
        key = f"appointments/{day}/data.csv"
        head = S3Hook(aws_conn_id="aws_default").head_object(key, bucket_name=BUCKET)
        return PokeReturnValue(is_done=bool(head and head["ContentLength"] > 0), xcom_value=key)

    @task
    def process_appointments(key: str) -> int:
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        text = S3Hook(aws_conn_id="aws_default").read_key(key, bucket_name=BUCKET)
        rows = list(csv.DictReader(io.StringIO(text)))
        print(f"{len(rows)} appointments in s3://{BUCKET}/{key}")
        return len(rows)

    process_appointments(wait_for_appointments_file())


dag = wait_for_appointments_file_taskflow()
