"""revenue_reconciliation_daily: reconcile the day before each run with the backend; always report.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, TriggerRule, task

# your DAG here
