"""A token bucket: at most ``capacity`` requests at once, ``rate`` per second on average."""

from __future__ import annotations

import threading

EPSILON = 1e-9  # float rounding: 0.5 s at 2 tokens/s can come out as 0.9999999999999998 tokens


class TokenBucket:
    """Starts full; ``capacity`` tokens at most, refilled continuously at ``rate`` per second.

    ``clock``: ``monotonic()`` (seconds) and ``sleep(seconds)``; the only source of time. Over any window of
    ``t`` seconds it admits at most ``capacity + rate * t``. Thread-safe: the lock guards the bookkeeping only,
    and waiting happens outside it.
    """

    def __init__(self, capacity: int, rate: float, clock) -> None:
        if not capacity >= 1:
            raise ValueError(f"capacity must be at least 1, got {capacity!r}")
        if not rate > 0:
            raise ValueError(f"rate must be positive, got {rate!r}")
        self.capacity = float(capacity)
        self.rate = float(rate)
        self.clock = clock
        self._tokens = self.capacity
        self._updated = clock.monotonic()
        self._lock = threading.Lock()

    def _take(self) -> float:
        """Take a token and return 0.0, or return the seconds until one will be there."""
        with self._lock:
            now = self.clock.monotonic()
            self._tokens = min(self.capacity, self._tokens + max(0.0, now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1 - EPSILON:
                self._tokens = max(0.0, self._tokens - 1)
                return 0.0
            return (1 - self._tokens) / self.rate

    def try_acquire(self) -> bool:
        """Take a token now and return True, or take nothing and return False."""
        return self._take() == 0.0

    def acquire(self) -> None:
        """Take a token, waiting on the clock until one is there (one sleep per wait, not a poll)."""
        while (wait := self._take()) > 0:
            self.clock.sleep(wait)
