"""The notebook 10 graders accept the reference answers and reject broken ones, the syllabus's own among them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests

from exercises import reconciliation as ex
from exercises.grading import failed_exactly

DEFECTS = {"missing_payment": 2, "duplicate_payment": 2, "misamounted_payment": 2}


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world(defects=DEFECTS)


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_duplicated_payment_ids, ex.grade_warehouse_total,
                                    ex.grade_source_total])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


@pytest.mark.parametrize("grader, fn", [(ex.grade_duplicated_payment_ids, ex.duplicated_payment_ids),
                                        (ex.grade_warehouse_total, ex.warehouse_total),
                                        (ex.grade_source_total, ex.source_total)])
def test_the_reference_answers_pass(grader, fn, world):
    g = grader(fn, show=False)
    assert g.passed, g.lines
    assert world.backend.faults.pending("server_error") == []  # the grader's own fault is gone


# -- duplicated_payment_ids ----------------------------------------------------------------------------------


def dupes_syllabus(cursor, day):
    """The syllabus's investigation: a count of extra rows, not which payments they are."""
    cursor.execute("SELECT COUNT(*) as record_count, COUNT(DISTINCT payment_id) as unique_count "
                   "FROM marts.fct_payments WHERE payment_date = %s", (day,))
    record_count, unique_count = cursor.fetchone()
    return record_count - unique_count


def dupes_every_day(cursor, day):
    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS GROUP BY 1 HAVING COUNT(*) > 1 ORDER BY 1")
    return [r[0] for r in cursor.fetchall()]


def dupes_every_row(cursor, day):
    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s ORDER BY 1", (day,))
    ids = [r[0] for r in cursor.fetchall()]
    return [i for i in ids if ids.count(i) > 1]  # each duplicate listed once per copy


@pytest.mark.parametrize("fn, checks", [
    (dupes_syllabus, ["2025-09-30", "2025-09-29", "2025-07-01"]),
    (dupes_every_day, ["2025-09-30", "2025-09-29", "2025-07-01"]),  # P-GRADER-2 is on two days
    (dupes_every_row, ["2025-09-30", "2025-07-01"]),
])
def test_duplicated_ids_rejects_broken_versions(fn, checks):
    g = ex.grade_duplicated_payment_ids(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- warehouse_total -----------------------------------------------------------------------------------------


def total_syllabus(cursor, day):
    """The syllabus's query with the day bound: exact (a NUMBER), but NULL on a day without payments."""
    cursor.execute("SELECT SUM(payment_amount) FROM marts.fct_payments WHERE payment_date = %s", (day,))
    return cursor.fetchone()[0]


def total_through_double(cursor, day):
    """Summed as a DOUBLE, then made a Decimal: the float's binary error is kept, digit for digit."""
    cursor.execute("SELECT COALESCE(SUM(payment_amount::DOUBLE), 0) FROM fct_payments WHERE payment_date = %s",
                   (day,))
    return Decimal(cursor.fetchone()[0])


def total_without_coalesce(cursor, day):
    cursor.execute("SELECT SUM(PAYMENT_AMOUNT::NUMBER(12, 2)) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
    return cursor.fetchone()[0]


@pytest.mark.parametrize("fn, checks", [
    (total_syllabus, ["2025-08-01"]),  # None on a day without payments
    (total_through_double, ["2025-09-30", "2025-09-29"]),
    (total_without_coalesce, ["2025-08-01"]),
])
def test_warehouse_total_rejects_broken_versions(fn, checks):
    g = ex.grade_warehouse_total(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    if fn is total_through_double:
        assert re.search(r"expected Decimal\('\d+\.\d\d'\), got Decimal\('\d+\.\d{3,}", g.lines[0]), g.lines


# -- source_total --------------------------------------------------------------------------------------------


def source_syllabus(day):
    """The syllabus's call: no timeout, no retry, response.json() hands back a float."""
    # noqa below: the missing timeout is the syllabus's, shown on purpose
    response = requests.get("https://api.backend.com/revenue",  # noqa: S113
                            params={"date": day.strftime("%Y-%m-%d")})
    return response.json()["total_revenue"]


def source_decimal_of_float(day):
    response = requests.get("https://api.backend.com/revenue", params={"date": day.isoformat()}, timeout=10)
    response.raise_for_status()
    return Decimal(response.json()["total_revenue"])


def source_no_retry(day):
    response = requests.get("https://api.backend.com/revenue", params={"date": day.isoformat()}, timeout=10)
    response.raise_for_status()
    return response.json(parse_float=Decimal)["total_revenue"]


@pytest.mark.parametrize("fn, checks", [
    (source_syllabus, ["2025-09-30", "2025-09-29", "one 500", "every request has a timeout"]),
    (source_decimal_of_float, ["2025-09-30", "2025-09-29", "one 500"]),
    (source_no_retry, ["one 500"]),
])
def test_source_total_rejects_broken_versions(fn, checks, world):
    g = ex.grade_source_total(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    assert world.backend.faults.pending("server_error") == []


# -- correct alternatives and the plausible wrong answers -------------------------------------------------


URL = "https://api.backend.com/revenue"


def dupes_qualify(cursor, day):
    """Snowflake's QUALIFY over a window count, sorted in Python."""
    cursor.execute("SELECT DISTINCT PAYMENT_ID FROM ANALYTICS.MARTS.FCT_PAYMENTS "
                   "WHERE PAYMENT_DATE = %(day)s "
                   "QUALIFY COUNT(*) OVER (PARTITION BY PAYMENT_ID) > 1", {"day": day})
    return sorted(row[0] for row in cursor.fetchall())


def dupes_counted_in_python(cursor, day):
    from collections import Counter

    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
    counts = Counter(row[0] for row in cursor.fetchall())
    return sorted(pid for pid, n in counts.items() if n > 1)


def dupes_f_string(cursor, day):
    cursor.execute(f"SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = '{day}' "
                   "GROUP BY PAYMENT_ID HAVING COUNT(*) > 1 ORDER BY PAYMENT_ID")
    return [row[0] for row in cursor.fetchall()]


def dupes_unsorted(cursor, day):
    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s "
                   "GROUP BY PAYMENT_ID HAVING COUNT(*) > 1 ORDER BY MIN(PAYMENT_AMOUNT), PAYMENT_ID DESC",
                   (day,))
    return [row[0] for row in cursor.fetchall()]


def dupes_exactly_two(cursor, day):
    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s "
                   "GROUP BY PAYMENT_ID HAVING COUNT(*) = 2 ORDER BY PAYMENT_ID", (day,))
    return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("fn", [dupes_qualify, dupes_counted_in_python])
def test_duplicated_ids_accepts_correct_alternatives(fn):
    g = ex.grade_duplicated_payment_ids(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (dupes_f_string, ["the day is a bound parameter"]),
    (dupes_unsorted, ["2025-07-01"]),
    (dupes_exactly_two, ["2025-07-01"]),
])
def test_duplicated_ids_rejects_plausible_wrong_answers(fn, checks, world):
    g = ex.grade_duplicated_payment_ids(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    left = world.warehouse.query("SELECT COUNT(*) FROM FCT_PAYMENTS WHERE PAYMENT_ID LIKE 'P-GRADER-%'")
    assert left == [(0,)]


def test_an_unsorted_answer_is_told_so():
    g = ex.grade_duplicated_payment_ids(dupes_unsorted, show=False)
    assert "the right ids, not sorted" in "\n".join(g.lines)


def total_sum_in_python(cursor, day):
    from decimal import Decimal

    cursor.execute("SELECT PAYMENT_AMOUNT FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
    return sum((Decimal(row[0]) for row in cursor.fetchall()), Decimal("0.00"))


def total_cast_after_sum_as_text(cursor, day):
    """Exact in the sim too: the sum cast to NUMBER inside, read back as a Decimal, zero by COALESCE."""
    cursor.execute("SELECT COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(38, 2)), 0)::NUMBER(38, 2) FROM FCT_PAYMENTS "
                   "WHERE PAYMENT_DATE = %(day)s", {"day": day})
    return cursor.fetchone()[0]


def total_f_string(cursor, day):
    cursor.execute("SELECT COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0) FROM FCT_PAYMENTS "
                   f"WHERE PAYMENT_DATE = '{day}'")
    return cursor.fetchone()[0]


def total_bare_sum(cursor, day):
    """A plain SUM over the NUMBER(12,2) column: exact on Snowflake and in the sim."""
    cursor.execute("SELECT COALESCE(SUM(PAYMENT_AMOUNT), 0) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
    return cursor.fetchone()[0]


def total_rounded_float(cursor, day):
    return round(float(ex.warehouse_total(cursor, day)), 2)


@pytest.mark.parametrize("fn", [total_sum_in_python, total_cast_after_sum_as_text, total_bare_sum])
def test_warehouse_total_accepts_correct_alternatives(fn):
    g = ex.grade_warehouse_total(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (total_f_string, ["the day is a bound parameter"]),
    (total_rounded_float, ["2025-09-30", "2025-09-29", "2025-08-01"]),
])
def test_warehouse_total_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_warehouse_total(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_none_is_not_called_a_float():
    g = ex.grade_warehouse_total(total_without_coalesce, show=False)
    line = next(x for x in g.lines if x.startswith("  ✗"))
    assert "got None" in line and "float" not in line


def source_session_with_retry(day):
    """A urllib3 Retry mounted on a Session, a (connect, read) timeout, Decimal parsing."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=Retry(total=2, status_forcelist=(500, 502, 503),
                                                            raise_on_status=False)))
    response = session.get("https://api.backend.com/revenue", params={"date": str(day)}, timeout=(3, 20))
    response.raise_for_status()
    return Decimal(response.json(parse_float=str)["total_revenue"])


def source_loop_with_timeout(day):
    """A hand-written retry loop: three tries, each with a timeout."""
    for _attempt in range(3):
        response = requests.get(URL, params={"date": day.isoformat()}, timeout=10)
        if response.status_code < 500:
            response.raise_for_status()
            return response.json(parse_float=Decimal)["total_revenue"]
    response.raise_for_status()


def source_loop_without_timeout(day):
    for _attempt in range(3):
        response = requests.get("https://api.backend.com/revenue", params={"date": day.isoformat()})  # noqa: S113
        if response.status_code < 500:
            return response.json(parse_float=Decimal)["total_revenue"]
    response.raise_for_status()


def source_read_timeout_none(day):
    """A connect timeout only: a server that accepts the connection and never answers still hangs the task."""
    return _source_get(day, timeout=(3.05, None))


def _source_get(day, timeout):
    from solutions.reconciliation import retrying_session

    session = retrying_session()
    response = session.get(URL, params={"date": day.isoformat()}, timeout=timeout)
    response.raise_for_status()
    return response.json(parse_float=Decimal)["total_revenue"]


def source_float_total(day):
    return float(_source_get(day, timeout=10))


@pytest.mark.parametrize("fn", [source_session_with_retry, source_loop_with_timeout])
def test_source_total_accepts_correct_alternatives(fn, world):
    g = ex.grade_source_total(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (source_loop_without_timeout, ["every request has a timeout"]),
    (source_read_timeout_none, ["every request has a timeout"]),
    (source_float_total, ["2025-09-30", "2025-09-29", "one 500"]),
])
def test_source_total_rejects_plausible_wrong_answers(fn, checks, world):
    g = ex.grade_source_total(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    assert world.backend.faults.pending("server_error") == []
