"""daily_revenue: one row of revenue per day, for the day each run's data interval covers.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

# your DAG here
