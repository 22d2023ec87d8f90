"""The notebook 13 graders accept the reference answers and reject broken ones, the syllabus's query among
them.

The syllabus has code for the pre-aggregate only; the serving and latency exercises are graded against the
mistakes people make there (an f-string tenant filter, a mean instead of a percentile, ...).
"""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest

import sim
from solutions.exercises import customer_facing as ex
from solutions.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("ex_customer_facing"), start_date=dt.date(2024, 10, 1),
                      days=365, appointments=20000)
    yield world
    sim.stop()


def not_attempted(*args):
    raise NotImplementedError


GRADERS = [(ex.grade_no_show_rows, ex.no_show_rows), (ex.grade_my_rates, ex.my_rates),
           (ex.grade_latency_alert, ex.latency_alert)]


@pytest.mark.parametrize("grader", [g for g, _ in GRADERS])
def test_not_attempted_is_reported_calmly(grader):
    g = grader(not_attempted, show=False)
    assert g.status == "not attempted" and "Not attempted yet" in g.lines[0]


@pytest.mark.parametrize("grader, fn", GRADERS)
def test_the_reference_answers_pass(grader, fn):
    g = grader(fn, show=False)
    assert g.passed, g.lines


# -- no_show_rows --------------------------------------------------------------------------------------------


def rows_syllabus(cursor, as_of):
    """The syllabus's query as written: the wall clock picks the window, whatever as_of says."""
    cursor.execute("""
    SELECT 
        clinician_id,
        date_trunc('month', appointment_date) as month,
        count(*) as total_appointments,
        sum(is_no_show) as no_shows,
        (sum(is_no_show) / count(*)) * 100 as no_show_rate
    FROM marts.fct_appointments
    WHERE appointment_date >= dateadd('month', -12, current_date())
    GROUP BY 1, 2
    """)
    return cursor.fetchall()


def rows_select(month, rate, where):
    def fn(cursor, as_of):
        index = as_of.year * 12 + as_of.month - 1 - 11  # the first of the month 11 months before as_of's
        start = dt.date(index // 12, index % 12 + 1, 1)
        cursor.execute(f"SELECT CLINICIAN_ID, {month}, COUNT(*), COUNT_IF(IS_NO_SHOW = 1), {rate} "
                       f"FROM FCT_APPOINTMENTS WHERE {where} GROUP BY 1, 2", {"start": start, "as_of": as_of})
        return cursor.fetchall()
    return fn


GOOD_MONTH = "DATE_TRUNC('month', APPOINTMENT_DATE)::DATE"
GOOD_RATE = "(ROUND(COUNT_IF(IS_NO_SHOW = 1) * 10000 / COUNT(*)) / 100)::NUMBER(5, 2)"
GOOD_WHERE = "APPOINTMENT_DATE BETWEEN %(start)s AND %(as_of)s"
STAMP_MONTH = "DATE_TRUNC('month', APPOINTMENT_DATE)"
FLOAT_RATE = "ROUND(100 * COUNT_IF(IS_NO_SHOW = 1) / COUNT(*), 2)"
ALL_THREE = ["as of 2025-09-30", "as of 2025-06-15", "as of 2025-10-15"]


def test_the_helper_builds_a_passing_answer():
    assert ex.grade_no_show_rows(rows_select(GOOD_MONTH, GOOD_RATE, GOOD_WHERE), show=False).passed


@pytest.mark.parametrize("fn, checks", [
    (rows_syllabus, ALL_THREE),
    (rows_select(STAMP_MONTH, GOOD_RATE, GOOD_WHERE), ALL_THREE),
    (rows_select(GOOD_MONTH, FLOAT_RATE, GOOD_WHERE), ALL_THREE),
    (rows_select(GOOD_MONTH, GOOD_RATE, "APPOINTMENT_DATE >= %(start)s"), ["as of 2025-06-15"]),
    (rows_select(GOOD_MONTH, GOOD_RATE, "APPOINTMENT_DATE > DATEADD('month', -12, %(as_of)s::DATE) "
                                        "AND APPOINTMENT_DATE <= %(as_of)s"), ["as of 2025-10-15"]),
])
def test_no_show_rows_rejects_broken_versions(fn, checks):
    g = ex.grade_no_show_rows(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_the_messages_say_what_is_wrong():
    syllabus = ex.grade_no_show_rows(rows_syllabus, show=False)
    assert "got no rows; expected 1596 rows, months 2024-10..2025-09" in syllabus.lines[0]
    stamps = ex.grade_no_show_rows(rows_select(STAMP_MONTH, GOOD_RATE, GOOD_WHERE), show=False)
    assert "MONTH is datetime" in stamps.lines[0]
    floats = ex.grade_no_show_rows(rows_select(GOOD_MONTH, FLOAT_RATE, GOOD_WHERE), show=False)
    assert "NO_SHOW_RATE is float" in floats.lines[0]


# -- my_rates ------------------------------------------------------------------------------------------------


TABLE = "ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE"


def rates_fstring(cursor, session, months):
    cursor.execute(f"SELECT * FROM {TABLE} WHERE CLINICIAN_ID = {session.clinician_id} "
                   f"ORDER BY MONTH DESC LIMIT {months}")
    return cursor.fetchall()[::-1]


def rates_unfiltered(cursor, session, months):
    cursor.execute(f"SELECT * FROM {TABLE} ORDER BY MONTH DESC LIMIT %s", (months,))
    return cursor.fetchall()[::-1]


def rates_every_month(cursor, session, months):
    cursor.execute(f"SELECT * FROM {TABLE} WHERE CLINICIAN_ID = %s ORDER BY MONTH", (session.clinician_id,))
    return cursor.fetchall()


def rates_newest_first(cursor, session, months):
    cursor.execute(f"SELECT * FROM {TABLE} WHERE CLINICIAN_ID = %s ORDER BY MONTH DESC LIMIT %s",
                   (session.clinician_id, months))
    return cursor.fetchall()


@pytest.mark.parametrize("fn, checks", [
    (rates_fstring, ["a forged id"]),
    (rates_unfiltered, ["clinician 5001", "months=3", "all 133 clinicians", "a forged id"]),
    (rates_every_month, ["months=3"]),
    (rates_newest_first, ["clinician 5001", "months=3", "all 133 clinicians"]),
])
def test_my_rates_rejects_broken_versions(fn, checks):
    g = ex.grade_my_rates(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_the_forged_id_message_counts_what_leaked():
    g = ex.grade_my_rates(rates_fstring, show=False)
    assert "the forged id was accepted: 12 rows of 12 clinician(s) came back" in g.lines[-1]


# -- latency_alert -------------------------------------------------------------------------------------------


def alert_on_mean(durations, threshold, post):
    if durations and statistics.mean(durations) > threshold:
        post(f"p95? mean {statistics.mean(durations):.2f}")
        return True
    return False


def alert_on_max(durations, threshold, post):
    if durations and max(durations) > threshold:
        post(f"p95 {max(durations):.2f}")
        return True
    return False


def alert_at_threshold(durations, threshold, post):
    if durations and sorted(durations)[math.ceil(0.95 * len(durations)) - 1] >= threshold:
        post("p95 at or over")
        return True
    return False


def alert_no_guard(durations, threshold, post):
    high = sorted(durations)[math.ceil(0.95 * len(durations)) - 1]
    if high > threshold:
        post(f"p95 {high:.2f}")
        return True
    return False


@pytest.mark.parametrize("fn, checks", [
    (alert_on_mean, ["10 slow queries"]),
    (alert_on_max, ["3 slow queries"]),
    (alert_at_threshold, ["p95 exactly at the SLO"]),
    (alert_no_guard, ["no queries measured"]),
])
def test_latency_alert_rejects_broken_versions(fn, checks):
    g = ex.grade_latency_alert(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
