"""The SQL tasks' spies: ``SpyConnection`` wraps a real (fakesnow) connection, records ``(sql, params)``, can play
the process being killed just before a given statement, and refuses a statement carrying an injection payload;
``pasted`` finds values written into SQL text instead of bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from exercises import grading
from exercises.grading import sql_forms

class ProcessDied(ConnectionError):
    """What a spy raises when the grader kills the candidate's process: the connection is gone with it."""


class Refused(RuntimeError):
    """What a spy raises instead of running a statement that carries an injection payload."""


def one_line(sql: str) -> str:
    return " ".join(str(sql).split())


class SpyConnection:
    """A real (fakesnow) connection whose statements are recorded as ``(sql, params)`` in ``statements``.

    ``dies_before(sql_upper)``: the process is killed just before the first statement it matches; every later
    statement raises too (a dead process sends nothing). ``poison``: a statement containing it is recorded and
    refused, so an injection payload never runs. ``close()`` is left to the grader, who closes the real connection
    after the call: for a killed process, that is what makes the warehouse roll back what it left open.
    """

    def __init__(self, real: Any, *, dies_before: Callable[[str], bool] | None = None,
                 poison: str | None = None) -> None:
        self._real, self._dies_before, self._poison = real, dies_before, poison
        self.statements: list[tuple[str, Any]] = []
        self.died = False

    def gate(self, sql: str, params: Any = None) -> None:
        text = one_line(sql).upper()
        if self.died:
            raise ProcessDied("the process is gone")
        if self._dies_before is not None and self._dies_before(text):
            self.died = True
            raise ProcessDied("the worker process was killed here (injected by the grader)")
        self.statements.append((str(sql), params))
        if self._poison and self._poison.upper() in text:
            raise Refused("the grader refused to run a statement with the injected name in it")

    def cursor(self, *args: Any, **kwargs: Any) -> SpyCursor:
        return SpyCursor(self, self._real.cursor(*args, **kwargs))

    def commit(self) -> None:
        self.gate("COMMIT")
        self._real.commit()

    def rollback(self) -> None:
        self.gate("ROLLBACK")
        self._real.rollback()

    def autocommit(self, mode: bool) -> None:
        self.gate(f"ALTER SESSION SET AUTOCOMMIT = {bool(mode)}")
        self._real.autocommit(mode)

    def close(self) -> None:
        """The grader closes the real connection after the call."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> SpyConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SpyCursor(grading.SpyCursor):
    """A real cursor whose ``execute``/``executemany`` pass through its connection's ``gate`` first (the rest,
    ``fetchone``, iteration, ``with``, is the real cursor's)."""

    def __init__(self, conn: SpyConnection, real: Any) -> None:
        super().__init__(real)
        self._conn = conn

    def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> SpyCursor:
        self._conn.gate(sql, params)
        self._real.execute(sql, params, *args, **kwargs)
        return self

    def executemany(self, sql: str, seq: Any, *args: Any, **kwargs: Any) -> SpyCursor:
        seq = list(seq)
        self._conn.gate(sql, seq)
        self._real.executemany(sql, seq, *args, **kwargs)
        return self


def pasted(statements: Iterable[tuple[str, Any]], values: Iterable[tuple[str, Any]]) -> list[tuple[str, str]]:
    """``(what, sql)`` for each value of ``values`` (``(what, value)``) written into a statement's text instead of
    bound: a date as ``2025-09-05``, text quoted or bare. ``PUT``/``REMOVE`` (file paths) are not queries."""
    found = []
    for sql, _ in statements:
        if one_line(sql).upper().startswith(("PUT ", "REMOVE ")):
            continue
        for what, value in values:
            forms = [*sql_forms(value), value] if isinstance(value, str) else sql_forms(value)
            if any(form in sql for form in forms):
                found.append((what, one_line(sql)))
    return found
