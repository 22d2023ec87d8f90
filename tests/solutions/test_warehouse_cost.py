"""The cost model against hand-computed bills: the 60 s minimum per resume, idle time before suspending,
overlapping queries billed once, sizes doubling, cloud services above 10%, and clear errors for bad input."""

from __future__ import annotations

import math

import pytest

from exercises.query_profile import pipeline_day
from solutions.warehouse_cost import (Query, billed_cloud_services, credits_by_tag, credits_per_hour,
                                      daily_credits, runtime, sessions, warehouse_credits)


def seconds(credits: float, size: str = "XSMALL") -> float:
    return round(credits * 3600 / credits_per_hour(size), 6)


def test_sizes_double_from_one_credit_an_hour():
    assert [credits_per_hour(s) for s in ("XSMALL", "SMALL", "MEDIUM", "LARGE", "xlarge")] == [1, 2, 4, 8, 16]
    assert credits_per_hour("X6LARGE") == 512


def test_a_short_query_bills_the_60_second_minimum():
    assert seconds(warehouse_credits([Query(0, 10)], "XSMALL", 0)) == 60


def test_idle_seconds_before_suspend_are_billed():
    assert seconds(warehouse_credits([Query(0, 10)], "XSMALL", 300)) == 310


def test_each_resume_bills_its_own_minimum():
    day = [Query(0, 10), Query(100, 10)]
    assert [(s.start, s.end) for s in sessions(day, "XSMALL", 60)] == [(0, 70), (100, 170)]
    assert seconds(warehouse_credits(day, "XSMALL", 30)) == 120       # 40 s and 40 s, each billed 60 s
    assert seconds(warehouse_credits(day, "XSMALL", 90)) == 200       # the gap is covered: 0-200 s


def test_overlapping_queries_are_billed_once():
    assert seconds(warehouse_credits([Query(0, 100), Query(50, 100)], "XSMALL", 60)) == 210


def test_never_suspending_runs_to_midnight():
    assert seconds(warehouse_credits([Query(23 * 3600, 10)], "XSMALL", None)) == 3600


def test_speedup_is_the_stated_assumption():
    q = Query(0, 400)
    assert runtime(q, "MEDIUM", 1.0) == 100 and runtime(q, "MEDIUM", 0.0) == 400
    assert math.isclose(warehouse_credits([q], "MEDIUM", 0, 1.0), warehouse_credits([q], "XSMALL", 0, 1.0))


def test_daily_credits_prices_each_warehouse_with_its_settings():
    day = pipeline_day()
    priced = daily_credits(day, {"TRANSFORM_WH": ("SMALL", 60), "SERVING_WH": ("XSMALL", 60)})
    serving = [q for q in day if q.warehouse == "SERVING_WH"]
    assert priced["SERVING_WH"] == warehouse_credits(serving, "XSMALL", 60)
    with pytest.raises(ValueError, match="SERVING_WH"):
        daily_credits(day, {"TRANSFORM_WH": ("SMALL", 60)})


def test_cloud_services_are_billed_above_ten_percent_only():
    assert billed_cloud_services(100, 9) == 0
    assert math.isclose(billed_cloud_services(100, 19), 9)


def test_attribution_by_tag_leaves_idle_time_out():
    tags = credits_by_tag([Query(0, 36, tag="a"), Query(100, 72, tag="b")])
    assert tags == {"a": 0.01, "b": 0.02}


def test_the_seeded_day_is_the_same_every_time():
    assert pipeline_day() == pipeline_day()
    assert pipeline_day(seed=1) != pipeline_day()


@pytest.mark.parametrize("call, message", [
    (lambda: credits_per_hour("HUGE"), "unknown warehouse size 'HUGE'"),
    (lambda: warehouse_credits([Query(0, 1)], "XSMALL", -1), "auto_suspend must be >= 0"),
    (lambda: warehouse_credits([Query(90_000, 1)]), "query 0: start must be within the day"),
    (lambda: warehouse_credits([(0, 1)]), "query 0: expected a Query"),
    (lambda: runtime(Query(0, 1), "SMALL", 2.0), "speedup must be between 0 and 1"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
