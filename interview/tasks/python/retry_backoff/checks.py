"""Hidden checks for ``call_with_retry``: a flaky call against the sim's fake clock (its ``sleep`` returns at
once and records every wait) and a random source whose draws the checks choose."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from itertools import cycle
from pathlib import Path

from interview.tasks import Check, import_file
from sim.clock import FakeClock

NAMES = ("returns the result", "retries only retryable errors", "bounded attempts", "raises the last error",
         "no wait after the last attempt", "backoff grows and is capped", "full jitter from the injected random")


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


def _no_real_sleep(seconds: float) -> None:
    raise RuntimeError("time.sleep was called: wait with the injected sleep, never time.sleep")


def _close(got: list[float], want: list[float]) -> bool:
    return len(got) >= len(want) and all(math.isclose(g, w, abs_tol=1e-9) for g, w in zip(got, want))


def _waits(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def check(solution: Path) -> list[Check]:
    real_sleep, time.sleep = time.sleep, _no_real_sleep
    try:
        try:
            call = import_file(solution).call_with_retry
        except Exception as error:  # noqa: BLE001 - the candidate's file may fail in any way
            why = f"{solution.name} did not load: {type(error).__name__}: {error}"
            return [Check(name, False, why) for name in NAMES]
        try:
            call(lambda: "ok", sleep=FakeClock().sleep, rng=Draws(0.5))
        except NotImplementedError:
            return [Check(name, False, "call_with_retry is not written yet (NotImplementedError)") for name in NAMES]
        except Exception:  # noqa: BLE001, S110 - a wrong answer: the checks below say how it is wrong
            pass
        return [_returns(call), _only_retryable(call), *_gives_up(call), _backoff(call), _jitter(call)]
    finally:
        time.sleep = real_sleep


def _run(call: Callable, fn: Flaky, clock: FakeClock, **options) -> tuple[object, BaseException | None]:
    try:
        return call(fn, sleep=clock.sleep, **options), None
    except Exception as error:  # noqa: BLE001 - what it raised is what is checked
        return None, error


def _returns(call: Callable) -> Check:
    name = "returns the result"
    clock = FakeClock()
    fn = Flaky(ConnectionError("connection reset"), TimeoutError("read timed out"))
    result, error = _run(call, fn, clock, rng=Draws(0.5), max_attempts=5)
    if error is not None or result != "ok" or fn.calls != 3:
        return Check(name, False, f"a call that fails twice, then returns 'ok': got {result!r} after {fn.calls} "
                                  f"calls ({type(error).__name__ if error else 'no error'}); expected 'ok' after 3")
    clock, fn = FakeClock(), Flaky()
    result, error = _run(call, fn, clock, rng=Draws(0.5))
    if error is not None or result != "ok" or fn.calls != 1 or clock.sleeps:
        return Check(name, False, f"a call that succeeds at once: {fn.calls} calls, waits {_waits(clock.sleeps)}, "
                                  f"returned {result!r}; expected one call, no wait, 'ok'")
    return Check(name, True)


def _only_retryable(call: Callable) -> Check:
    name = "retries only retryable errors"
    clock = FakeClock()
    refusal = ValueError("400 Bad Request: unknown field 'since'")
    fn = Flaky(refusal)
    _, error = _run(call, fn, clock, rng=Draws(0.5))
    if error is not refusal or fn.calls != 1 or clock.sleeps:
        return Check(name, False, f"a ValueError (not in retry_on) was called {fn.calls} times with waits "
                                  f"{_waits(clock.sleeps)} and ended in {type(error).__name__}; it must "
                                  "propagate at once: one call, no wait, the same exception")
    clock = FakeClock()
    fn = Flaky(ConnectionResetError("connection reset by peer"))
    result, error = _run(call, fn, clock, rng=Draws(0.5))
    if result != "ok" or fn.calls != 2:
        return Check(name, False, "ConnectionResetError is a subclass of ConnectionError, so it is retryable; "
                                  f"it was not retried ({fn.calls} call). Use except retry_on / isinstance, "
                                  "not type(error) in retry_on")
    return Check(name, True)


def _gives_up(call: Callable) -> list[Check]:
    clock = FakeClock()
    fn = Flaky(fail_forever=True)
    _, error = _run(call, fn, clock, rng=Draws(0.5), max_attempts=4, base=1.0, cap=60.0)
    bounded = Check("bounded attempts", fn.calls == 4,
                    f"a call that always times out, max_attempts=4: called {fn.calls} times; expected 4 "
                    "(the first call counts as an attempt)")
    last = fn.raised[-1] if fn.raised else None
    raised = Check("raises the last error", error is not None and error is last,
                   f"when every attempt failed, it raised {type(error).__name__}: {error}; expected the error "
                   f"of the last call ({last}), the same object, not a wrapper or an earlier error")
    waits = len(clock.sleeps) == max(fn.calls - 1, 0)
    after = Check("no wait after the last attempt", waits,
                  f"{fn.calls} calls but {len(clock.sleeps)} waits {_waits(clock.sleeps)}: wait only between "
                  "attempts; a wait after the last failure only delays the error")
    return [bounded, raised, after]


def _backoff(call: Callable) -> Check:
    name = "backoff grows and is capped"
    clock = FakeClock()
    fn = Flaky(fail_forever=True)
    _, error = _run(call, fn, clock, rng=Draws(1.0), max_attempts=6, base=1.0, cap=5.0)
    want = [1.0, 2.0, 4.0, 5.0, 5.0]
    if isinstance(error, RuntimeError) or not _close(clock.sleeps, want):
        because = f" ({error})" if isinstance(error, RuntimeError) else ""
        return Check(name, False, f"base=1, cap=5, every draw at the top of its range: waits "
                                  f"{_waits(clock.sleeps)}{because}; expected {_waits(want)} "
                                  "(min(cap, base * 2 ** (n - 1)) before retry n)")
    return Check(name, True)


def _jitter(call: Callable) -> Check:
    name = "full jitter from the injected random"
    clock = FakeClock()
    fn = Flaky(fail_forever=True)
    _, error = _run(call, fn, clock, rng=Draws(0.5, 0.25, 0.75, 0.1), max_attempts=5, base=2.0, cap=100.0)
    want = [1.0, 1.0, 6.0, 1.6]
    if isinstance(error, RuntimeError) or not _close(clock.sleeps, want):
        because = f" ({error})" if isinstance(error, RuntimeError) else ""
        return Check(name, False, f"base=2, draws 0.5, 0.25, 0.75, 0.1 of each range: waits "
                                  f"{_waits(clock.sleeps)}{because}; expected {_waits(want)}: full jitter is "
                                  "a uniform draw in [0, ceiling] from the injected rng, one draw per wait")
    return Check(name, True)
