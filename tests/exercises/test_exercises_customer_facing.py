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

from exercises import customer_facing as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world(start_date=dt.date(2024, 10, 1), days=365, appointments=20000)


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
    (rates_fstring, ["a forged id", "the clinician id is a bound parameter"]),
    (rates_unfiltered, ["clinician 5001", "months=3", "all 133 clinicians", "a forged id"]),
    (rates_every_month, ["months=3"]),
    (rates_newest_first, ["clinician 5001", "months=3", "all 133 clinicians"]),
])
def test_my_rates_rejects_broken_versions(fn, checks):
    g = ex.grade_my_rates(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_the_forged_id_message_counts_what_leaked():
    g = ex.grade_my_rates(rates_fstring, show=False)
    assert "the forged id was accepted: 12 rows of 12 clinician(s) came back" in "\n".join(g.lines)


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


# -- correct alternatives and the plausible wrong answers -------------------------------------------------


def rows_window_in_sql(cursor, as_of):
    """The window computed in SQL from one bound as_of; the rate rounded half up by Snowflake's ROUND."""
    cursor.execute("""
        SELECT CLINICIAN_ID, DATE_TRUNC('month', APPOINTMENT_DATE)::DATE AS MONTH, COUNT(*),
               COUNT_IF(IS_NO_SHOW = 1),
               ROUND(COUNT_IF(IS_NO_SHOW = 1) * 100 / COUNT(*)::NUMBER(38, 4), 2)::NUMBER(5, 2)
        FROM ANALYTICS.MARTS.FCT_APPOINTMENTS
        WHERE APPOINTMENT_DATE BETWEEN DATEADD('month', -11, DATE_TRUNC('month', %(as_of)s::DATE))
                                   AND %(as_of)s
        GROUP BY 1, 2""", {"as_of": as_of})
    return cursor.fetchall()


def rows_rate_in_python(cursor, as_of):
    """Counts from SQL, the rate computed with Decimal half-up rounding in Python."""
    from decimal import ROUND_HALF_UP, Decimal

    from solutions.customer_metrics import window

    start, end = window(as_of, 12)
    cursor.execute("SELECT CLINICIAN_ID, DATE_TRUNC('month', APPOINTMENT_DATE)::DATE, COUNT(*), "
                   "COUNT_IF(IS_NO_SHOW = 1) FROM FCT_APPOINTMENTS WHERE APPOINTMENT_DATE >= %s "
                   "AND APPOINTMENT_DATE <= %s GROUP BY 1, 2", (start, end))
    return [(c, m, t, n, (Decimal(int(n)) * 100 / Decimal(int(t))).quantize(Decimal("0.01"), ROUND_HALF_UP))
            for c, m, t, n in cursor.fetchall()]


def rows_dates_pasted(cursor, as_of):
    from solutions.customer_metrics import window

    start, end = window(as_of, 12)
    pasted = f"APPOINTMENT_DATE BETWEEN '{start}' AND '{end}'"
    return rows_select(GOOD_MONTH, GOOD_RATE, pasted)(cursor, as_of)


@pytest.mark.parametrize("fn", [rows_window_in_sql, rows_rate_in_python])
def test_no_show_rows_accepts_correct_alternatives(fn):
    g = ex.grade_no_show_rows(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (rows_dates_pasted, ["the dates are bound parameters"]),
])
def test_no_show_rows_rejects_pasted_dates(fn, checks):
    g = ex.grade_no_show_rows(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def rates_named_params(cursor, session, months):
    """Named parameters, the newest months picked in a subquery, then ordered oldest first."""
    if not isinstance(session.clinician_id, int) or isinstance(session.clinician_id, bool):
        raise ValueError("bad id")
    cursor.execute(f"SELECT * FROM (SELECT CLINICIAN_ID, MONTH, TOTAL_APPOINTMENTS, NO_SHOWS, NO_SHOW_RATE "
                   f"FROM {TABLE} WHERE CLINICIAN_ID = %(id)s ORDER BY MONTH DESC LIMIT %(n)s) "
                   "ORDER BY MONTH",
                   {"id": session.clinician_id, "n": int(months)})
    return cursor.fetchall()


def rates_qualify(cursor, session, months):
    """Snowflake's QUALIFY with ROW_NUMBER: the latest months kept, sorted ascending."""
    cursor.execute(f"SELECT CLINICIAN_ID, MONTH, TOTAL_APPOINTMENTS, NO_SHOWS, NO_SHOW_RATE FROM {TABLE} "
                   "WHERE CLINICIAN_ID = %s QUALIFY ROW_NUMBER() OVER (ORDER BY MONTH DESC) <= %s "
                   "ORDER BY MONTH",
                   (int(session.clinician_id), int(months)))
    return cursor.fetchall()


def rates_int_pasted(cursor, session, months):
    """int() stops the injection, but the id is still pasted into SQL text."""
    cursor.execute(f"SELECT * FROM {TABLE} WHERE CLINICIAN_ID = {int(session.clinician_id)} "
                   "ORDER BY MONTH DESC LIMIT %s", (int(months),))
    return cursor.fetchall()[::-1]


@pytest.mark.parametrize("fn", [rates_named_params, rates_qualify])
def test_my_rates_accepts_correct_alternatives(fn):
    g = ex.grade_my_rates(fn, show=False)
    assert g.passed, g.lines


def test_my_rates_rejects_an_id_pasted_after_int():
    g = ex.grade_my_rates(rates_int_pasted, show=False)
    assert failed_exactly(g, "the clinician id is a bound parameter"), g.lines


def alert_numpy_percentile(durations, threshold, post):
    import numpy as np

    if not durations:
        return False
    p95 = float(np.percentile(durations, 95))
    if p95 > threshold:
        post(f"p95 latency {p95:.2f} s > {threshold} s")
        return True
    return False


def alert_statistics_quantiles(durations, threshold, post):
    if len(durations) < 2:
        return False
    p95 = statistics.quantiles(durations, n=20)[-1]
    if p95 <= threshold:
        return False
    post(f"p95 of {len(durations)} dashboard queries is {p95:.2f} s (SLO {threshold} s)")
    return True


@pytest.mark.parametrize("fn", [alert_numpy_percentile, alert_statistics_quantiles])
def test_latency_alert_accepts_correct_alternatives(fn):
    g = ex.grade_latency_alert(fn, show=False)
    assert g.passed, g.lines
