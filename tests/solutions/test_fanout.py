"""solutions/fanout.py: the per-day logic of the mapped DAG partner_week_check, on the sim's partner API and
warehouse; the DAG itself runs in notebook 19."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from solutions import fanout
from solutions.pipeline import DataProblem


def test_days_to_check_are_the_whole_days_before_the_run_oldest_first():
    run = dt.datetime(2025, 10, 1, 4, tzinfo=dt.timezone.utc)
    assert fanout.days_to_check(run, 3) == ["2025-09-28", "2025-09-29", "2025-09-30"]
    assert fanout.days_to_check(dt.date(2025, 10, 1)) == [f"2025-09-{d}" for d in range(24, 31)]
    with pytest.raises(ValueError, match="days must be at least 1"):
        fanout.days_to_check(run, 0)


def test_compare_passes_equal_counts_and_names_both_when_they_differ():
    assert fanout.compare("2025-09-27", 59, 59) == {"day": "2025-09-27", "appointments": 59}
    with pytest.raises(DataProblem, match="2025-09-27: partner served 57 appointments, the mart holds 59"):
        fanout.compare("2025-09-27", 57, 59)


def test_week_report_totals_and_names_every_missing_day():
    days = ["2025-09-28", "2025-09-29", "2025-09-30"]
    results = [{"day": "2025-09-30", "appointments": 3}, {"day": "2025-09-28", "appointments": 2}]
    assert fanout.week_report(days[::2], results) == {"days": 2, "appointments": 5}
    with pytest.raises(DataProblem, match="1 of 3 days did not pass: 2025-09-29$"):
        fanout.week_report(days, results)


def test_partner_and_mart_agree_on_the_sim_until_the_feed_is_damaged(world):
    import snowflake.connector

    day = "2025-09-27"
    password = os.environ["AIRFLOW_VAR_SNOWFLAKE_PASSWORD"]  # the sim's random one, as a deployment reads it
    connect = lambda: snowflake.connector.connect(account="sim", user="u", password=password)  # noqa: E731
    token = os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
    mart = fanout.mart_count(day, connect)
    served = fanout.partner_count(day, token=token)
    assert mart > 0 and served == {"day": day, "partner": mart, "pages": 1}
    world.damage_partner_feed(day, missing_records=2)
    assert fanout.partner_count(day, token=token)["partner"] == mart - 2
