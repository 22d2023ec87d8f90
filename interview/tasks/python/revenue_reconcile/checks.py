"""Hidden checks of reconcile: a sim world whose payments mart lost and doubled payments on a hidden day, lost a
whole day, and has one payment a cent off; clean days around them that must not be reported; then the same day
with the backend failing a request on each endpoint once. The truth is the sim's manifest and the backend's own
table, added up here one Decimal at a time."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sim
from interview.checking_data import Board, Candidate, SpyConnection, pasted

CHECKS = ("clean days match", "missing payments found", "duplicates found", "missing day reported",
          "one cent counts", "exact signed difference", "transient errors retried", "values bound",
          "reversed range refused", "time budget")
BUDGET = 10.0
DEFECT_DAY, MISSING_DAY, CENT_DAY = date(2025, 9, 10), date(2025, 9, 5), date(2025, 9, 8)
DEFECTS = {"missing_payment": 3, "duplicate_payment": 2, "missing_day": MISSING_DAY.isoformat()}
RANGES = {  # label -> (first, last): each damaged day at an end of its range, clean days around it
    "four clean days": (date(2025, 9, 1), date(2025, 9, 4)),
    "a range ending on a damaged day": (DEFECT_DAY - timedelta(days=1), DEFECT_DAY),
    "a range starting on a day that never loaded": (MISSING_DAY, MISSING_DAY + timedelta(days=1)),
    "a range holding a payment one cent off": (CENT_DAY - timedelta(days=1), CENT_DAY),
}
DAMAGED = {DEFECT_DAY, MISSING_DAY, CENT_DAY}
FIELDS = ("day", "warehouse_total", "backend_total", "difference", "missing_ids", "duplicate_ids")


def total(world: Any, table: str, day: date) -> Decimal:
    rows = world.warehouse.query(f"SELECT PAYMENT_AMOUNT FROM {table} WHERE PAYMENT_DATE = %s", (day,))
    return sum((Decimal(r[0]) for r in rows), Decimal("0.00"))


def parse(value: Any) -> dict[date, dict]:
    if not isinstance(value, list) or not all(isinstance(r, dict) and set(FIELDS) <= set(r) for r in value):
        raise TypeError(f"returned {value!r:.160}, expected a list of dicts with the keys {list(FIELDS)}")
    out = {}
    for row in value:
        try:
            day = date.fromisoformat(row["day"]) if isinstance(row["day"], str) else row["day"]
        except ValueError:
            raise TypeError(f"a row's day is {row['day']!r}, expected a date") from None
        out[day] = row
    return out


def exact(row: dict, want: dict[str, Decimal]) -> str | None:
    """What is wrong with the row's money, or None."""
    for name, wanted in want.items():
        got = row.get(name)
        if isinstance(got, float):
            return (f"{name} is the float {got!r}: money parsed or summed as float (response.json() without "
                    "parse_float=Decimal, or float(...)); floats cannot hold cents exactly")
        if not isinstance(got, Decimal):
            return f"{name} is {type(got).__name__} {got!r}, expected a Decimal"
        if got != wanted:
            return f"{name} is {got}, expected {wanted}" + (
                " (the sign: warehouse minus backend, so missing payments are negative)"
                if name == "difference" and got == -wanted else "")
    return None


def check(solution: Path) -> list:
    board = Board(CHECKS)
    candidate = Candidate(solution, "reconcile", BUDGET)
    if not candidate.ready(board):
        return board.checks()
    with sim.running(seed=67, appointments=2400, days=12, defects=DEFECTS, defect_day=DEFECT_DAY) as world:
        manifest = world.manifest
        nudged = world.warehouse.query(
            "SELECT MIN(PAYMENT_ID) FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE = %s", (CENT_DAY,))[0][0]
        world.warehouse.query("UPDATE ANALYTICS.MARTS.FCT_PAYMENTS SET PAYMENT_AMOUNT = PAYMENT_AMOUNT + 0.01 "
                              "WHERE PAYMENT_ID = %s", (nudged,))
        statements: list[tuple[str, Any]] = []

        def run(first: date, last: date, label: str) -> Any:
            real = world.warehouse.connect(database="ANALYTICS", schema="MARTS")
            spy = SpyConnection(real)
            try:
                return candidate.call(spy.cursor(), first, last, label=label)
            finally:
                statements.extend(spy.statements)
                real.close()

        truths = {}  # read before the candidate's code runs: nothing it does can change the truth
        for day in DAMAGED:
            ours = total(world, "ANALYTICS.MARTS.FCT_PAYMENTS", day)
            theirs = total(world, "BACKEND.PUBLIC.PAYMENTS", day)
            truths[day] = {"warehouse_total": ours, "backend_total": theirs, "difference": ours - theirs}

        reports: dict[str, dict[date, dict]] = {}
        names = {"four clean days": ["clean days match"],  # the checks a crash in that range fails
                 "a range ending on a damaged day": ["missing payments found", "duplicates found"],
                 "a range starting on a day that never loaded": ["missing day reported"],
                 "a range holding a payment one cent off": ["one cent counts"]}
        for label, (first, last) in RANGES.items():
            scenario = f"{label} ({first} to {last})"
            outcome = run(first, last, scenario)
            if not board.ran(names[label], outcome, scenario):
                continue
            try:
                reports[label] = got = parse(outcome.value)
            except TypeError as error:
                for name in names[label]:
                    board.expect(name, False, f"{scenario}: {error}")
                continue
            alarms = sorted(str(d) for d in got if d not in DAMAGED)
            board.expect("clean days match", not alarms,
                         f"{scenario}: {', '.join(alarms)} reported although warehouse and backend agree to the cent "
                         "(compare Decimal with Decimal; a float on one side never equals)")
            for day in set(got) & DAMAGED:
                problem = exact(got[day], truths[day])
                board.expect("exact signed difference", problem is None, f"{scenario}, {day}: {problem}")

        got = reports.get("a range ending on a damaged day")
        if got is not None:
            row = got.get(DEFECT_DAY, {})
            board.expect("missing payments found", row.get("missing_ids") == sorted(manifest.ids("missing_payment")),
                         f"{DEFECT_DAY}: expected missing_ids {sorted(manifest.ids('missing_payment'))}, got "
                         f"{row.get('missing_ids', 'the day not reported')}: every page of /payments (has_more, "
                         "next_cursor) against the day's warehouse ids")
            board.expect("duplicates found",
                         row.get("duplicate_ids") == sorted(manifest.ids("duplicate_payment")),
                         f"{DEFECT_DAY}: expected duplicate_ids {sorted(manifest.ids('duplicate_payment'))}, got "
                         f"{row.get('duplicate_ids', 'the day not reported')}: ids the warehouse holds twice")
        got = reports.get("a range starting on a day that never loaded")
        if got is not None:
            row, lost = got.get(MISSING_DAY), sorted(manifest.defects["missing_day"].detail["payment_ids"])
            board.expect("missing day reported", row is not None and row.get("missing_ids") == lost,
                         f"{MISSING_DAY} has no warehouse rows: expected it reported with a warehouse total of 0 and "
                         f"all {len(lost)} payment ids missing, got "
                         + ("nothing for that day" if row is None else f"{len(row.get('missing_ids') or [])} ids"))
        got = reports.get("a range holding a payment one cent off")
        if got is not None:
            board.expect("one cent counts", CENT_DAY in got,
                         f"{CENT_DAY}: the warehouse is one cent above the backend and the day was not reported: "
                         "with money, any difference is a difference")

        world.backend.inject("server_error", path="/revenue", times=1, status=503)
        world.backend.inject("server_error", path="/payments", page=1, times=1, status=500)
        first, last = RANGES["a range ending on a damaged day"]
        scenario = f"{first} to {last} while the backend fails one /revenue and one /payments request"
        outcome = run(first, last, scenario)
        if board.ran("transient errors retried", outcome, scenario):
            calm = reports.get("a range ending on a damaged day")
            try:
                same = parse(outcome.value) == calm
            except TypeError:
                same = False
            board.expect("transient errors retried", same,
                         f"{scenario}: the report differs from the one the same range gave without failures")

        values = [("the day", d) for pair in RANGES.values() for d in pair]
        found = pasted(statements, values)
        board.expect("values bound", bool(statements) and not found,
                     lambda: "no statement ran" if not statements else
                     f"{found[0][0]} is pasted into the SQL text: {found[0][1][:140]!r}; bind it (%s and a tuple)")
        outcome = run(date(2025, 9, 9), date(2025, 9, 2), "a reversed range")
        board.expect("reversed range refused", outcome.raised(ValueError),
                     lambda: "reconcile(cursor, 2025-09-09, 2025-09-02) should raise ValueError; it "
                             + (f"returned {outcome.value!r:.80}: a swapped range reconciles nothing and reports "
                                "all clear" if outcome.ok else outcome.error))
    candidate.judge_budget(board)
    return board.checks()
