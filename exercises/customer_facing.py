"""Exercises of notebook 13 (customer-facing analytics): the graders, and reference answers to read after
trying.

The graders need the notebook's world, a year of data:
``sim.start(start_date=date(2024, 10, 1), days=365, appointments=20000)``. They compare with the appointments
themselves, added up in Python with exact ``Decimal`` arithmetic, never with another query of yours.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from solutions.customer_metrics import TABLE, ClinicianSession, precompute_clinician_metrics, window
from exercises.grading import Grade, Mismatch, SpyCursor, cursor, expect, grade, require_bound, world

# -- reference answers ---------------------------------------------------------------------------------------


def no_show_rows(cursor: Any, as_of: dt.date) -> list[tuple]:
    """(CLINICIAN_ID, MONTH, TOTAL_APPOINTMENTS, NO_SHOWS, NO_SHOW_RATE) for the 12 calendar months ending
    with ``as_of``'s month, appointments up to ``as_of``; MONTH a date, the rate a percentage rounded half
    up."""
    start, end = window(as_of, 12)
    cursor.execute("""SELECT CLINICIAN_ID, DATE_TRUNC('month', APPOINTMENT_DATE)::DATE, COUNT(*),
                             COUNT_IF(IS_NO_SHOW = 1),
                             (ROUND(COUNT_IF(IS_NO_SHOW = 1) * 10000 / COUNT(*)) / 100)::NUMBER(5, 2)
                      FROM ANALYTICS.MARTS.FCT_APPOINTMENTS
                      WHERE APPOINTMENT_DATE BETWEEN %s AND %s
                      GROUP BY 1, 2 ORDER BY 1, 2""", (start, end))
    return cursor.fetchall()


def my_rates(cursor: Any, session: Any, months: int) -> list[tuple]:
    """The session's clinician's rows of the last ``months`` months of the pre-aggregate, oldest first."""
    clinician_id = session.clinician_id
    if type(clinician_id) is not int:
        raise ValueError(f"not a clinician id: {clinician_id!r}")
    cursor.execute(f"""SELECT CLINICIAN_ID, MONTH, TOTAL_APPOINTMENTS, NO_SHOWS, NO_SHOW_RATE FROM {TABLE}
                       WHERE CLINICIAN_ID = %s ORDER BY MONTH DESC LIMIT %s""", (clinician_id, int(months)))
    return cursor.fetchall()[::-1]


def latency_alert(durations: list[float], threshold: float, post: Callable[[str], None]) -> bool:
    """Post one alert naming the p95 when the p95 (nearest rank) of ``durations`` exceeds ``threshold``."""
    if not durations:
        return False
    high = sorted(durations)[math.ceil(0.95 * len(durations)) - 1]
    if high <= threshold:
        return False
    post(f"Dashboard queries slow: p95 {high:.2f} s over the SLO of {threshold:.2f} s "
         f"({len(durations)} queries)")
    return True


# -- shared --------------------------------------------------------------------------------------------------


def _end() -> dt.date:
    return dt.date.fromisoformat(world().manifest.end)


def _months_before(day: dt.date, k: int, dom: int = 15) -> dt.date:
    index = day.year * 12 + day.month - 1 - k
    return dt.date(index // 12, index % 12 + 1, dom)


def _rate(no_shows: int, total: int) -> Decimal:
    return (Decimal(100 * no_shows) / Decimal(total)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _truth(as_of: dt.date) -> list[tuple]:
    """The pre-aggregate's rows, added up in Python from the appointments themselves."""
    start, end = window(as_of, 12)
    counts: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for clinician, day, no_show in world().warehouse.query(
            "SELECT CLINICIAN_ID, APPOINTMENT_DATE, IS_NO_SHOW FROM ANALYTICS.MARTS.FCT_APPOINTMENTS"):
        if clinician is not None and start <= day <= end:
            tally = counts[(int(clinician), day.replace(day=1))]
            tally[0] += 1
            tally[1] += int(no_show)
    return sorted((c, m, t, n, _rate(n, t)) for (c, m), (t, n) in counts.items())


def _span(rows: list[tuple]) -> str:
    if not rows:
        return "no rows"
    months = sorted({r[1] for r in rows})
    return f"{len(rows)} rows, months {months[0]:%Y-%m}..{months[-1]:%Y-%m}"


def _same_rows(value: Any, wanted: list[tuple]) -> None:
    if not isinstance(value, (list, tuple)):
        raise Mismatch(f"expected a list of rows, got {type(value).__name__}")
    rows = [tuple(r) for r in value]
    for row in rows[:1]:
        if len(row) != 5:
            raise Mismatch(f"expected 5 columns per row, got {len(row)}: {row!r}")
        if isinstance(row[1], dt.datetime) or not isinstance(row[1], dt.date):
            raise Mismatch(f"MONTH is {type(row[1]).__name__} {row[1]!r}; the contract says DATE "
                           "(DATE_TRUNC of a date is a timestamp in the sim: cast it)")
        if not isinstance(row[4], Decimal):
            raise Mismatch(f"NO_SHOW_RATE is {type(row[4]).__name__} {row[4]!r}; "
                           "the contract says NUMBER(5,2)")
    if len(rows) != len(wanted):
        raise Mismatch(f"got {_span(rows)}; expected {_span(wanted)}")
    for got, want in zip(sorted(rows), wanted):
        if got != want:
            raise Mismatch(f"first difference: got {got!r}, expected {want!r}")


# -- exercise 1: the pre-aggregate's query -------------------------------------------------------------------


def grade_no_show_rows(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    end = _end()
    mid = _months_before(end, 3)
    late = _months_before(end, -1)

    statements: list[tuple[str, Any]] = []

    def check(as_of: dt.date) -> None:
        statements.clear()
        with cursor() as cur:
            value = fn(SpyCursor(cur, statements), as_of)
        _same_rows(value, _truth(as_of))

    def bound(_: Any) -> None:
        statements.clear()
        with cursor() as cur:
            fn(SpyCursor(cur, statements), end)
        start, _ = window(end, 12)
        require_bound(statements, {"as_of": end, "the window's first day": start})

    checks = [
        (f"as of {end}: the 12 months up to {end:%Y-%m}", lambda f: check(end)),
        (f"as of {mid}: nothing after the as-of date", lambda f: check(mid)),
        (f"as of {late}: whole months only (the window starts on the 1st)", lambda f: check(late)),
        ("the dates are bound parameters, not part of the SQL", bound),
    ]
    return grade("no_show_rows", fn, checks, show=show)


# -- exercise 2: the tenant-isolated read --------------------------------------------------------------------


def _table_rows() -> dict[int, list[tuple]]:
    rows: dict[int, list[tuple]] = defaultdict(list)
    for row in world().warehouse.query(f"SELECT * FROM {TABLE} ORDER BY CLINICIAN_ID, MONTH"):
        rows[int(row[0])].append(tuple(row))
    return rows


def grade_my_rates(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    sim_world = world()
    precompute_clinician_metrics(sim_world.warehouse.connect, _end())  # the table as the notebook built it
    table = _table_rows()
    first = min(table)

    statements: list[tuple[str, Any]] = []

    def rates(session: Any, months: int, cur: Any = None) -> Any:
        if cur is not None:
            return fn(SpyCursor(cur, statements), session, months)
        with cursor() as fresh:
            return fn(SpyCursor(fresh, statements), session, months)

    def bound(_: Any) -> None:
        statements.clear()
        rates(ClinicianSession(first), 12)
        require_bound(statements, {"the clinician id": first})

    def own(clinician_id: int, months: int, cur: Any = None) -> None:
        value = rates(ClinicianSession(clinician_id), months, cur)
        if not isinstance(value, (list, tuple)):
            raise Mismatch(f"expected a list of rows, got {type(value).__name__}")
        others = sorted({r[0] for r in value} - {clinician_id})
        if others:
            raise Mismatch(f"clinician {clinician_id} was served rows of {len(others)} other clinician(s)")
        expect([tuple(r) for r in value], table[clinician_id][-months:], f"clinician {clinician_id}'s rows")

    def everyone() -> None:
        with cursor() as cur:
            for clinician_id in table:
                own(clinician_id, 12, cur)

    def forged() -> None:
        fake = SimpleNamespace(clinician_id=f"{first} OR 1=1")  # as if the id had been read from the URL
        try:
            value = rates(fake, 12)
        except Exception:  # noqa: BLE001 - refusing is the point; how is up to the candidate
            return
        if value:
            clinicians = len({r[0] for r in value})
            raise Mismatch(f"the forged id was accepted: {len(value)} rows of {clinicians} clinician(s) "
                           "came back")

    checks = [
        (f"clinician {first}: their 12 months, oldest first", lambda f: own(first, 12)),
        ("months=3: the latest 3 months only", lambda f: own(first, 3)),
        (f"all {len(table)} clinicians: each sees only their own rows", lambda f: everyone()),
        (f"a forged id {first} OR 1=1 is refused", lambda f: forged()),
        ("the clinician id is a bound parameter, not part of the SQL", bound),
    ]
    return grade("my_rates", fn, checks, show=show)


# -- exercise 3: the latency check ---------------------------------------------------------------------------


def grade_latency_alert(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    def run(durations: list[float], threshold: float, alerts: int) -> None:
        posted: list[str] = []
        result = fn(list(durations), threshold, posted.append)
        expect(len(posted), alerts, "alerts posted")
        expect(result, alerts > 0, "return value")
        if posted and "p95" not in posted[0]:
            raise Mismatch(f"the alert should name the p95: {posted[0]!r}")

    ten_slow, three_slow = [0.1] * 90 + [2.0] * 10, [0.1] * 97 + [10.0] * 3
    checks = [
        ("10 slow queries in 100: p95 over the SLO, one alert", lambda f: run(ten_slow, 0.5, 1)),
        ("3 slow queries in 100: p95 within the SLO, no alert", lambda f: run(three_slow, 0.5, 0)),
        ("p95 exactly at the SLO: no alert", lambda f: run([0.5] * 40, 0.5, 0)),
        ("no queries measured: no alert, no crash", lambda f: run([], 0.5, 0)),
    ]
    return grade("latency_alert", fn, checks, show=show)
