"""The notebook 11 graders accept the reference answers and reject broken ones."""

from __future__ import annotations

import statistics

import pytest

import sim
from solutions.exercises import python_vs_dbt as ex
from solutions.grading import Mismatch, failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("ex_python_vs_dbt"))
    yield world
    sim.stop()


def not_attempted(*args, **kwargs):
    raise NotImplementedError


def tables(world):
    return world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.INFORMATION_SCHEMA.TABLES")[0][0]


@pytest.mark.parametrize("grader", [ex.grade_no_show_flag_test, ex.grade_volume_anomaly])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


def test_the_reference_answers_pass(world):
    before = tables(world)
    for grader, fn in [(ex.grade_no_show_flag_test, ex.no_show_flag_test),
                       (ex.grade_volume_anomaly, ex.volume_anomaly)]:
        g = grader(fn, show=False)
        assert g.passed, g.lines
    assert tables(world) == before  # the scratch copy is gone


# -- the dbt singular test -----------------------------------------------------------------------------------


def one_direction():
    """Only no-shows without the flag: a completed appointment flagged as a no-show slips through."""
    return "select APPOINTMENT_ID from {{ ref('fct_appointments') }} where STATUS = 'no_show' and IS_NO_SHOW <> 1"


def null_blind():
    """``<>`` with NULL is NULL, and WHERE drops the row: a NULL flag passes."""
    return ("select APPOINTMENT_ID from {{ ref('fct_appointments') }} "
            "where IS_NO_SHOW <> case when STATUS = 'no_show' then 1 else 0 end")


def hard_coded_table():
    return ("select APPOINTMENT_ID from ANALYTICS.MARTS.FCT_APPOINTMENTS "
            "where IS_NO_SHOW is distinct from (case when STATUS = 'no_show' then 1 else 0 end)")


def a_count():
    """dbt counts the rows a test returns: one row holding a count of 0 is a failure, not a pass."""
    return ("select count(*) as N from {{ ref('fct_appointments') }} "
            "where IS_NO_SHOW is distinct from (case when STATUS = 'no_show' then 1 else 0 end)")


def test_one_direction_only_misses_wrong_flags():
    g = ex.grade_no_show_flag_test(one_direction, show=False)
    assert failed_exactly(g, "catches: completed flagged 1", "catches: cancelled flagged 1", "catches: flag is NULL",
                  "returns exactly")


def test_null_blind_comparison_misses_the_null_flag():
    assert failed_exactly(ex.grade_no_show_flag_test(null_blind, show=False), "catches: flag is NULL", "returns exactly")


@pytest.mark.parametrize("fn", [hard_coded_table, a_count])
def test_a_table_name_or_a_count_fails_every_check(fn):
    g = ex.grade_no_show_flag_test(fn, show=False)
    assert g.status == "failed" and all(line.startswith("  ✗") for line in g.lines)


def test_compile_refs():
    assert ex.compile_refs("select 1 from {{ ref('dim_clients') }}") == 'select 1 from "ANALYTICS"."MARTS"."DIM_CLIENTS"'
    with pytest.raises(Mismatch, match="no such model"):
        ex.compile_refs("select 1 from {{ ref('fct_nope') }}")
    with pytest.raises(Mismatch, match="not from a table name"):
        ex.compile_refs("select 1 from ANALYTICS.MARTS.DIM_CLIENTS")
    with pytest.raises(Mismatch, match="other Jinja"):
        ex.compile_refs("select 1 from {{ ref('dim_clients') }} where x = '{{ var(\"day\") }}'")


# -- the volume anomaly --------------------------------------------------------------------------------------


def with_zeros(history, today, *, max_z=3.0, min_history=7):
    """Counts empty days as normal volume."""
    if len(history) < min_history:
        return None
    mean, sd = statistics.fmean(history), statistics.stdev(history)
    return today != mean if sd == 0 else abs(today - mean) / sd > max_z


def naive(history, today, *, max_z=3.0, min_history=7):
    """Always judges, and divides by a zero standard deviation."""
    mean, sd = statistics.fmean(history), statistics.stdev(history)
    return abs(today - mean) / sd > max_z


def test_counting_empty_days_fails_the_baseline_checks():
    g = ex.grade_volume_anomaly(with_zeros, show=False)
    assert failed_exactly(g, "empty days are left out", "empty days do not count")


def test_naive_z_score_fails_on_little_or_flat_history():
    g = ex.grade_volume_anomaly(naive, show=False)
    assert failed_exactly(g, "too little history", "empty days are left out", "empty days do not count",
                  "a flat history: the same", "a flat history: any other")
