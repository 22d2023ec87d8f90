"""The syllabus's S3 sensor, on Airflow 3: wait for the day's appointments file, then process it.

What changed from the syllabus and why:

* the import: ``airflow.sensors.s3_key_sensor`` is gone; S3KeySensor lives in the Amazon provider
  (``airflow.providers.amazon.aws.sensors.s3``);
* the key: ``{{ ds }}`` is the run's own date on Airflow 3 (a cron schedule uses CronTriggerTimetable), so
  the run at 02:00 on day D waits for D-1's file with ``macros.ds_add(ds, -1)``;
* ``mode="reschedule"``: between pokes the task gives its worker slot back (the syllabus's poke mode holds a
  slot for up to an hour, asleep). Where a triggerer runs, ``deferrable=True`` is better still: the wait
  moves off the workers entirely;
* ``check_fn``: an empty (zero-byte) object does not count as the file having arrived;
* the processing step reads the object with the S3 hook instead of shelling out to a script.

Timing: the file is due at about 02:00; ``poke_interval=300`` checks every five minutes and ``timeout=3600``
fails the sensor (no retries: a sensor timeout is final) an hour later, which is when someone should look.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pendulum
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

BUCKET = "simplepractice-raw-data"
KEY = "appointments/{{ macros.ds_add(ds, -1) }}/data.csv"


def non_empty(files: list[dict], **context) -> bool:
    """S3KeySensor's ``check_fn``: every matched object has bytes in it. Takes ``**context`` because the
    deferrable path calls ``check_fn(files, **context)``."""
    return all((f.get("Size") or 0) > 0 for f in files)


def process_appointments(key: str) -> int:
    """Read the CSV the sensor waited for; return its row count (a small XCom)."""
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    text = S3Hook(aws_conn_id="aws_default").read_key(key, bucket_name=BUCKET)
    rows = list(csv.DictReader(io.StringIO(text)))
    print(f"{len(rows)} appointments in s3://{BUCKET}/{key}")
    return len(rows)


with DAG(
    dag_id="wait_for_appointments_file",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["sensors", "classic"],
    doc_md=__doc__,
) as dag:
    wait_for_file = S3KeySensor(
        task_id="wait_for_appointments_file",
        bucket_name=BUCKET,
        bucket_key=KEY,
        check_fn=non_empty,
        aws_conn_id="aws_default",
        mode="reschedule",
        poke_interval=300,
        timeout=3600,
    )
    process_file = PythonOperator(
        task_id="process_appointments",
        python_callable=process_appointments,
        op_kwargs={"key": KEY},  # op_kwargs is a templated field: the key is rendered per run
    )
    wait_for_file >> process_file
