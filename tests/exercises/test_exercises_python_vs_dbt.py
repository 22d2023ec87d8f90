"""The notebook 11 graders accept the reference answers and reject broken ones."""

from __future__ import annotations

import statistics

import pytest

from exercises import python_vs_dbt as ex
from exercises.grading import Mismatch, failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world()


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
    compiled = ex.compile_refs("select 1 from {{ ref('dim_clients') }}")
    assert compiled == "select 1 from ANALYTICS.MARTS.DIM_CLIENTS"
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


# -- correct alternatives and the plausible wrong answers -------------------------------------------------


def equal_null_iff():
    """Idiomatic Snowflake: EQUAL_NULL is a NULL-safe equality, IFF a two-way CASE."""
    return ("select APPOINTMENT_ID, STATUS, IS_NO_SHOW from {{ ref('fct_appointments') }} "
            "where not equal_null(IS_NO_SHOW, iff(STATUS = 'no_show', 1, 0))")


def explicit_cases():
    """Each way to be wrong spelled out, NULL first."""
    return """
        select APPOINTMENT_ID
        from {{ ref('fct_appointments') }}
        where IS_NO_SHOW is null
           or (STATUS = 'no_show' and IS_NO_SHOW <> 1)
           or (STATUS <> 'no_show' and IS_NO_SHOW <> 0)
    """


def coalesce_sentinel():
    """COALESCE to a value the flag can never hold, then a plain comparison."""
    return ("select a.APPOINTMENT_ID from {{ ref('fct_appointments') }} as a "
            "where coalesce(a.IS_NO_SHOW, -1) != iff(a.STATUS = 'no_show', 1, 0)")


def flag_only_nulls():
    """Checks NOT NULL only: a wrong flag passes."""
    return "select APPOINTMENT_ID from {{ ref('fct_appointments') }} where IS_NO_SHOW is null"


@pytest.mark.parametrize("fn", [equal_null_iff, explicit_cases, coalesce_sentinel])
def test_no_show_flag_test_accepts_correct_alternatives(fn):
    g = ex.grade_no_show_flag_test(fn, show=False)
    assert g.passed, g.lines


def test_no_show_flag_test_rejects_a_not_null_only_test():
    g = ex.grade_no_show_flag_test(flag_only_nulls, show=False)
    assert failed_exactly(g, "catches: no_show flagged 0", "catches: completed flagged 1",
                          "catches: cancelled flagged 1", "returns exactly")


def volume_by_hand(history, today, *, max_z=3.0, min_history=7):
    """No statistics module: mean and sample variance by hand."""
    days = [n for n in history if n]
    if len(days) < min_history:
        return None
    mean = sum(days) / len(days)
    sd = (sum((n - mean) ** 2 for n in days) / (len(days) - 1)) ** 0.5
    return today != mean if sd == 0 else abs(today - mean) > max_z * sd


def volume_numpy(history, today, *, max_z=3.0, min_history=7):
    import numpy as np

    days = np.array([n for n in history if n > 0], dtype=float)
    if days.size < min_history:
        return None
    mean, sd = days.mean(), days.std(ddof=1)
    return bool(today != mean) if sd == 0 else bool(abs(today - mean) / sd > max_z)


def volume_low_side_only(history, today, *, max_z=3.0, min_history=7):
    """Only a drop is an anomaly: a doubled day (a re-delivered file) passes."""
    days = [n for n in history if n > 0]
    if len(days) < min_history:
        return None
    mean, sd = statistics.fmean(days), statistics.stdev(days)
    return today != mean if sd == 0 else (mean - today) / sd > max_z


def volume_fixed_threshold(history, today, *, max_z=3.0, min_history=7):
    """max_z ignored: the threshold is always 3."""
    return ex.volume_anomaly(history, today, max_z=3.0, min_history=min_history)


@pytest.mark.parametrize("fn", [volume_by_hand, volume_numpy])
def test_volume_anomaly_accepts_correct_alternatives(fn):
    g = ex.grade_volume_anomaly(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (volume_low_side_only, ["a doubled day"]),
    (volume_fixed_threshold, ["max_z is honoured"]),
])
def test_volume_anomaly_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_volume_anomaly(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
