"""The notebook 20 graders accept the reference answers and correct alternatives, and reject plausible wrong
answers for the reason they are wrong. The schedule grader runs the scheduler's own evaluator."""

from __future__ import annotations

import pytest
from airflow.sdk import Asset, AssetAll, AssetAny

from exercises import assets as ex
from exercises.grading import failed_exactly

FCT, DIM, FIX = ex.FCT, ex.dim_clients(), ex.metrics_correction()


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_refresh_schedule, ex.grade_days_to_process])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- refresh_schedule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule", [
    lambda: FCT & DIM | FIX,  # & binds tighter than |
    lambda: FIX | (DIM & FCT),
    lambda: AssetAny(AssetAll(FCT, DIM), FIX),
])
def test_refresh_schedule_accepts_equivalent_expressions(schedule):
    graded = ex.grade_refresh_schedule(schedule, show=False)
    assert graded.passed, graded.lines


@pytest.mark.parametrize("schedule, checks", [
    (lambda: FCT & (DIM | FIX), ["a correction alone", "a correction with", "every combination"]),
    (lambda: [FCT, DIM, FIX], ["fct_appointments and dim_clients", "a correction alone", "a correction with",
                               "every combination"]),
    (lambda: FCT | DIM | FIX, ["only fct_appointments", "only dim_clients", "every combination"]),
    (lambda: FCT & DIM, ["a correction alone", "a correction with", "every combination"]),
    (lambda: Asset("fct_appointments") & Asset("dim_clients") | Asset("metrics_correction"),
     ["fct_appointments and dim_clients", "a correction alone", "a correction with", "every combination"]),
])
def test_refresh_schedule_rejects_wrong_conditions(schedule, checks):
    graded = ex.grade_refresh_schedule(schedule, show=False)
    assert failed_exactly(graded, *checks), graded.lines


def test_refresh_schedule_names_the_case_it_gets_wrong():
    text = str(ex.grade_refresh_schedule(lambda: [FCT, DIM, FIX], show=False))
    assert "after metrics_correction: does not start, it should start" in text


# -- days_to_process -----------------------------------------------------------------------------------------


def with_a_loop(events):
    days = []
    for event in events:
        day = event.extra.get("day")
        if day and day not in days:
            days.append(day)
    if not days:
        raise ValueError("no day in the events")
    return sorted(days)


def with_a_generator(events):
    days = sorted(set(filter(None, (e.extra.get("day") for e in events))))
    if days:
        return days
    raise ValueError("triggering events carry no day")


def newest_only(events):
    return [events[-1].extra["day"]]


def not_deduplicated(events):
    days = sorted(e.extra["day"] for e in events if "day" in e.extra)
    if not days:
        raise ValueError("no day")
    return days


def arrival_order(events):
    days = list(dict.fromkeys(e.extra["day"] for e in events if "day" in e.extra))
    if not days:
        raise ValueError("no day")
    return days


def empty_is_fine(events):
    return sorted({e.extra["day"] for e in events if "day" in e.extra})


def test_days_to_process_accepts_the_reference_and_alternatives():
    for fn in (ex.days_to_process, with_a_loop, with_a_generator):
        graded = ex.grade_days_to_process(fn, show=False)
        assert graded.passed, (fn.__name__, graded.lines)


@pytest.mark.parametrize("fn, checks", [
    (newest_only, ["three events", "events in any order", "no event says"]),
    (not_deduplicated, ["the same day produced twice"]),
    (arrival_order, ["events in any order"]),
    (empty_is_fine, ["no event says"]),
])
def test_days_to_process_rejects_broken_versions(fn, checks):
    graded = ex.grade_days_to_process(fn, show=False)
    assert failed_exactly(graded, *checks), graded.lines
