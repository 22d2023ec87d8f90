"""Fails: burst up to capacity - the bucket starts with no tokens.

Every first request of a run waits for a refill, and the burst the partner allows is never used.
"""

from __future__ import annotations

import threading


class TokenBucket:
    def __init__(self, capacity, rate, clock):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = 0.0
        self.last = clock.monotonic()
        self.lock = threading.Lock()

    def _take(self):
        with self.lock:
            now = self.clock.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1 - 1e-9:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate

    def try_acquire(self):
        return self._take() == 0.0

    def acquire(self):
        while (wait := self._take()) > 0:
            self.clock.sleep(wait)
