"""The notebook 03 graders accept the reference answers and reject broken ones, the syllabus's own among them."""

from __future__ import annotations

import datetime as dt

import pytest

from exercises import context as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world(defects={"null_client_id": 0.05})


def not_attempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_day_for_run, ex.grade_count_appointments])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- day_for_run ---------------------------------------------------------------------------------------------


def day_syllabus(**context):
    """The syllabus: ``execution_date = context['ds']``, the run's own date on Airflow 3's cron timetable."""
    return context['ds']


def day_execution_date(**context):
    return (context["execution_date"] - dt.timedelta(days=1)).strftime("%Y-%m-%d")


def day_data_interval(data_interval_start=None):
    """Airflow 2 habit: the interval's start was yesterday; on a cron trigger timetable it is the run itself."""
    return data_interval_start.strftime("%Y-%m-%d")


def day_as_date(logical_date=None):
    return logical_date.date() - dt.timedelta(days=1)  # a date object, not the 'YYYY-MM-DD' text asked for


def day_via_context(**context):
    return (context["logical_date"] - dt.timedelta(days=1)).strftime("%Y-%m-%d")


def test_day_for_run_accepts_the_reference():
    g = ex.grade_day_for_run(ex.day_for_run, show=False)
    assert g.passed, g.lines


def test_day_for_run_accepts_the_context_dict_style():
    assert ex.grade_day_for_run(day_via_context, show=False).passed


@pytest.mark.parametrize("fn, checks", [
    (day_syllabus, ["the 02:00 run on 2025-09-01", "the 02:00 run on 2025-10-01"]),
    (day_execution_date, ["runs as a PythonOperator", "the 02:00 run on 2025-09-01", "the 02:00 run on 2025-10-01"]),
    (day_data_interval, ["the 02:00 run on 2025-09-01", "the 02:00 run on 2025-10-01"]),
    (day_as_date, ["the 02:00 run on 2025-09-01", "the 02:00 run on 2025-10-01"]),
    (lambda **context: "2025-08-31", ["the 02:00 run on 2025-10-01"]),
])
def test_day_for_run_rejects_broken_versions(fn, checks):
    g = ex.grade_day_for_run(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_execution_date_is_reported_as_airflows_key_error():
    g = ex.grade_day_for_run(day_execution_date, show=False)
    assert "the task failed: KeyError: 'execution_date'" in "\n".join(g.lines)


# -- count_appointments --------------------------------------------------------------------------------------


def count_syllabus(day, connect):
    """The syllabus's way: f-strings, two scans, close() only at the end."""
    conn = connect()
    cursor = conn.cursor()
    cursor.execute(f"SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = '{day}'")
    row_count = cursor.fetchone()[0]
    cursor.execute(f"""SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = '{day}'
                       AND (client_id IS NULL OR clinician_id IS NULL)""")
    null_count = cursor.fetchone()[0]
    cursor.close()
    conn.close()
    return row_count, null_count


def count_never_closes(day, connect):
    cursor = connect().cursor()
    cursor.execute("SELECT COUNT(*), COUNT(CASE WHEN client_id IS NULL OR clinician_id IS NULL THEN 1 END) "
                   "FROM fct_appointments WHERE appointment_date = %s", (day,))
    return tuple(cursor.fetchone())


def count_swallows_errors(day, connect):
    conn = connect()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT COUNT(*), COUNT(CASE WHEN client_id IS NULL OR clinician_id IS NULL THEN 1 END) "
                       "FROM fct_appointments WHERE appointment_date = %s", (day,))
        return tuple(cursor.fetchone())
    except Exception:
        return 0, 0  # a failed query looks like an empty day: the validation would then fail for the wrong reason
    finally:
        conn.close()


def count_only_client(day, connect):
    with connect() as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT COUNT(*), COUNT(CASE WHEN client_id IS NULL THEN 1 END) "
                       "FROM fct_appointments WHERE appointment_date = %s", (day,))
        rows, nulls = cursor.fetchone()
    return rows, nulls + 1  # off by one, so the grader must notice


def test_count_appointments_accepts_the_reference():
    g = ex.grade_count_appointments(ex.count_appointments, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (count_syllabus, ["the day is a bound parameter", "the connection is closed when the query fails",
                      "a quote in the day"]),
    (count_never_closes, ["the connection is closed after success", "the connection is closed when the query fails"]),
    (count_swallows_errors, ["the connection is closed when the query fails"]),
    (count_only_client, ["2025-09-30", "2025-10-01"]),
])
def test_count_appointments_rejects_broken_versions(fn, checks):
    g = ex.grade_count_appointments(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- day_for_run: correct alternatives -----------------------------------------------------------------------


def day_from_ds(ds, macros):
    """Airflow's own macro: ds_add(ds, -1)."""
    return macros.ds_add(ds, -1)


def day_from_ds_parsed(ds=None, **_):
    return (dt.date.fromisoformat(ds) - dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("fn", [day_from_ds, day_from_ds_parsed])
def test_day_for_run_accepts_correct_alternatives(fn):
    g = ex.grade_day_for_run(fn, show=False)
    assert g.passed, g.lines


# -- count_appointments: correct alternatives and the plausible wrong answers -----------------------------

BOTH = "client_id IS NULL OR clinician_id IS NULL"


def _count(sql, day, connect, params=None):
    from contextlib import closing

    with closing(connect()) as conn:
        cursor = conn.cursor()
        cursor.execute(sql, (day,) if params is None else params)
        return tuple(cursor.fetchone())


def count_with_count_if(day, connect):
    """Snowflake's COUNT_IF, coalesced: Snowflake documents it as NULL when no row satisfies the condition."""
    return _count(f"SELECT COUNT(*), COALESCE(COUNT_IF({BOTH}), 0) FROM fct_appointments "
                  "WHERE appointment_date = %s", day, connect)


def count_two_bound_queries(day, connect):
    conn = connect()
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %(day)s", {"day": day})
        (rows,) = cursor.fetchone()
        cursor.execute(f"SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %(day)s AND ({BOTH})",
                       {"day": day})
        (nulls,) = cursor.fetchone()
    finally:
        conn.close()
    return rows, nulls


def count_sum_iff_coalesced(day, connect):
    return _count(f"SELECT COUNT(*), COALESCE(SUM(IFF({BOTH}, 1, 0)), 0) FROM fct_appointments "
                  "WHERE appointment_date = %s", day, connect)


def count_nulls_always_zero(day, connect):
    return _count("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %s", day, connect)[0], 0


def count_equals_null(day, connect):
    return _count("SELECT COUNT(*), COUNT(CASE WHEN client_id = NULL OR clinician_id = NULL THEN 1 END) "
                  "FROM fct_appointments WHERE appointment_date = %s", day, connect)


def count_difference_of_counts(day, connect):
    return _count("SELECT COUNT(*), COUNT(*) - COUNT(client_id) FROM fct_appointments "
                  "WHERE appointment_date = %s", day, connect)


def count_sum_iff_uncoalesced(day, connect):
    return _count(f"SELECT COUNT(*), SUM(IFF({BOTH}, 1, 0)) FROM fct_appointments "
                  "WHERE appointment_date = %s",
                  day, connect)


@pytest.mark.parametrize("fn", [count_with_count_if, count_two_bound_queries, count_sum_iff_coalesced])
def test_count_appointments_accepts_correct_alternatives(fn):
    g = ex.grade_count_appointments(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (count_nulls_always_zero, ["2025-09-30", "2025-10-02"]),  # the test world has NULL client ids on 09-30
    (count_equals_null, ["2025-09-30", "2025-10-02"]),
    (count_difference_of_counts, ["2025-10-02"]),
    (count_sum_iff_uncoalesced, ["2025-10-01"]),
])
def test_count_appointments_rejects_wrong_null_counts(fn, checks):
    g = ex.grade_count_appointments(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_a_null_count_is_named_not_misreported_as_a_pair():
    g = ex.grade_count_appointments(count_sum_iff_uncoalesced, show=False)
    assert "null_ids is None, not 0" in "\n".join(g.lines)
