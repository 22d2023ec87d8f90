"""partner_daily_load: extract and land the partner's appointments of the day before each run; check them.

Spec: prompt.md. Run it yourself with the kit's runner, e.g. in a notebook:
    import sim; world = sim.start(); world.run_dag("partner_daily.py", "2025-09-11")
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

# your DAG here
