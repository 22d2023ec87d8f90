"""Graders and harnesses for notebook 09 (rate limiting): a token bucket, a thread-safe ``rate_limit``.

Also here: the syllabus's ``rate_limit`` decorator as text (:data:`SYLLABUS_RATE_LIMIT`), a way to run that
exact text on a fake clock (:func:`syllabus_rate_limit`), and :class:`LockstepClock`, which lines threads up
the way a real ``time.sleep`` does, so the decorator's race shows the same result on every run.
"""

from __future__ import annotations

import inspect
import threading
import types
from collections.abc import Callable
from typing import Any

from sim.clock import FakeClock
from solutions.clock import Clock, SystemClock
from exercises.grading import Grade, Mismatch, expect, grade
from syllabus import rate_limiter

#: The syllabus's decorator as text (``syllabus/rate_limiter.py``), to run it with another ``time`` module.
SYLLABUS_RATE_LIMIT = inspect.getsource(rate_limiter)


def syllabus_rate_limit(clock: Clock | None = None) -> Callable[[float], Callable]:
    """The syllabus's ``rate_limit``, from its exact text, with ``time.time``/``time.sleep`` on ``clock``.

    ``clock=None`` keeps the real ``time`` module. The code is unchanged: only the module it calls is.
    """
    namespace: dict[str, Any] = {"__name__": "syllabus_rate_limit"}
    exec(SYLLABUS_RATE_LIMIT, namespace)  # noqa: S102 - the syllabus's fixed text
    if clock is not None:
        namespace["time"] = types.SimpleNamespace(time=clock.monotonic, sleep=clock.sleep)
    return namespace["rate_limit"]


class LockstepClock:
    """A fake clock for ``parties`` threads that all sleep the same amounts at the same steps.

    ``sleep`` waits until every thread has called it, then time advances once by the (common) duration and
    all of them wake together, just as threads that start the same ``time.sleep(d)`` together wake together.
    With ``parties=1`` it behaves like :class:`sim.clock.FakeClock`. ``calls`` records times via ``mark``.
    """

    def __init__(self, parties: int, start: float = 0.0, timeout: float = 10.0) -> None:
        self._now = float(start)
        self._pending: list[float] = []
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(parties, action=self._advance, timeout=timeout)
        self.calls: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._pending.append(seconds)
        self._barrier.wait()

    def _advance(self) -> None:
        with self._lock:
            if len(set(self._pending)) > 1:
                raise RuntimeError(f"threads slept different amounts: {sorted(set(self._pending))}")
            self._now += self._pending[0]
            self._pending.clear()

    def mark(self) -> None:
        """Record "a request started now" (``list.append`` is atomic)."""
        self.calls.append(self.monotonic())


def run_threads(target: Callable[[], None], threads: int) -> None:
    """Start ``threads`` threads on ``target`` together and wait for all; re-raise the first error."""
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def body() -> None:
        try:
            start.wait()
            target()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            errors.append(error)

    workers = [threading.Thread(target=body) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]


# -- exercise 1: a token bucket ------------------------------------------------------------------------------


class ReferenceBucket:
    """The exercise's reference: starts full, refills continuously, never holds more than ``capacity``."""

    def __init__(self, rate: float, capacity: float, clock: Clock) -> None:
        self.rate, self.capacity, self.clock = rate, capacity, clock
        self.tokens = capacity
        self.updated = clock.monotonic()
        self.lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self.lock:
            now = self.clock.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            if self.tokens >= 1 - 1e-9:
                self.tokens -= 1
                return True
            return False


def _admitted(bucket: Any, attempts: int = 1) -> int:
    return sum(1 for _ in range(attempts) if bucket.try_acquire())


def _check_starts_full(cls: Any) -> None:
    bucket = cls(rate=2, capacity=3, clock=FakeClock())
    expect(_admitted(bucket, 10), 3, "admitted at once by a new bucket of capacity 3")


def _check_refill(cls: Any) -> None:
    clock = FakeClock()
    bucket = cls(rate=2, capacity=3, clock=clock)
    _admitted(bucket, 10)
    clock.advance(0.5)
    expect(_admitted(bucket, 10), 1, "admitted 0.5 s after emptying at 2 tokens/s")
    clock.advance(1.0)
    expect(_admitted(bucket, 10), 2, "admitted 1 s later")


def _check_fractions(cls: Any) -> None:
    clock = FakeClock()
    bucket = cls(rate=2, capacity=1, clock=clock)
    _admitted(bucket)
    clock.advance(0.25)
    expect(_admitted(bucket), 0, "admitted after 0.25 s (half a token)")
    clock.advance(0.25)
    expect(_admitted(bucket), 1, "admitted after another 0.25 s (the two halves make a token)")


def _check_cap(cls: Any) -> None:
    clock = FakeClock()
    bucket = cls(rate=5, capacity=2, clock=clock)
    _admitted(bucket, 2)
    clock.advance(100)
    expect(_admitted(bucket, 1000), 2, "admitted after 100 s idle (the burst is capped at capacity 2)")


def _check_sustained(cls: Any) -> None:
    clock = FakeClock()
    bucket = cls(rate=4, capacity=2, clock=clock)
    admitted = 0
    for _ in range(1000):  # ask every 10 ms for 10 s
        admitted += _admitted(bucket)
        clock.advance(0.01)
    if not 2 + 4 * 10 - 1 <= admitted <= 2 + 4 * 10:
        raise Mismatch(f"admitted {admitted} in 10 s at 4/s with capacity 2: "
                       "expected capacity + rate * t = 42")


def grade_token_bucket(cls: type) -> Grade:
    """``cls(rate=, capacity=, clock=)`` with ``try_acquire() -> bool``."""
    return grade("token_bucket", cls, [
        ("a new bucket admits a burst of `capacity`", _check_starts_full),
        ("refills at `rate` tokens per second", _check_refill),
        ("fractions of a token add up", _check_fractions),
        ("never holds more than `capacity`", _check_cap),
        ("10 s of demand: capacity + rate * t admitted", _check_sustained),
    ])


# -- exercise 2: a thread-safe, monotonic rate_limit ---------------------------------------------------------


def reference_rate_limit(max_per_second: float, clock: Clock) -> Callable:
    """Calls at least ``1 / max_per_second`` apart on ``clock``, across threads: slots taken under a lock."""
    interval = 1.0 / max_per_second
    lock = threading.Lock()
    next_slot = [float("-inf")]

    def decorator(func: Callable) -> Callable:
        import functools

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with lock:
                now = clock.monotonic()
                slot = max(now, next_slot[0])
                next_slot[0] = slot + interval
            if slot > now:
                clock.sleep(slot - now)
            return func(*args, **kwargs)

        return wrapper

    return decorator


def _check_spacing(fn: Any) -> None:
    clock = FakeClock(start=1000.0)
    times: list[float] = []

    @fn(4, clock)
    def call(i: int) -> int:
        times.append(clock.monotonic())
        return i * 10

    results = [call(i) for i in range(6)]
    expect(results, [0, 10, 20, 30, 40, 50], "return values")
    gaps = [round(b - a, 6) for a, b in zip(times, times[1:])]
    if not gaps or min(gaps) < 0.25 - 1e-6:
        raise Mismatch(f"gaps between calls on the injected clock: {gaps}; at 4/s they must be >= 0.25 s "
                       "(measure and sleep with the clock passed in, not the time module)")
    expect(times[0], 1000.0, "time of the first call (it should not wait)")


def _check_wraps(fn: Any) -> None:
    @fn(10, FakeClock())
    def fetch_page() -> None:
        """Docstring."""

    expect(fetch_page.__name__, "fetch_page", "__name__ of the decorated function (functools.wraps)")


def _check_threads(fn: Any) -> None:
    clock = SystemClock()
    times: list[float] = []

    @fn(10, clock)
    def call() -> None:
        times.append(clock.monotonic())

    run_threads(call, 6)
    times.sort()
    crowded = max(sum(1 for t in times if start <= t < start + 0.1) for start in times)
    if crowded > 2:
        raise Mismatch(f"{crowded} of 6 threads called within 0.1 s at 10/s: the check and the update of the "
                       "shared state must happen under one lock")


def grade_thread_safe_rate_limit(fn: Callable[[float, Clock], Callable]) -> Grade:
    """``fn(max_per_second, clock)`` returns a decorator; calls spaced on ``clock``, also across threads."""
    return grade("thread_safe_rate_limit", fn, [
        ("calls spaced >= 1/rate on the injected clock", _check_spacing),
        ("keeps the function's name", _check_wraps),
        ("6 threads at 10/s: never more than 2 calls in 0.1 s (real time)", _check_threads),
    ])
