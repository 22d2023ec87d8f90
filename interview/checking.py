"""What every python task's hidden checks share: the candidate's file imported and called under a time budget, a
crash told by file and line, a real ``time.sleep`` caught, and the verdicts turned into ``Check`` s.

    candidate = Candidate(solution, "extract", budget=3.0)  # imports the file under the budget; never raises
    candidate.missing()                       # why it cannot be checked (no file, import failed, no such name)
    outcome = candidate.call(url, label="a week of faults", clock=world.clock)   # never raises
    outcome.ok, outcome.value, outcome.why    # the value, or what it raised and on which line, or "took too long"
    time_budget_check(candidate)              # the "time budget" check: did every call finish in time?

Two ways to turn outcomes into checks. A task may build its list of ``Check`` s itself (``not_run`` when nothing
can run, ``unjudged`` when a scenario a behaviour check watches did not complete), or use a ``Board``: one verdict
per check name in a fixed order, fed by many ``expect`` s, where ``ran`` fails the named checks of a call that
crashed and the starter as given fails every check calmly ("not attempted").

A check never trusts the candidate's code to return. On the main thread a signal alarm interrupts it, in a loop or in
a blocking wait (a real sleep, a lock, a socket) alike, and repeats every 50 ms in case a bare ``except:`` ate it; elsewhere it runs in a
worker thread that is stopped with an exception raised inside it (``PyThreadState_SetAsyncExc``, delivered at its
next Python instruction; code stuck inside C is left behind as a daemon thread, and ``interview.tasks.grade``
bounds the whole child anyway, as it does a ``while True`` whose ``try`` ... ``except:`` catches every
interruption). After ``MAX_TIMEOUTS`` time-outs later calls are not made: a solution that always
hangs costs two budgets, not one per scenario.
"""

from __future__ import annotations

import ctypes
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from interview.tasks import Check, import_file

CALL_BUDGET = 3.0  # seconds of wall-clock time for one call of the candidate's code
NOT_ATTEMPTED = "not attempted yet: your function still raises NotImplementedError"


class BudgetExceeded(BaseException):
    """Raised inside the candidate's code when its time is up (a BaseException: ``except Exception`` in the
    candidate's retry loop cannot swallow it)."""


@dataclass(frozen=True)
class Outcome:
    """What one call of the candidate's code did: its ``value``, or ``error``, a verb phrase saying what went wrong
    and where ("raised KeyError: 'k' (line 3 in f: ...)", "did not finish within 3 s (...)")."""

    value: Any = None
    error: str | None = None
    exception: BaseException | None = field(default=None, repr=False)
    timed_out: bool = False
    not_attempted: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def why(self) -> str:
        """What went wrong, as a clause: "it raised ValueError: ... (line 3 in f: ...)"."""
        return f"it {self.error}"

    def raised(self, kind: type[BaseException]) -> bool:
        return isinstance(self.exception, kind)


def describe(error: BaseException, solution: Path) -> str:
    """``ValueError: bad day (line 12 in plan: days.sort(...))``: what was raised, at the deepest frame of the
    candidate's file."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    frames = [f for f in traceback.extract_tb(error.__traceback__) if Path(f.filename) == Path(solution).resolve()]
    if not frames:
        return f"{text} (outside your file, in a library your code called)"
    frame = frames[-1]
    code = f": {frame.line.strip()}" if frame.line else ""
    return f"{text} (line {frame.lineno} in {frame.name}{code})"


def run_with_budget(action: Callable[[], Any], solution: Path, budget: float = CALL_BUDGET) -> Outcome:
    """Run ``action()`` under a wall-clock ``budget``; an ``Outcome`` however it ends (value, crash or time out),
    never an exception (bar a KeyboardInterrupt on the main thread)."""
    started = time.monotonic()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        value, error = _with_alarm(action, budget)
    else:
        value, error = _in_thread(action, budget)
    seconds = time.monotonic() - started
    if isinstance(error, BudgetExceeded):
        return Outcome(error=f"did not finish within {budget:g} s (an endless loop, or a wait that never ends?)",
                       timed_out=True, seconds=seconds)
    if error is None:
        return Outcome(value=value, seconds=seconds)
    where = describe(error, solution)
    if isinstance(error, NotImplementedError) and "outside your file" not in where:
        return Outcome(error="still raises NotImplementedError (not attempted yet)", exception=error,
                       not_attempted=True, seconds=seconds)
    return Outcome(error=f"raised {where}", exception=error, seconds=seconds)


def _alarm(signum: int, frame: Any) -> None:
    raise BudgetExceeded


def _with_alarm(action: Callable[[], Any], budget: float) -> tuple[Any, BaseException | None]:
    started = time.monotonic()
    pending, _ = signal.getitimer(signal.ITIMER_REAL)  # someone else's alarm (a test runner's) is put back after
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget, 0.05)  # and again every 50 ms, in case a bare except ate it
    try:
        try:
            return action(), None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - the candidate's crash (SystemExit too) becomes a failed check
        return None, error
    finally:
        signal.signal(signal.SIGALRM, previous)
        if pending:
            signal.setitimer(signal.ITIMER_REAL, max(0.001, pending - (time.monotonic() - started)))


def _in_thread(action: Callable[[], Any], budget: float) -> tuple[Any, BaseException | None]:
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = action()
        except BaseException as error:  # noqa: BLE001 - the candidate's SystemExit or KeyboardInterrupt too
            box["error"] = error

    worker = threading.Thread(target=work, name="candidate-call", daemon=True)
    worker.start()
    worker.join(budget)
    if worker.is_alive():
        for _ in range(10):  # again, in case the code caught it (a bare ``except:`` in a loop can outlast this)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(BudgetExceeded))
            worker.join(0.1)
            if not worker.is_alive():
                break
        return None, BudgetExceeded()
    return box.get("value"), box.get("error")


class Candidate:
    """The candidate's file, imported once under the budget, and the name the task asks for (a function or a
    class); ``call`` runs it, ``run`` any callable that drives the candidate's objects, each under ``budget``.

    A real ``time.sleep`` called from the candidate's file returns at once: it is recorded in ``sleeps`` and moves
    the ``clock`` given to the call, if any (the rest of the run behaves as if the time had passed).
    """

    MAX_TIMEOUTS = 2

    def __init__(self, solution: Path, name: str, budget: float = CALL_BUDGET) -> None:
        self.solution = Path(solution).resolve()  # frames of the file carry this name: crash lines, sleeps
        self.name = name
        self.budget = budget
        self.sleeps: list[float] = []
        self.timeouts: list[str] = []  # the labels of the calls that ran out of time
        self.slowest = 0.0
        self._clock: Any = None
        self.module: ModuleType | None = None
        self.import_error: str | None = None
        if not self.solution.is_file():
            self.import_error = f"{self.solution.name} does not exist"
            return
        loaded = self.run(lambda: import_file(self.solution), label="importing your file")
        if loaded.ok:
            self.module = loaded.value
        else:
            self.import_error = f"your file does not import: {loaded.error}"

    def missing(self) -> str | None:
        """Why the file cannot be checked (no file, the import failed, the name is not defined), or None."""
        if self.import_error:
            return self.import_error
        if not callable(getattr(self.module, self.name, None)):
            return f"your file defines no {self.name}"
        return None

    def ready(self, board: Board) -> bool:
        """True when the name can be called; otherwise every check of ``board`` fails saying why."""
        why = self.missing()
        if why:
            board.fail_all(why)
        return why is None

    def call(self, *args: Any, label: str = "", clock: Any = None, **kwargs: Any) -> Outcome:
        """``name(*args, **kwargs)`` under the budget; ``label`` names the scenario in a time-out report."""
        why = self.missing()
        if why:
            raise RuntimeError(f"cannot call {self.name}: {why}")
        target = getattr(self.module, self.name)
        return self.run(lambda: target(*args, **kwargs), label=label, clock=clock)

    def run(self, action: Callable[[], Any], *, label: str = "", clock: Any = None) -> Outcome:
        """``action()`` under the budget, with real sleeps from the candidate's file moving ``clock``."""
        if len(self.timeouts) >= self.MAX_TIMEOUTS:
            return Outcome(error=f"was not called: {len(self.timeouts)} earlier calls ran out of time "
                                 f"({', '.join(self.timeouts)})")
        self._clock = clock
        try:
            with self._watch_sleep():
                outcome = run_with_budget(action, self.solution, self.budget)
        finally:
            self._clock = None
        self.slowest = max(self.slowest, outcome.seconds)
        if outcome.timed_out:
            self.timeouts.append(label or "a call")
        return outcome

    @contextmanager
    def _watch_sleep(self) -> Iterator[None]:
        real = time.sleep
        mine = str(self.solution)

        def sleep(seconds: float) -> None:
            if sys._getframe(1).f_code.co_filename != mine:
                return real(seconds)
            self.sleeps.append(seconds)
            if self._clock is not None and seconds > 0:
                self._clock.advance(seconds)
            return None

        time.sleep = sleep
        try:
            yield
        finally:
            time.sleep = real

    def judge_budget(self, board: Board) -> None:
        """The ``time budget`` check on a board."""
        check = time_budget_check(self)
        board.expect(check.name, check.passed, check.detail)


def time_budget_check(candidate: Candidate, name: str = "time budget") -> Check:
    """Did every call finish within its wall-clock budget?"""
    if candidate.timeouts:
        return Check(name, False, f"{', '.join(candidate.timeouts)}: did not finish within {candidate.budget:g} s. "
                     "Look for a loop that never ends (a retry without a limit, a wait that never advances the "
                     "clock it waits on) or a real time.sleep.")
    return Check(name, True)


def not_run(names: Iterable[str], why: str) -> list[Check]:
    """Every check failed for one reason (the file did not import, the function is missing, not attempted)."""
    return [Check(name, False, why) for name in names]


def unjudged(outcomes: dict[str, Outcome], skip: tuple[str, ...] = ()) -> str | None:
    """Why a check about *how* the code behaves cannot pass (a scenario it watches did not complete: a solution
    that crashes or hangs early never meets the 429 or the retry being judged), or None."""
    for scenario, outcome in outcomes.items():
        if scenario not in skip and not outcome.ok:
            return f"cannot be judged: {scenario} did not complete ({outcome.why})"
    return None


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
            self.fail_all(NOT_ATTEMPTED)
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
