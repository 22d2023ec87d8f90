"""partner_alerting_load: the daily load, alerting Slack from every task that fails for good.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

# your callback and DAG here
