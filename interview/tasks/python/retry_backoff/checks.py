"""Hidden checks for ``call_with_retry``: a flaky call against the sim's fake clock (its ``sleep`` returns at
once and records every wait) and a random source whose draws the checks choose; every call of the candidate's
code runs under the shared time budget (``interview.checking``)."""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import cycle
from pathlib import Path

from interview.checking import NOT_ATTEMPTED, Candidate, not_run, time_budget_check
from interview.tasks import Check
from sim.clock import FakeClock

NAMES = ["returns the result", "retries only retryable errors", "bounded attempts", "raises the last error",
         "no wait after the last attempt", "backoff grows and is capped", "full jitter from the injected random",
         "time budget"]


class Draws:
    """A random source returning the share ``f`` of the range asked for, ``f`` taken in turn from ``shares``;
    answers both ``uniform(a, b)`` and ``random()``."""

    def __init__(self, *shares: float) -> None:
        self._shares = cycle(shares)

    def random(self) -> float:
        return next(self._shares)

    def uniform(self, a: float, b: float) -> float:
        return a + next(self._shares) * (b - a)


class Flaky:
    """A call that raises the given errors in turn, then returns ``"ok"``; ``fail_forever`` raises a new
    ``TimeoutError`` on every call. Every raised error is kept, in order."""

    def __init__(self, *errors: BaseException, fail_forever: bool = False) -> None:
        self.errors = list(errors)
        self.raised: list[BaseException] = []
        self.calls = 0
        self.fail_forever = fail_forever

    def __call__(self) -> str:
        self.calls += 1
        if self.fail_forever:
            error: BaseException = TimeoutError(f"read timed out (call {self.calls})")
        elif self.errors:
            error = self.errors.pop(0)
        else:
            return "ok"
        self.raised.append(error)
        raise error


def _close(got: list[float], want: list[float]) -> bool:
    return len(got) >= len(want) and all(math.isclose(g, w, abs_tol=1e-9) for g, w in zip(got, want))


def _what(error: BaseException | None) -> str:
    return f"{type(error).__name__}: {error}" if error is not None else "no error"


def _waits(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


Run = Callable[..., tuple[object, BaseException | None]]


def check(solution: Path) -> list[Check]:
    candidate = Candidate(solution, "call_with_retry")
    why = candidate.missing()
    if why:
        return not_run(NAMES, why)
    if candidate.call(lambda: "ok", sleep=FakeClock().sleep, rng=Draws(0.5), label="a first try").not_attempted:
        return not_run(NAMES, NOT_ATTEMPTED)

    def run(scenario: str, fn: Flaky, clock: FakeClock, **options) -> tuple[object, BaseException | None]:
        """The candidate's call_with_retry on one scenario: (what it returned, what it raised)."""
        outcome = candidate.call(fn, sleep=clock.sleep, label=scenario, **options)
        return outcome.value, outcome.exception

    checks = [_returns(run), _only_retryable(run), *_gives_up(run), _backoff(run), _jitter(run)]
    if candidate.sleeps:  # a real time.sleep from the file: it returned at once, and the fake clock saw no wait
        checks = [c if c.passed else Check(c.name, False, f"{c.detail}. It called time.sleep: wait with the "
                                                          "injected sleep, never time.sleep") for c in checks]
    return [*checks, time_budget_check(candidate)]


def _returns(run: Run) -> Check:
    name = "returns the result"
    clock = FakeClock()
    fn = Flaky(ConnectionError("connection reset"), TimeoutError("read timed out"))
    result, error = run("fails twice, then succeeds", fn, clock, rng=Draws(0.5), max_attempts=5)
    if error is not None or result != "ok" or fn.calls != 3:
        return Check(name, False, f"a call that fails twice, then returns 'ok': got {result!r} after {fn.calls} "
                                  f"calls ({_what(error)}); expected 'ok' after 3")
    clock, fn = FakeClock(), Flaky()
    result, error = run("succeeds at once", fn, clock, rng=Draws(0.5))
    if error is not None or result != "ok" or fn.calls != 1 or clock.sleeps:
        return Check(name, False, f"a call that succeeds at once: {fn.calls} calls, waits {_waits(clock.sleeps)}, "
                                  f"returned {result!r}; expected one call, no wait, 'ok'")
    return Check(name, True)


def _only_retryable(run: Run) -> Check:
    name = "retries only retryable errors"
    clock = FakeClock()
    refusal = ValueError("400 Bad Request: unknown field 'since'")
    fn = Flaky(refusal)
    _, error = run("a 400", fn, clock, rng=Draws(0.5))
    if error is not refusal or fn.calls != 1 or clock.sleeps:
        return Check(name, False, f"a ValueError (not in retry_on) was called {fn.calls} times with waits "
                                  f"{_waits(clock.sleeps)} and ended in {_what(error)}; it must "
                                  "propagate at once: one call, no wait, the same exception")
    clock = FakeClock()
    fn = Flaky(ConnectionResetError("connection reset by peer"))
    result, _ = run("a subclass of ConnectionError", fn, clock, rng=Draws(0.5))
    if result != "ok" or fn.calls != 2:
        return Check(name, False, "ConnectionResetError is a subclass of ConnectionError, so it is retryable; "
                                  f"it was not retried ({fn.calls} call). Use except retry_on / isinstance, "
                                  "not type(error) in retry_on")
    return Check(name, True)


def _gives_up(run: Run) -> list[Check]:
    clock = FakeClock()
    fn = Flaky(fail_forever=True)
    _, error = run("always fails", fn, clock, rng=Draws(0.5), max_attempts=4, base=1.0, cap=60.0)
    bounded = Check("bounded attempts", fn.calls == 4,
                    f"a call that always times out, max_attempts=4: called {fn.calls} times; expected 4 "
                    "(the first call counts as an attempt)")
    last = fn.raised[-1] if fn.raised else None
    raised = Check("raises the last error", error is not None and error is last,
                   f"when every attempt failed, it ended in {_what(error)}; expected the error "
                   f"of the last call ({last}), the same object, not a wrapper or an earlier error")
    waits = len(clock.sleeps) == max(fn.calls - 1, 0)
    after = Check("no wait after the last attempt", waits,
                  f"{fn.calls} calls but {len(clock.sleeps)} waits {_waits(clock.sleeps)}: wait only between "
                  "attempts; a wait after the last failure only delays the error")
    return [bounded, raised, after]


def _backoff(run: Run) -> Check:
    clock = FakeClock()
    run("backoff", Flaky(fail_forever=True), clock, rng=Draws(1.0), max_attempts=6, base=1.0, cap=5.0)
    want = [1.0, 2.0, 4.0, 5.0, 5.0]
    return Check("backoff grows and is capped", _close(clock.sleeps, want),
                 f"base=1, cap=5, every draw at the top of its range: waits {_waits(clock.sleeps)}; expected "
                 f"{_waits(want)} (min(cap, base * 2 ** (n - 1)) before retry n)")


def _jitter(run: Run) -> Check:
    clock = FakeClock()
    run("jitter", Flaky(fail_forever=True), clock, rng=Draws(0.5, 0.25, 0.75, 0.1), max_attempts=5, base=2.0,
        cap=100.0)
    want = [1.0, 1.0, 6.0, 1.6]
    return Check("full jitter from the injected random", _close(clock.sleeps, want),
                 f"base=2, draws 0.5, 0.25, 0.75, 0.1 of each range: waits {_waits(clock.sleeps)}; expected "
                 f"{_waits(want)}: full jitter is a uniform draw in [0, ceiling] from the injected rng, one draw "
                 "per wait")
