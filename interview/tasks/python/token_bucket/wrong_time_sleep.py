"""Fails: waits on the given clock - ``acquire`` waits with ``time.sleep``.

The arithmetic is right, but a test of the limiter now really waits, and the wait is on a different clock
from the one the bucket measures with.
"""

from __future__ import annotations

import threading
import time


class TokenBucket:
    def __init__(self, capacity, rate, clock):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = float(capacity)
        self.last = clock.monotonic()
        self.lock = threading.Lock()

    def _wait_needed(self):
        with self.lock:
            now = self.clock.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1 - 1e-9:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) / self.rate

    def try_acquire(self):
        return self._wait_needed() == 0.0

    def acquire(self):
        while (wait := self._wait_needed()) > 0:
            time.sleep(wait)
