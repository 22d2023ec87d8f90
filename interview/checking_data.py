"""What the data tasks' hidden checks share: the candidate's function called under a time budget, a crash told
by file and line, a board that turns many observations into one ``Check`` per property in a fixed order, and a
warehouse connection that records what the candidate's code sends.

    board = Board(["clean days pass", "null keys", "time budget"])
    candidate = Candidate(solution, "quality_gate", budget=8.0)
    if not candidate.ready(board):           # no such file or function, an import error: every check fails
        return board.checks()
    outcome = candidate.call(cursor, day)    # never raises: a value, or where it crashed, or "took too long"
    if board.ran("clean days pass", outcome, f"on {day}"):   # the starter as given fails every check, calmly
        board.expect("clean days pass", outcome.value["passed"], f"{day} is clean but ...")
    candidate.judge_budget(board)
    return board.checks()

Each call runs in a worker thread: one that outlives its budget is stopped with an exception raised inside it
(``PyThreadState_SetAsyncExc``, delivered at its next Python instruction) and reported as a failed call, so a
``while True`` in the candidate's code fails a check instead of stopping the grading. Code stuck inside C (a
long ``sleep``) is left behind as a daemon thread; ``interview.tasks.grade`` bounds the whole child anyway.

``SpyConnection`` wraps a real (fakesnow) connection: it records ``(sql, params)``, can play the process being
killed just before a given statement, and refuses a statement carrying an injection payload; ``pasted`` finds
values written into SQL text instead of bound.
"""

from __future__ import annotations

import ctypes
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from exercises.grading import sql_forms
from interview.tasks import Check, import_file


class TimeBudgetExceeded(BaseException):
    """Raised inside a candidate's call that outlived its time budget (a BaseException: a retry loop's
    ``except Exception`` does not swallow it)."""


@dataclass(frozen=True)
class Outcome:
    """One call of the candidate's function: its ``value``, or ``error`` (a sentence saying what and where)."""

    value: Any = None
    error: str | None = None
    exception: BaseException | None = None
    timed_out: bool = False
    not_attempted: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    def raised(self, kind: type[BaseException]) -> bool:
        return isinstance(self.exception, kind)


def where_in(solution: Path, error: BaseException) -> str:
    """``"line 12 in plan: days.sort(...)"`` for the deepest frame of ``error`` in the candidate's file."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == solution]
    if not frames:
        return "outside your file (in a library your code called)"
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"line {frame.lineno} in {frame.name}{code}"


def run_with_budget(fn: Callable[..., Any], args: tuple, kwargs: dict, budget: float, solution: Path) -> Outcome:
    """Call ``fn`` in a worker thread; an ``Outcome`` however it ends (value, exception or time out)."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as error:  # noqa: BLE001 - the candidate's SystemExit or KeyboardInterrupt too
            box["error"] = error

    started = time.monotonic()
    worker = threading.Thread(target=work, name="candidate-call", daemon=True)
    worker.start()
    worker.join(budget)
    if worker.is_alive():
        for _ in range(10):  # again, in case the code caught it (a bare ``except:`` in a loop can outlast this)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident),
                                                       ctypes.py_object(TimeBudgetExceeded))
            worker.join(0.1)
            if not worker.is_alive():
                break
        return Outcome(error=f"did not return within its time budget of {budget:g} s (an endless loop, or a wait "
                             "that never ends?)", timed_out=True, seconds=time.monotonic() - started)
    seconds = time.monotonic() - started
    if "error" not in box:
        return Outcome(value=box.get("value"), seconds=seconds)
    error = box["error"]
    if isinstance(error, NotImplementedError) and where_in(solution, error).startswith("line"):
        return Outcome(error="still raises NotImplementedError (not attempted yet)", exception=error,
                       not_attempted=True, seconds=seconds)
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    return Outcome(error=f"raised {text} ({where_in(solution, error)})", exception=error, seconds=seconds)


class Candidate:
    """The candidate's file and the function the task asks for, called under ``budget`` seconds per call.

    After ``MAX_TIMEOUTS`` calls have run out of time, later calls are not made (each reports why): a function
    that always hangs costs two budgets, not one per scenario, and the grading ends well inside the child's limit.
    """

    MAX_TIMEOUTS = 2

    def __init__(self, solution: Path, function: str, budget: float) -> None:
        self.solution = Path(solution).resolve()
        self.function = function
        self.budget = budget
        self.fn: Callable[..., Any] | None = None
        self.slowest = 0.0
        self.timeouts: list[str] = []

    def ready(self, board: Board) -> bool:
        """Import the file and find the function; on failure every check of ``board`` fails saying why."""
        if not self.solution.is_file():
            board.fail_all(f"{self.solution.name} does not exist")
            return False
        loaded = run_with_budget(import_file, (self.solution,), {}, self.budget, self.solution)
        if not loaded.ok:
            board.fail_all(f"your file does not import: {loaded.error}")
            return False
        fn = getattr(loaded.value, self.function, None)
        if not callable(fn):
            board.fail_all(f"your file defines no function {self.function}(...)")
            return False
        self.fn = fn
        return True

    def call(self, *args: Any, label: str = "", **kwargs: Any) -> Outcome:
        """``function(*args, **kwargs)`` under the budget; ``label`` names the scenario in a time-out report."""
        if self.fn is None:
            raise RuntimeError("call ready() before call()")
        if len(self.timeouts) >= self.MAX_TIMEOUTS:
            return Outcome(error=f"was not called: {len(self.timeouts)} earlier calls ran out of time "
                                 f"({', '.join(self.timeouts)})")
        outcome = run_with_budget(self.fn, args, kwargs, self.budget, self.solution)
        self.slowest = max(self.slowest, outcome.seconds)
        if outcome.timed_out:
            self.timeouts.append(label or "a call")
        return outcome

    def judge_budget(self, board: Board, name: str = "time budget") -> None:
        board.expect(name, not self.timeouts,
                     f"{self.function} did not return within {self.budget:g} s ({', '.join(self.timeouts)}); "
                     "look for a loop whose condition never changes or a wait without a deadline")


class Board:
    """One verdict per check name, in the order given. ``expect`` may be called many times for one name: the
    check passes when every expectation held, and its detail is the first one that did not."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self._failed: dict[str, str] = {}
        self._judged: set[str] = set()
        self.counts: dict[str, int] = dict.fromkeys(self.names, 0)  # expectations per check: proof it was exercised

    def expect(self, name: str, condition: Any, detail: str | Callable[[], str] = "") -> bool:
        if name not in self.names:
            raise KeyError(f"no check named {name!r}; checks are {self.names}")
        self._judged.add(name)
        self.counts[name] += 1
        if not condition and name not in self._failed:
            self._failed[name] = detail() if callable(detail) else detail
        return bool(condition)

    def ran(self, names: str | Iterable[str], outcome: Outcome, scenario: str) -> bool:
        """True when the call returned; otherwise each named check fails, saying where the call failed."""
        if outcome.ok:
            return True
        if outcome.not_attempted:  # the starter as given: every check fails, calmly, for that one reason
            self.fail_all("not attempted yet: your function still raises NotImplementedError")
            return False
        for name in [names] if isinstance(names, str) else names:
            self.expect(name, False, f"{scenario}: your function {outcome.error}")
        return False

    def fail_all(self, detail: str) -> None:
        for name in self.names:
            self.expect(name, False, detail)

    def checks(self) -> list[Check]:
        return [Check(name, name in self._judged and name not in self._failed,
                      self._failed.get(name, "" if name in self._judged else "not checked: an earlier step failed"))
                for name in self.names]


# -- a warehouse connection that records what the candidate's code sends ----------------------------------------


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


class SpyCursor:
    """A real cursor whose ``execute``/``executemany`` pass through its connection's ``gate`` first."""

    def __init__(self, conn: SpyConnection, real: Any) -> None:
        self._conn, self._real = conn, real

    def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> SpyCursor:
        self._conn.gate(sql, params)
        self._real.execute(sql, params, *args, **kwargs)
        return self

    def executemany(self, sql: str, seq: Any, *args: Any, **kwargs: Any) -> SpyCursor:
        seq = list(seq)
        self._conn.gate(sql, seq)
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
