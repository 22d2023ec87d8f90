"""partner_appointments_extract and partner_appointments_check: two DAGs linked by an asset.

Spec: prompt.md.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, Asset, task

# your two DAGs here
