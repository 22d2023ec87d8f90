"""Grade a candidate's SQL for one drill: the visible dataset first, then every hidden case.

Results are compared as multisets of rows (duplicates count) unless the drill asks for an order; numbers
match within the drill's tolerance (SUM/AVG come back as DOUBLE on the sim, see the README's fidelity
table); column names are compared case-insensitively, as Snowflake folds unquoted names to upper case.
On the visible data the message shows the first differing rows; on hidden data it only names the kind of
case that failed, never rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import datasets, engine
from .bank import Drill

SHOW_ROWS = 3


@dataclass(frozen=True)
class Result:
    drill_id: str
    passed: bool
    stage: str  # passed | not_attempted | refused | timeout | error | visible | hidden
    message: str
    case: str | None = None  # the dataset that failed

    def __str__(self) -> str:
        return self.message


def attempted(sql: str | None) -> bool:
    """Anything left after removing comments and whitespace counts as an attempt."""
    if not sql:
        return False
    lines = [line.split("--", 1)[0].strip() for line in sql.splitlines()]
    return bool("".join(lines).strip(" ;\n"))


def grade(
    drill: Drill,
    sql: str | None,
    *,
    scratch: engine.Scratch | None = None,
    time_limit: float = engine.TIME_LIMIT,
) -> Result:
    """Run ``sql`` on the visible and hidden datasets of ``drill`` and compare with the reference."""
    if not attempted(sql):
        return Result(
            drill.id,
            False,
            "not_attempted",
            f"{drill.id}: not attempted yet. Write your query, then run this again.",
        )
    scratch = scratch or engine.scratch()
    try:
        engine.vet(sql, kind=drill.kind, target=drill.target)
    except engine.Refused as refusal:
        return Result(drill.id, False, "refused", f"{drill.id}: refused, {refusal}.")
    for case in ("visible", *drill.hidden):
        expected = reference(drill, case, scratch)
        try:
            got = _run(drill, sql, case, scratch, time_limit)
        except engine.TimedOut as stop:
            return Result(
                drill.id,
                False,
                "timeout",
                f"{drill.id}: the query ran too long and was {stop}; "
                "nothing changed. Look for a join without a condition.",
                case,
            )
        except engine.Refused as refusal:
            return Result(drill.id, False, "refused", f"{drill.id}: refused, {refusal}.", case)
        except Exception as error:  # noqa: BLE001 - the candidate's SQL may fail in any way
            if case == "visible":
                first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                return Result(drill.id, False, "error", f"{drill.id}: the query failed: {first}", case)
            return Result(
                drill.id,
                False,
                "error",
                f"{drill.id}: passes the visible data but raises an error "
                f"({type(error).__name__}) on hidden data when {datasets.describe(case)}.",
                case,
            )
        problem = compare(drill, expected, got)
        if problem:
            if case == "visible":
                return Result(
                    drill.id, False, "visible", f"{drill.id}: not yet. On the visible data, {problem}", case
                )
            return Result(
                drill.id,
                False,
                "hidden",
                f"{drill.id}: right on the visible data, but wrong on a hidden "
                f"case: when {datasets.describe(case)}.",
                case,
            )
    checked = 1 + len(drill.hidden)
    return Result(
        drill.id, True, "passed", f"{drill.id}: passed on the visible data and {checked - 1} hidden cases."
    )


_references: dict[tuple[str, str, str], engine.Outcome] = {}


def reference(drill: Drill, case: str, scratch: engine.Scratch) -> engine.Outcome:
    """The reference solution's outcome on ``case`` (cached per process: datasets never change)."""
    key = (drill.id, case, drill.solution)
    if key not in _references:
        _references[key] = _run(drill, drill.solution, case, scratch, engine.TIME_LIMIT)
    return _references[key]


def _run(drill: Drill, sql: str, case: str, scratch: engine.Scratch, time_limit: float) -> engine.Outcome:
    if drill.kind == "merge":
        return scratch.merge(case, sql, setup=drill.setup, target=drill.target, time_limit=time_limit)
    return scratch.query(case, sql, time_limit=time_limit)


# -- comparison ----------------------------------------------------------------------------------------


def compare(drill: Drill, expected: engine.Outcome, got: engine.Outcome) -> str | None:
    """``None`` if ``got`` matches ``expected`` for this drill, else a sentence naming the difference."""
    want = [c.upper() for c in drill.columns]
    have = [c.upper() for c in got.columns]
    if have != want:
        return (
            f"the columns should be {', '.join(want)} (in that order); yours are {', '.join(have) or 'none'}."
        )
    tol = drill.tolerance
    if drill.ordered:
        for position, (e, g) in enumerate(zip(expected.rows, got.rows), start=1):
            if not _same_row(e, g, tol):
                return f"row {position} should be {_fmt(e)}, yours is {_fmt(g)} (the order matters here)."
        if len(expected.rows) != len(got.rows):
            return f"expected {len(expected.rows)} rows, yours has {len(got.rows)}."
        return None
    missing, extra = _multiset_diff(expected.rows, got.rows, tol)
    if not missing and not extra:
        return None
    parts = [f"expected {len(expected.rows)} rows, yours has {len(got.rows)}."]
    if missing:
        parts.append(_some_rows("Missing from yours", missing))
    if extra:
        parts.append(_some_rows("Not expected", extra))
    return " ".join(parts)


def _multiset_diff(expected: list[tuple], got: list[tuple], tol: float) -> tuple[list[tuple], list[tuple]]:
    left = list(got)
    missing = []
    for row in sorted(expected, key=_sort_key):
        for i, candidate in enumerate(left):
            if _same_row(row, candidate, tol):
                del left[i]
                break
        else:
            missing.append(row)
    return missing, sorted(left, key=_sort_key)


def _sort_key(row: tuple) -> tuple:
    return tuple(
        (v is None, str(type(v).__name__) if not _number(v) else "n", v if _number(v) else str(v))
        for v in row
    )


def _number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def _same_row(a: tuple, b: tuple, tol: float) -> bool:
    return len(a) == len(b) and all(_same(x, y, tol) for x, y in zip(a, b))


def _same(x: Any, y: Any, tol: float) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if _number(x) and _number(y):
        return abs(float(x) - float(y)) <= tol + 1e-9 * max(abs(float(x)), abs(float(y)))
    if (
        isinstance(x, dt.datetime) != isinstance(y, dt.datetime)
        and isinstance(x, dt.date)
        and isinstance(y, dt.date)
    ):
        # fakesnow's DATE_TRUNC on a DATE returns a TIMESTAMP (Snowflake: a DATE): midnight counts as that day
        stamp, day = (x, y) if isinstance(x, dt.datetime) else (y, x)
        return stamp.time() == dt.time(0) and stamp.date() == day
    return x == y


def _some_rows(title: str, rows: list) -> str:
    """``title``: the first few rows, and "..." when there are more."""
    more = " ..." if len(rows) > SHOW_ROWS else ""
    return f"{title}: " + "; ".join(_fmt(r) for r in rows[:SHOW_ROWS]) + more + "."


def _fmt(row: tuple) -> str:
    def one(v: Any) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, float):
            return f"{v:.6g}"
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat(sep=" ") if isinstance(v, dt.datetime) else v.isoformat()
        return repr(v) if isinstance(v, str) else str(v)

    return "(" + ", ".join(one(v) for v in row) + ")"
