"""Fails: the file announces more appointments than the API serves: load_day fails - the marker's count is never compared.

The marker is the partner's contract: it says how many appointments the day holds. Loading whatever the API
serves turns a partial day into a green run and a quiet gap in the marts."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import DAG, task

BUCKET = "simplepractice-raw-data"
READY_KEY = "partner/appointments/{{ macros.ds_add(ds, -1) }}/ready.json"  # rendered when the sensor runs

with DAG(
    dag_id="partner_ready_load",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner", "sensors"],
) as dag:
    wait_for_ready_file = S3KeySensor(
        task_id="wait_for_ready_file",
        bucket_name=BUCKET,
        bucket_key=READY_KEY,
        mode="reschedule",  # no worker slot held between pokes
        poke_interval=5 * 60,
        timeout=3 * 60 * 60,  # three hours late is an incident: fail and alert instead of waiting for days
    )

    @task
    def load_day(logical_date=None) -> dict:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land

        day = (logical_date - dt.timedelta(days=1)).date().isoformat()
        return extract_and_land(day, token=Variable.get("partner_api_key"),
                                connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)

    wait_for_ready_file >> load_day()
