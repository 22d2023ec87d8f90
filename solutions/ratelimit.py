"""Client-side rate limiting: a thread-safe token bucket on an injected clock, and a decorator that uses one.

The syllabus's ``rate_limit`` decorator sleeps so that calls are at least ``1 / max_per_second`` apart. It has
four problems an interviewer will probe (notebook 09 shows each one running):

* **Whose budget?** The state (``last_called``) lives in the closure of one ``rate_limit(...)`` call. Two
  functions decorated with separate ``@rate_limit(2)`` have separate budgets and together send 4/s to an API
  that allows 2/s per key; the limit belongs to the API credential, not to a Python function.
* **Wall clock.** ``time.time()`` jumps when NTP or an operator steps the clock: a step back of 30 s makes
  ``elapsed`` negative and the next call sleeps 30 s. Intervals are measured with ``time.monotonic()``.
* **Not thread-safe.** Read ``last_called``, sleep, write ``last_called``: threads that read before any of
  them writes all sleep the same amount and then fire together.
* **Spacing is not a rate.** It allows no burst at all (a server that allows 5 per second would take them
  at once) and it measures from the previous call's *start*, so it cannot know what the server counted.

:class:`TokenBucket` is the standard answer: ``capacity`` tokens (the burst), refilled continuously at
``rate`` per second; a request takes a token or waits until one has accumulated. Over any window of ``t``
seconds it admits at most ``capacity + rate * t`` requests. The lock guards only the bookkeeping; waiting
happens outside it, on the injected clock, so tests and notebooks run on ``sim.clock.FakeClock`` in no time.

A team would not hand-write this: ``pyrate-limiter`` (buckets in memory, SQLite or Redis, shared between
processes) or ``limits`` do it, and many API clients already retry 429s with ``Retry-After``. It is written
out here because "implement a rate limiter" is a classic interview question, and because a limiter shared by
several Airflow workers needs shared state (Redis, a pool) that an in-process bucket cannot give.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from solutions.clock import Clock, SystemClock

F = TypeVar("F", bound=Callable[..., Any])

#: Tolerance for float rounding: 0.2 * 5 can come out as 0.9999999999999998 tokens.
_EPSILON = 1e-9


class TokenBucket:
    """At most ``capacity + rate * t`` acquisitions in any window of ``t`` seconds. Thread-safe.

    ``rate``: tokens added per second. ``capacity``: the most tokens the bucket holds, i.e. the largest burst
    (``capacity=1`` means evenly spaced requests). The bucket starts full. ``clock`` supplies ``monotonic()``
    and ``sleep()`` (default: real time).

    To stay under a server's "N per sliding second" limit, choose ``capacity + rate <= N`` (e.g. ``rate=4,
    capacity=1`` against 5/s): a bucket with ``capacity=N, rate=N`` can admit N at once and N more within
    the same second.
    """

    def __init__(self, rate: float, capacity: float = 1.0, *, clock: Clock | None = None) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        if not capacity >= 1:
            raise ValueError(f"capacity must be at least 1 (one request), got {capacity!r}")
        self.rate = float(rate)
        self.capacity = float(capacity)
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._tokens = self.capacity
        self._updated = self.clock.monotonic()

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate:g}, capacity={self.capacity:g})"

    def _refill(self, now: float) -> None:
        """Add the tokens earned since the last update, never beyond ``capacity``. Caller holds the lock."""
        elapsed = max(0.0, now - self._updated)  # a monotonic clock never goes back; be safe anyway
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._updated = now

    def try_acquire(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now and return 0.0, or take nothing and return the seconds until they exist."""
        if tokens > self.capacity:
            raise ValueError(f"cannot take {tokens} tokens from a bucket of capacity {self.capacity:g}")
        with self._lock:
            self._refill(self.clock.monotonic())
            if self._tokens >= tokens - _EPSILON:
                self._tokens = max(0.0, self._tokens - tokens)
                return 0.0
            return (tokens - self._tokens) / self.rate

    def acquire(self, tokens: float = 1.0, *, max_wait: float | None = None) -> float:
        """Block (on the clock) until ``tokens`` are taken; return the seconds waited.

        ``max_wait``: raise ``TimeoutError`` instead of waiting longer than this in total.
        """
        waited = 0.0
        while (wait := self.try_acquire(tokens)) > 0:
            if max_wait is not None and waited + wait > max_wait:
                raise TimeoutError(f"rate limiter: no token within {max_wait:g} s")
            self.clock.sleep(wait)  # outside the lock: other threads keep refilling and taking
            waited += wait
        return waited

    @property
    def available(self) -> float:
        """Tokens in the bucket right now (refilled to the clock's current time)."""
        with self._lock:
            self._refill(self.clock.monotonic())
            return self._tokens


def rate_limited(bucket: TokenBucket) -> Callable[[F], F]:
    """Decorator: every call of the decorated function first takes a token from ``bucket``.

    The bucket is passed in, so what shares a budget is explicit: one bucket per API credential, shared by
    every function (and thread) that uses that credential.

        partner_bucket = TokenBucket(rate=4, capacity=1)

        @rate_limited(partner_bucket)
        def get_page(...): ...
    """

    def decorator(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bucket.acquire()
            return func(*args, **kwargs)

        wrapper.bucket = bucket  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
