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
from unittest import mock

import requests

from exercises.grading import Grade, Mismatch, cursor, expect, grade, require_bound, some, world
from solutions.reconciliation import BASE_URL, retrying_session

NO_PAYMENTS_DAY = dt.date(2025, 8, 1)  # before the sim's data: a day with no payments at all
PLANT_DAY = dt.date(2025, 7, 1)  # before the sim's data: the grader loads payments of its own here
# (payment id, how many times loaded on PLANT_DAY), inserted in this order; one more copy of P-GRADER-2 on the
# next day, which does not make it a duplicate of PLANT_DAY
PLANTED = [("P-GRADER-3", 2), ("P-GRADER-2", 1), ("P-GRADER-1", 3), ("P-GRADER-4", 1)]


# -- reference answers ---------------------------------------------------------------------------------------


def duplicated_payment_ids(cursor: Any, day: dt.date) -> list[str]:
    """Payment ids loaded more than once on ``day``, sorted."""
    cursor.execute("SELECT PAYMENT_ID FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s "
                   "GROUP BY PAYMENT_ID HAVING COUNT(*) > 1 ORDER BY PAYMENT_ID", (day,))
    return [row[0] for row in cursor.fetchall()]


def warehouse_total(cursor: Any, day: dt.date) -> Decimal:
    """The exact total of ``day``, 0 for no rows; the cast inside SUM keeps it exact even over a FLOAT column."""
    cursor.execute("SELECT COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0) FROM FCT_PAYMENTS WHERE PAYMENT_DATE = %s",
                   (day,))
    return cursor.fetchone()[0]


def source_total(day: dt.date) -> Decimal:
    """The backend's total for ``day``: retries on 5xx, a timeout, and JSON numbers parsed as Decimal."""
    response = retrying_session().get(f"{BASE_URL}/revenue", params={"date": day.isoformat()}, timeout=(3.05, 30))
    response.raise_for_status()
    return response.json(parse_float=Decimal)["total_revenue"]


# -- graders -------------------------------------------------------------------------------------------------


def _days() -> tuple[dt.date, dt.date]:
    """(the defect day, a day before it with no payment defect)."""
    day = dt.date.fromisoformat(world().manifest.defect_day)
    return day, day - dt.timedelta(days=1)


def _exact(value: Any, wanted: Decimal, what: str, float_hint: str = "") -> None:
    if value is None:
        raise Mismatch(f"{what}: expected Decimal {wanted}, got None")
    if isinstance(value, float):
        raise Mismatch(f"{what}: expected a Decimal, got float {value!r} "
                       f"(money is never a float{float_hint})")
    if not isinstance(value, Decimal):
        raise Mismatch(f"{what}: expected a Decimal, got {type(value).__name__} {value!r}")
    expect(value, wanted, what)


def _sum(sql: str, params: Sequence[Any]) -> Decimal:
    """Add the rows up in Python, one exact Decimal at a time: the truth the graders compare with."""
    return sum((Decimal(r[0]) for r in world().warehouse.query(sql, params)), Decimal("0.00"))


@contextmanager
def _planted() -> Iterator[None]:
    """``PLANTED`` loaded into FCT_PAYMENTS (and one copy of P-GRADER-2 the next day), removed afterwards."""
    warehouse, days = world().warehouse, (PLANT_DAY, PLANT_DAY + dt.timedelta(days=1))
    rows = [(pid, PLANT_DAY) for pid, copies in PLANTED for _ in range(copies)] + [("P-GRADER-2", days[1])]
    marks = ", ".join(["(%s, 1, 1, %s, 10.00, 'card')"] * len(rows))
    warehouse.query("INSERT INTO ANALYTICS.MARTS.FCT_PAYMENTS (PAYMENT_ID, APPOINTMENT_ID, CLIENT_ID, "
                    f"PAYMENT_DATE, PAYMENT_AMOUNT, PAYMENT_METHOD) VALUES {marks}",
                    [v for row in rows for v in row])
    try:
        yield
    finally:
        warehouse.query("DELETE FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE IN (%s, %s)", days)


def grade_duplicated_payment_ids(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, clean = _days()
    wanted = sorted(world().manifest.ids("duplicate_payment"))
    planted = sorted(pid for pid, copies in PLANTED if copies > 1)
    statements: list[tuple[str, Any]] = []

    def run(on: dt.date) -> Any:
        statements.clear()
        with cursor(statements) as cur:
            return fn(cur, on)

    def same_ids(value: Any, ids: list[str]) -> None:
        if not isinstance(value, list):
            raise Mismatch(f"expected a list of payment ids, got {type(value).__name__} {value!r}")
        got = [str(v) for v in value]
        if sorted(got) != ids:
            extra, missing = sorted(set(got) - set(ids)), sorted(set(ids) - set(got))
            repeated = len(got) - len(set(got))
            parts = [f"{len(missing)} missing {some(missing)}" if missing else "",
                     f"{len(extra)} not duplicated {some(extra)}" if extra else "",
                     f"{repeated} listed more than once" if repeated else ""]
            raise Mismatch(f"expected {len(ids)} ids {some(ids)}: " + ", ".join(p for p in parts if p))
        if got != ids:
            raise Mismatch(f"the right ids, not sorted: {some(got, 5)}")

    def bound(f: Any) -> None:
        run(day)
        require_bound(statements, {"the day": day})

    checks = [
        (f"{day}: the ids loaded twice", lambda f: same_ids(run(day), wanted)),
        (f"{clean}: none (the day filter applies)", lambda f: same_ids(run(clean), [])),
        (f"{PLANT_DAY}: ids loaded twice and three times: each listed once, sorted",
         lambda f: same_ids(run(PLANT_DAY), planted)),
        ("the day is a bound parameter, not part of the SQL", bound),
    ]
    with _planted():
        return grade("duplicated_payment_ids", fn, checks, show=show)


def grade_warehouse_total(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, clean = _days()
    table = "SELECT PAYMENT_AMOUNT FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE = %s"
    statements: list[tuple[str, Any]] = []

    def run(on: dt.date) -> Any:
        statements.clear()
        with cursor(statements) as cur:
            return fn(cur, on)

    def bound(f: Any) -> None:
        run(day)
        require_bound(statements, {"the day": day})

    hint = "; a FLOAT column sums in binary: cast inside the SUM, SUM(PAYMENT_AMOUNT::NUMBER(12, 2))"
    checks = [
        (f"{day}: the exact Decimal total", lambda f: _exact(run(day), _sum(table, (day,)), "total", hint)),
        (f"{clean}: the exact Decimal total",
         lambda f: _exact(run(clean), _sum(table, (clean,)), "total", hint)),
        (f"{NO_PAYMENTS_DAY}: no payments is Decimal 0, not None",
         lambda f: _exact(run(NO_PAYMENTS_DAY), Decimal("0.00"), "total")),
        ("the day is a bound parameter, not part of the SQL", bound),
    ]
    return grade("warehouse_total", fn, checks, show=show)


def grade_source_total(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, clean = _days()
    backend = world().backend
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

    def with_timeout(f: Any) -> None:
        sent: list[Any] = []
        send = requests.Session.send

        def spy(self: requests.Session, request: Any, **kwargs: Any) -> Any:
            sent.append(kwargs.get("timeout"))
            return send(self, request, **kwargs)

        with mock.patch.object(requests.Session, "send", spy):
            run(day)
        if not sent:
            raise Mismatch("no request went through requests (requests.get or a Session)")
        untimed = [t for t in sent if t is None or (isinstance(t, tuple) and None in t)]
        if untimed:
            raise Mismatch(f"{len(untimed)} of {len(sent)} request(s) had no timeout "
                           f"(timeout={untimed[0]!r}): without one, a server that never answers hangs the "
                           "task until Airflow kills it")

    checks = [
        (f"{day}: the backend's exact total", lambda f: _exact(run(day), _sum(truth, (day,)), "total")),
        (f"{clean}: the backend's exact total", lambda f: _exact(run(clean), _sum(truth, (clean,)), "total")),
        ("one 500 from the API is retried", lambda f: _exact(after_one_500(day), _sum(truth, (day,)), "total")),
        ("every request has a timeout", with_timeout),
    ]
    return grade("source_total", fn, checks, show=show)
