"""Exercises of notebook 10 (revenue reconciliation): the graders, and reference answers to read after trying.

The graders need the notebook's world: ``sim.start(defects={"duplicate_payment": ..., ...})``; they compare
with the defect manifest and with the backend's own table, never with another query of yours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import requests

from solutions.grading import Grade, Mismatch, expect, grade
from solutions.reconciliation import BASE_URL, retrying_session

NO_PAYMENTS_DAY = dt.date(2025, 8, 1)  # before the sim's data: a day with no payments at all


# -- reference answers -------------------------------------------------------------------------------------------


def duplicated_payment_ids(cursor: Any, day: dt.date) -> list[str]:
    """Payment ids loaded more than once on ``day``, sorted."""
    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s "
                   "GROUP BY PAYMENT_ID HAVING COUNT(*) > 1 ORDER BY PAYMENT_ID", (day,))
    return [row[0] for row in cursor.fetchall()]


def warehouse_total(cursor: Any, day: dt.date) -> Decimal:
    """The exact total of ``day``: cast inside SUM (the sim's SUM over NUMBER is a DOUBLE), 0 for no rows."""
    cursor.execute("SELECT COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s",
                   (day,))
    return cursor.fetchone()[0]


def source_total(day: dt.date) -> Decimal:
    """The backend's total for ``day``: retries on 5xx, a timeout, and JSON numbers parsed as Decimal."""
    response = retrying_session().get(f"{BASE_URL}/revenue", params={"date": day.isoformat()}, timeout=(3.05, 30))
    response.raise_for_status()
    return response.json(parse_float=Decimal)["total_revenue"]


# -- graders -----------------------------------------------------------------------------------------------------


def _world() -> Any:
    import sim

    return sim.current()


@contextmanager
def _cursor() -> Iterator[Any]:
    with _world().warehouse.cursor() as cur:
        yield cur


def _days() -> tuple[dt.date, dt.date]:
    """(the defect day, a day before it with no payment defect)."""
    day = dt.date.fromisoformat(_world().manifest.defect_day)
    return day, day - dt.timedelta(days=1)


def _exact(value: Any, wanted: Decimal, what: str) -> None:
    if not isinstance(value, Decimal):
        raise Mismatch(f"{what}: expected a Decimal, got {type(value).__name__} {value!r} (money is never a float)")
    expect(value, wanted, what)


def _sum(sql: str, params: Sequence[Any]) -> Decimal:
    """Add the rows up in Python, one exact Decimal at a time: the truth the graders compare with."""
    return sum((Decimal(r[0]) for r in _world().warehouse.query(sql, params)), Decimal("0.00"))


def grade_duplicated_payment_ids(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, clean = _days()
    wanted = sorted(_world().manifest.ids("duplicate_payment"))

    def run(on: dt.date) -> Any:
        with _cursor() as cur:
            return fn(cur, on)

    def same_ids(value: Any, ids: list[str]) -> None:
        if not isinstance(value, list):
            raise Mismatch(f"expected a list of payment ids, got {type(value).__name__} {value!r}")
        expect(sorted(value), ids, "payment ids")

    checks = [
        (f"{day}: the ids loaded twice", lambda f: same_ids(run(day), wanted)),
        (f"{clean}: none (the day filter applies)", lambda f: same_ids(run(clean), [])),
    ]
    return grade("duplicated_payment_ids", fn, checks, show=show)


def grade_warehouse_total(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, clean = _days()
    table = "SELECT PAYMENT_AMOUNT FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE = %s"

    def run(on: dt.date) -> Any:
        with _cursor() as cur:
            return fn(cur, on)

    checks = [
        (f"{day}: the exact Decimal total", lambda f: _exact(run(day), _sum(table, (day,)), "total")),
        (f"{clean}: the exact Decimal total", lambda f: _exact(run(clean), _sum(table, (clean,)), "total")),
        (f"{NO_PAYMENTS_DAY}: no payments is Decimal 0, not None",
         lambda f: _exact(run(NO_PAYMENTS_DAY), Decimal("0.00"), "total")),
    ]
    return grade("warehouse_total", fn, checks, show=show)


def grade_source_total(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, clean = _days()
    backend = _world().backend
    truth = "SELECT PAYMENT_AMOUNT FROM BACKEND.PUBLIC.PAYMENTS WHERE PAYMENT_DATE = %s"

    def after_one_500(on: dt.date) -> Any:
        fault = backend.inject("server_error", path="/revenue", times=1)
        try:
            return fn(on)
        finally:
            if fault in backend.faults.faults:
                backend.faults.faults.remove(fault)

    def run(on: dt.date) -> Any:
        try:
            return fn(on)
        except requests.RequestException as error:
            raise Mismatch(f"the request failed: {type(error).__name__}") from None

    checks = [
        (f"{day}: the backend's exact total", lambda f: _exact(run(day), _sum(truth, (day,)), "total")),
        (f"{clean}: the backend's exact total", lambda f: _exact(run(clean), _sum(truth, (clean,)), "total")),
        ("one 500 from the API is retried", lambda f: _exact(after_one_500(day), _sum(truth, (day,)), "total")),
    ]
    return grade("source_total", fn, checks, show=show)
