"""partner_late_reload: reload the three days before each run, one mapped task instance per day.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

# your DAG here
