"""partner_ready_load: wait for the partner's ready file for the day before the run, then load that day.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.sdk import DAG, task

# your DAG here
