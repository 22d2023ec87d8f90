"""What the hidden checks of the API tasks share: run the candidate's code under a time budget, say where it
crashed, catch real sleeping, and fresh simulated worlds on a clock that moves only when something sleeps.

    candidate = Candidate(path)                     # imports the file under the budget; never raises
    candidate.missing("extract")                    # why it cannot be checked (import failed, no such name)
    with sim_world(appointments=1500) as world:     # sim.start on a FakeClock, always stopped
        reset_partner(world)                        # no faults, empty log, a fresh rate limiter
        with traffic(world.partner, world.clock) as exchanges:   # every request, on the sim's clock
            outcome = candidate.call("extract", url, ..., clock=world.clock)
    outcome.ok, outcome.value, outcome.why          # the value, or what it raised and on which line
    ignored_retry_after(exchanges), hammered(exchanges)          # how the client behaved

A check never trusts the candidate's code to return: ``call`` runs it under a wall-clock budget (a signal
alarm in the main thread, which interrupts loops and real sleeps alike; a daemon thread elsewhere), and any
exception, ``NotImplementedError`` (the starter, not attempted) included, becomes an ``Outcome`` whose
``error`` says what was raised and on which line of the candidate's file.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from interview.tasks import Check, import_file

CALL_BUDGET = 3.0  # seconds of wall-clock time for one call of the candidate's code
TOTAL_BUDGET = 8.0  # seconds for all the calls of one grading, so that a hanging answer is still graded quickly
NOT_ATTEMPTED = "not attempted yet: the function still raises NotImplementedError"


class BudgetExceeded(BaseException):
    """Raised inside the candidate's code when its time is up (a BaseException: ``except Exception`` in the
    candidate's retry loop cannot swallow it)."""


@dataclass
class Outcome:
    """What one call of the candidate's code did: ``value``, or ``error`` (what and where), or ``timed_out``."""

    value: Any = None
    error: str | None = None
    timed_out: bool = False
    seconds: float = 0.0
    exception: BaseException | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_attempted(self) -> bool:
        return isinstance(self.exception, NotImplementedError)

    @property
    def why(self) -> str:
        """What went wrong, as a clause: "it raised ValueError: ... (line 3 ...)" or "it did not finish ..."."""
        if self.timed_out:
            return f"it {self.error}" if self.error.startswith("did not") else self.error or ""
        return f"it raised {self.error}"


class Candidate:
    """The candidate's file, imported once (under the budget); ``call`` runs one of its names."""

    def __init__(self, path: Path, budget: float = CALL_BUDGET, total: float = TOTAL_BUDGET) -> None:
        self.path = Path(path).resolve()  # frames of the file carry this name: crash lines, sleeps
        self.budget = budget
        self.left = total  # wall-clock seconds left for all calls; each call gets min(budget, left)
        self.sleeps: list[float] = []  # real ``time.sleep`` calls made from the candidate's file
        self._clock: Any = None
        self.module: ModuleType | None = None
        loaded = self._timed(lambda: import_file(self.path))
        self.import_error = None if loaded.ok else f"importing your file failed: {loaded.error}"
        self.module = loaded.value

    def missing(self, *names: str) -> str | None:
        """Why the file cannot be checked (import failed, a name is not defined), or None."""
        if self.import_error:
            return self.import_error
        absent = [n for n in names if not callable(getattr(self.module, n, None))]
        return f"your file defines no {', '.join(absent)}" if absent else None

    def call(self, name: str, *args: Any, clock: Any = None, **kwargs: Any) -> Outcome:
        """Run ``name(*args, **kwargs)`` under the budget. ``clock``: a real ``time.sleep`` from the candidate's
        file moves this clock instead of waiting (and is recorded in ``sleeps``)."""
        function = getattr(self.module, name)
        return self.run(lambda: function(*args, **kwargs), clock)

    def run(self, action: Callable[[], Any], clock: Any = None) -> Outcome:
        """Like ``call`` for any callable that drives the candidate's objects (a class's methods)."""
        self._clock = clock
        try:
            return self._timed(action)
        finally:
            self._clock = None

    def _timed(self, action: Callable[[], Any]) -> Outcome:
        if self.left <= 0.05:
            return Outcome(error="not run: earlier calls used up the whole time budget of this grading",
                           timed_out=True)
        with self.watch_sleep():
            outcome = run(action, self.path, round(min(self.budget, self.left), 1))
        self.left -= outcome.seconds
        return outcome

    @contextmanager
    def watch_sleep(self) -> Iterator[None]:
        """While inside, ``time.sleep`` called from the candidate's file returns at once: it is recorded and, when
        a clock is given, moves that clock (so the rest of the run behaves as if the time had passed)."""
        real = time.sleep
        mine = str(self.path.resolve())

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


def run(action: Callable[[], Any], solution: Path, budget: float = CALL_BUDGET) -> Outcome:
    """Run ``action()`` under a wall-clock ``budget``; never raises (bar KeyboardInterrupt)."""
    started = time.monotonic()
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        outcome = _run_with_alarm(action, solution, budget)
    else:
        outcome = _run_in_thread(action, solution, budget)
    outcome.seconds = time.monotonic() - started
    return outcome


def _alarm(signum: int, frame: Any) -> None:
    raise BudgetExceeded


def _run_with_alarm(action: Callable[[], Any], solution: Path, budget: float) -> Outcome:
    started = time.monotonic()
    pending, _ = signal.getitimer(signal.ITIMER_REAL)  # someone else's alarm (a test runner's) is put back after
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget, 0.05)  # and again every 50 ms, in case a bare except ate it
    try:
        try:
            return Outcome(value=action())
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BudgetExceeded:
        return Outcome(error=f"did not finish within {budget:g} s (an endless loop, or real waiting?)",
                       timed_out=True)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - the candidate's crash becomes a failed check
        return Outcome(error=describe(error, solution), exception=error)
    finally:
        signal.signal(signal.SIGALRM, previous)
        if pending:
            signal.setitimer(signal.ITIMER_REAL, max(0.001, pending - (time.monotonic() - started)))


def _run_in_thread(action: Callable[[], Any], solution: Path, budget: float) -> Outcome:
    box: list[Outcome] = []

    def target() -> None:
        try:
            box.append(Outcome(value=action()))
        except BaseException as error:  # noqa: BLE001 - the candidate's crash becomes a failed check
            box.append(Outcome(error=describe(error, solution), exception=error))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(budget)
    if not box:
        return Outcome(error=f"did not finish within {budget:g} s (an endless loop, or real waiting?)",
                       timed_out=True)
    return box[0]


def describe(error: BaseException, solution: Path) -> str:
    """``ValueError: ... (line 12 of extractor.py, in fetch)``: the deepest frame in the candidate's file."""
    if isinstance(error, NotImplementedError):
        return NOT_ATTEMPTED
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    mine = str(Path(solution).resolve())
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == mine]
    if frames:
        last = frames[-1]
        return f"{text} (line {last.lineno} of {Path(solution).name}, in {last.name})"
    return text


def not_run(names: list[str], why: str) -> list[Check]:
    """Every check failed for one reason (the file did not import, or the function is missing)."""
    return [Check(name, False, why) for name in names]


def unjudged(outcomes: dict[str, Outcome], skip: tuple[str, ...] = ()) -> str | None:
    """Why a check about *how* the code behaves cannot pass (a scenario it watches did not complete: a solution
    that crashes or hangs early never meets the 429 or the retry being judged), or None."""
    for scenario, outcome in outcomes.items():
        if scenario not in skip and not outcome.ok:
            return f"cannot be judged: {scenario} did not complete ({outcome.why})"
    return None


def time_budget_check(outcomes: dict[str, Outcome], budget: float = CALL_BUDGET) -> Check:
    """Did every call finish within its wall-clock budget?"""
    slow = [name for name, outcome in outcomes.items() if outcome.timed_out]
    if slow:
        return Check("time budget", False, f"{', '.join(slow)}: did not finish within {budget:g} s. The sim's "
                     "clock only moves when you sleep on it: look for a loop that never ends (a retry without a "
                     "limit, a wait that never advances the clock) or a real time.sleep.")
    return Check("time budget", True)


# -- worlds ----------------------------------------------------------------------------------------------------


@contextmanager
def sim_world(**kwargs: Any) -> Iterator[Any]:
    """``sim.running(clock=FakeClock(), **kwargs)``: a fresh world whose time moves only when code sleeps."""
    import sim
    from sim.clock import FakeClock

    with sim.running(clock=FakeClock(), **kwargs) as world:
        yield world


def reset_partner(world: Any, requests_per_second: float | None = None) -> None:
    """The partner API as new: no faults, no damage, an empty request log and a fresh rate limiter; the clock
    jumps a minute ahead so no earlier request counts in the limiter's window."""
    from sim.partner_api import SlidingWindowLimiter

    partner = world.partner
    partner.faults.clear()
    partner.log.clear()
    partner.transform = None
    rate = requests_per_second or (partner.limiter.limit / partner.limiter.window)
    world.clock.advance(60.0)
    partner.limiter = SlidingWindowLimiter(rate, world.clock)


def reset_backend(world: Any) -> None:
    """The backend API as new: no faults and an empty request log."""
    world.backend.faults.clear()
    world.backend.log.clear()
    world.clock.advance(60.0)


@contextmanager
def wrapped_handle(service: Any, wrapper: Callable[[Any, Any], Any]) -> Iterator[None]:
    """Route a fake service's requests through ``wrapper(request, handle)`` while inside (``sim.http.mount``
    looks ``handle`` up on every request, so an instance attribute takes effect at once)."""
    original = service.handle
    own = vars(service).get("handle")  # a wrapper already in place (wrappers nest)
    service.handle = lambda request: wrapper(request, original)
    try:
        yield
    finally:
        if own is None:
            del service.handle
        else:
            service.handle = own


@dataclass(frozen=True)
class Exchange:
    """One request a fake service answered, as the checks see it: when (on the world's clock), which page of a
    walk (1 for a first request, else from ``page`` or the cursor), the status (None: timed out), the
    ``Retry-After`` it carried, and the parameters sent."""

    time: float
    path: str
    page: int | None
    status: int | None
    retry_after: float | None
    params: dict[str, str]


@contextmanager
def traffic(service: Any, clock: Any) -> Iterator[list[Exchange]]:
    """Record every exchange with ``service`` while inside (the list fills as requests arrive)."""
    from sim.http import decode_cursor

    seen: list[Exchange] = []

    def record(request: Any, handle: Callable[[Any], Any]) -> Any:
        now = clock.monotonic()
        response = handle(request)
        path = request.path.rstrip("/")
        page: int | None = 1
        if "cursor" in request.params:
            state = decode_cursor(path, request.params["cursor"])
            page = state.get("page") if state else None
        elif request.params.get("page", "").isdigit():
            page = int(request.params["page"])
        after = response.headers.get("Retry-After")
        seen.append(Exchange(now, path, page, None if response.timeout else response.status,
                             float(after) if after else None, dict(request.params)))
        return response

    with wrapped_handle(service, record):
        yield seen


def ignored_retry_after(exchanges: list[Exchange]) -> list[str]:
    """Requests sent before a 429's ``Retry-After`` had passed on the clock: ``"after 429 at t=..., ..."``."""
    early = []
    for sent, following in zip(exchanges, exchanges[1:]):
        if sent.status == 429 and sent.retry_after and following.time < sent.time + sent.retry_after - 1e-6:
            early.append(f"a 429 said Retry-After: {sent.retry_after:g} s, the next request came "
                         f"{following.time - sent.time:.2f} s later")
    return early


def hammered(exchanges: list[Exchange], statuses: tuple[Any, ...] = (None, 500, 502, 503, 504)) -> list[str]:
    """Retries sent at the very same instant as the failure before them (no back-off at all)."""
    return [f"after {'a timeout' if sent.status is None else f'HTTP {sent.status}'} on page {sent.page}, "
            "the retry went out at the same instant"
            for sent, following in zip(exchanges, exchanges[1:])
            if sent.status in statuses and following.time <= sent.time]
