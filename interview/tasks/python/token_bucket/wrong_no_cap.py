"""Fails: never more than capacity, stays under the partner's limit - tokens pile up while the bucket idles.

The refill adds ``elapsed * rate`` without ``min(capacity, ...)``: after a quiet minute the bucket lets a
burst of 120 through, and the partner refuses most of it.
"""

from __future__ import annotations

import threading


class TokenBucket:
    def __init__(self, capacity, rate, clock):
        if capacity < 1 or rate <= 0:
            raise ValueError("capacity must be >= 1 and rate > 0")
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = capacity
        self.last = clock.monotonic()
        self.lock = threading.Lock()

    def _refill(self):
        now = self.clock.monotonic()
        self.tokens += (now - self.last) * self.rate
        self.last = now

    def try_acquire(self):
        with self.lock:
            self._refill()
            if self.tokens >= 1 - 1e-9:
                self.tokens -= 1
                return True
            return False

    def acquire(self):
        while not self.try_acquire():
            with self.lock:
                wait = (1 - self.tokens) / self.rate
            self.clock.sleep(wait)
