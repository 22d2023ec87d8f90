"""A seeded day of warehouse queries shaped like the kit's pipeline, for the cost model (notebook 26).

- ``TRANSFORM_WH``: the 2 AM chain (COPY of the partner file, the dbt models one after another, dbt tests,
  the quality checks, the customer metrics), then an hourly refresh of the customer-facing mart 08:00-18:00;
- ``SERVING_WH``: the customer-facing dashboards, short queries arriving at random 08:00-18:00 (a mean gap of
  ``serving_gap`` seconds).

Durations are seconds on ``XSMALL``. Real numbers come from QUERY_HISTORY (``START_TIME``,
``TOTAL_ELAPSED_TIME``, ``WAREHOUSE_NAME``, ``QUERY_TAG``); this profile stands in for them.
"""

from __future__ import annotations

import random

from solutions.warehouse_cost import Query

HOUR = 3600
DBT_MODELS = ("stg_appointments", "stg_clinicians", "stg_payments", "int_visits", "fct_appointments",
              "fct_revenue", "dim_clinicians", "dim_clients", "mart_no_show_rate", "mart_clinician_day")


def pipeline_day(seed: int = 26, serving_gap: float = 240.0) -> list[Query]:
    """One day of queries on the two warehouses, the same for the same seed."""
    rng = random.Random(seed)
    queries: list[Query] = []
    t = 2 * HOUR + 30.0                                         # the sensor found the file at 02:00:30
    queries.append(Query(t, 45.0, "TRANSFORM_WH", "pipeline:load"))
    t += 45.0 + 5
    for model in DBT_MODELS:
        seconds = round(rng.uniform(20, 120), 1)
        queries.append(Query(t, seconds, "TRANSFORM_WH", f"dbt:{model}"))
        t += seconds + 2
    for _ in range(25):
        seconds = round(rng.uniform(1, 6), 1)
        queries.append(Query(t, seconds, "TRANSFORM_WH", "dbt:test"))
        t += seconds + 1
    for _ in range(6):
        queries.append(Query(t, 4.0, "TRANSFORM_WH", "pipeline:quality"))
        t += 5.0
    queries.append(Query(t, 30.0, "TRANSFORM_WH", "pipeline:metrics"))
    for hour in range(8, 19):
        queries.append(Query(hour * HOUR + 300.0, round(rng.uniform(30, 60), 1), "TRANSFORM_WH",
                             "pipeline:hourly_refresh"))
    t = 8 * HOUR
    while True:
        t += rng.expovariate(1 / serving_gap)
        if t >= 18 * HOUR:
            break
        queries.append(Query(round(t, 1), round(rng.uniform(0.3, 3.0), 1), "SERVING_WH", "dashboard"))
    return sorted(queries, key=lambda q: q.start)
