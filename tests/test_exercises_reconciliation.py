"""The notebook 10 graders accept the reference answers and reject broken ones, the syllabus's own among them."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

import sim
from solutions.exercises import reconciliation as ex
from solutions.grading import failed_exactly

DEFECTS = {"missing_payment": 2, "duplicate_payment": 2, "misamounted_payment": 2}


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("ex_reconciliation"), defects=DEFECTS)
    yield world
    sim.stop()


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


# -- duplicated_payment_ids --------------------------------------------------------------------------------------


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
    (dupes_syllabus, ["2025-09-30", "2025-09-29"]),
    (dupes_every_day, ["2025-09-29"]),
    (dupes_every_row, ["2025-09-30"]),
])
def test_duplicated_ids_rejects_broken_versions(fn, checks):
    g = ex.grade_duplicated_payment_ids(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- warehouse_total ---------------------------------------------------------------------------------------------


def total_syllabus(cursor, day):
    """The syllabus's query with the day bound: SUM over NUMBER, which the sim returns as a float."""
    cursor.execute("SELECT SUM(payment_amount) FROM marts.fct_payments WHERE payment_date = %s", (day,))
    return cursor.fetchone()[0]


def total_decimal_of_float(cursor, day):
    return Decimal(total_syllabus(cursor, day) or 0)


def total_without_coalesce(cursor, day):
    cursor.execute("SELECT SUM(PAYMENT_AMOUNT::NUMBER(12, 2)) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (day,))
    return cursor.fetchone()[0]


@pytest.mark.parametrize("fn, checks", [
    (total_syllabus, ["2025-09-30", "2025-09-29", "2025-08-01"]),
    (total_decimal_of_float, ["2025-09-30", "2025-09-29"]),
    (total_without_coalesce, ["2025-08-01"]),
])
def test_warehouse_total_rejects_broken_versions(fn, checks):
    g = ex.grade_warehouse_total(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    if fn is total_syllabus:
        assert "expected a Decimal, got float" in g.lines[0]


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
    (source_syllabus, ["2025-09-30", "2025-09-29", "one 500"]),
    (source_decimal_of_float, ["2025-09-30", "2025-09-29", "one 500"]),
    (source_no_retry, ["one 500"]),
])
def test_source_total_rejects_broken_versions(fn, checks, world):
    g = ex.grade_source_total(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    assert world.backend.faults.pending("server_error") == []
