"""The grader behind every notebook exercise.

An exercise cell holds a function the candidate writes; it starts as ``raise NotImplementedError``. The grader
cell runs named checks against it and prints one line per check. An exercise not attempted yet is reported
calmly (so the stored notebook still runs clean), a wrong attempt says which check failed and why.

    def check_freshness(...):
        raise NotImplementedError      # your code here

    grade("check_freshness", check_freshness, [
        ("fresh table passes", lambda fn: expect(fn(...).passed, True)),
        ("stale table fails",  lambda fn: expect(fn(...).passed, False)),
    ])

Graders for each notebook live in ``exercises/<topic>.py``; tests prove each one accepts the
reference solution and rejects broken variants.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Check = tuple[str, Callable[[Any], None]]


class Mismatch(AssertionError):
    """A check's expectation was not met; the message says what was expected and what came back."""


def expect(actual: Any, expected: Any, what: str = "result") -> None:
    """Raise ``Mismatch`` unless ``actual == expected``."""
    if actual != expected:
        raise Mismatch(f"{what}: expected {expected!r}, got {actual!r}")


@dataclass
class Grade:
    """Outcome of grading one exercise: ``status`` is "not attempted", "passed" or "failed"."""

    exercise: str
    status: str
    lines: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __repr__(self) -> str:  # short: a grader cell's printed report is the real output
        return f"<Grade {self.exercise}: {self.status}>"

    def __str__(self) -> str:
        head = {"passed": "PASSED", "failed": "NOT YET", "not attempted": "NOT ATTEMPTED"}[self.status]
        return "\n".join([f"{self.exercise}: {head}", *self.lines])


def grade(exercise: str, attempt: Any, checks: Sequence[Check], *, show: bool = True) -> Grade:
    """Run every check against ``attempt``; print and return the ``Grade``.

    A check passes when it returns without raising. ``NotImplementedError`` from the first check means the
    exercise was not attempted yet; any other exception is a failed check, reported with its message.
    """
    lines: list[str] = []
    failed = False
    for number, (name, check) in enumerate(checks):
        try:
            check(attempt)
        except NotImplementedError:
            if number == 0:
                result = Grade(exercise, "not attempted",
                               ["  Not attempted yet: write your version in the cell above, run it, then run this "
                                "cell again."])
                if show:
                    print(result)
                return result
            failed = True
            lines.append(f"  ✗ {name}: not implemented for this case")
        except Exception as error:  # noqa: BLE001 - a grader reports every failure, it never crashes the notebook
            failed = True
            lines.append(f"  ✗ {name}: {type(error).__name__}: {error}")
        else:
            lines.append(f"  ✓ {name}")
    result = Grade(exercise, "failed" if failed else "passed", lines)
    if show:
        print(result)
    from .record import record  # saved for kit-report in your work copy only, never under pytest or in CI

    record(result)
    return result


def failed_exactly(result: Grade, *names: str) -> bool:
    """True when ``result`` failed, on exactly the checks whose names start with ``names``.

    What a grader's own test asserts about a broken variant: rejected, and for the right reason.
    """
    bad = [line for line in result.lines if line.startswith("  ✗")]
    return result.status == "failed" and len(bad) == len(names) and all(
        any(line.startswith(f"  ✗ {n}") for line in bad) for n in names)


# -- the world a grader checks against ----------------------------------------------------------------------


def world() -> Any:
    """The running sim (``sim.current()``): the warehouse, S3, the fakes and the manifest of what was injected.

    Imported when a grader runs, not when its module loads, so a notebook imports its grader before it starts
    the sim.
    """
    import sim

    return sim.current()


@contextmanager
def cursor(statements: list[tuple[str, Any]] | None = None) -> Iterator[Any]:
    """A cursor on the sim's warehouse, closed afterwards; with ``statements``, a :class:`SpyCursor` that records
    each statement run through it there."""
    with world().warehouse.cursor() as cur:
        yield cur if statements is None else SpyCursor(cur, statements)


# -- what an answer's SQL did: a cursor and a connection that record each statement --------------------------


class QueryFailed(RuntimeError):
    """What a spy raises instead of running a query, to test an answer's error path."""


class SpyCursor:
    """A real cursor that records each ``execute(sql, params)`` in ``statements`` before running it.

    ``fail=True`` raises :class:`QueryFailed` instead of running anything. Everything else (``fetchone``,
    iteration, ``with``) is the real cursor's.
    """

    def __init__(self, real: Any, statements: list[tuple[str, Any]] | None = None,
                 fail: bool = False) -> None:
        self._real, self.fail = real, fail
        self.statements = statements if statements is not None else []

    def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> SpyCursor:
        self.statements.append((sql, params))
        if self.fail:
            raise QueryFailed("the warehouse is unavailable (raised by the grader)")
        self._real.execute(sql, params, *args, **kwargs)
        return self

    def executemany(self, sql: str, seq: Any, *args: Any, **kwargs: Any) -> SpyCursor:
        seq = list(seq)
        self.statements.extend((sql, params) for params in seq)
        self._real.executemany(sql, seq, *args, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __iter__(self) -> Any:
        return iter(self._real)

    def __enter__(self) -> SpyCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


class SpyConnection:
    """A real connection whose cursors are :class:`SpyCursor`; records whether ``close()`` was called."""

    def __init__(self, real: Any, fail: bool = False) -> None:
        self._real, self.fail = real, fail
        self.statements: list[tuple[str, Any]] = []
        self.closed = False

    def cursor(self, *args: Any, **kwargs: Any) -> SpyCursor:
        return SpyCursor(self._real.cursor(*args, **kwargs), self.statements, self.fail)

    def close(self) -> None:
        self.closed = True
        self._real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> SpyConnection:
        return self

    def __exit__(self, *exc: object) -> None:  # the Snowflake connector closes the connection here too
        self.close()


def sql_forms(value: Any) -> list[str]:
    """How ``value`` reads when pasted into SQL text by an f-string or ``format`` (``'2025-09-29'``, ...)."""
    if isinstance(value, dt.datetime):
        return [value.strftime("%Y-%m-%d %H:%M"), value.strftime("%Y-%m-%dT%H:%M")]
    if isinstance(value, dt.date):
        return [value.isoformat()]
    if isinstance(value, str):
        return [f"'{value.replace(chr(39), chr(39) * 2)}'", f"'{value}'", f'"{value}"']
    return [str(value)]


def _one_line(sql: str, width: int = 100) -> str:
    text = " ".join(str(sql).split())
    return text if len(text) <= width else text[: width - 3] + "..."


def require_bound(statements: Sequence[tuple[str, Any]], values: dict[str, Any]) -> None:
    """Raise ``Mismatch`` unless some statement ran, and no value of ``values`` is pasted into SQL text.

    ``values`` maps what a value is ("the day") to the value the grader passed: it must travel as a bound
    parameter (``%s`` and ``params``), never inside the statement.
    """
    if not statements:
        raise Mismatch("no query ran through the cursor (or connection) the grader passed in")
    for sql, _params in statements:
        for what, value in values.items():
            pasted = next((form for form in sql_forms(value) if form in str(sql)), None)
            if pasted is not None:
                raise Mismatch(f"{what} ({pasted}) is pasted into the SQL text; bind it with %s and params: "
                               f"{_one_line(sql)!r}")


def run_on_duckdb(sql: str, tables: dict[str, tuple[str, Sequence[tuple]]]) -> tuple[list[str], list[tuple]]:
    """Run an answer's SQL on a fresh in-memory DuckDB holding ``tables`` ({name: (columns DDL, rows)}); return
    its column names (upper case) and rows. SQL that DuckDB refuses is a ``Mismatch`` naming the error; a table
    name that is not a plain identifier is a ``ValueError`` before anything runs."""
    import duckdb

    from solutions.sql import quote_identifier

    quoted = {quote_identifier(name, "table name"): spec for name, spec in tables.items()}
    con = duckdb.connect()
    try:
        for name, (columns, rows) in quoted.items():
            con.execute(f"CREATE TABLE {name} ({columns})")
            if rows:
                con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        try:
            cursor = con.execute(sql)
        except duckdb.Error as error:
            raise Mismatch(f"the SQL fails on DuckDB: {str(error).splitlines()[0]}") from None
        return [d[0].upper() for d in cursor.description], cursor.fetchall()
    finally:
        con.close()


def some(items: Sequence[Any], n: int = 3) -> str:
    """A long list told short: its first ``n`` items and its size (a message never lists 1,000 ids)."""
    items = list(items)
    shown = ", ".join(repr(x) for x in items[:n])
    more = f", ... ({len(items)} in all)" if len(items) > n else ""
    return f"[{shown}{more}]"
