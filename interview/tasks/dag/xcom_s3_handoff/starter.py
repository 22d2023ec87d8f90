"""partner_s3_handoff: extract the day before each run to S3, then load it from S3 into the warehouse.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

BUCKET = "simplepractice-raw-data"

# your DAG here
