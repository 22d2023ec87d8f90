"""Fails: no busy waiting - ``acquire`` polls ``try_acquire`` every millisecond.

It works, but each wait is hundreds of wake-ups; on a real clock that is a core spinning for nothing.
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
        self.tokens = float(capacity)
        self.last = clock.monotonic()
        self.lock = threading.Lock()

    def try_acquire(self):
        with self.lock:
            now = self.clock.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens >= 1 - 1e-9:
                self.tokens -= 1
                return True
            return False

    def acquire(self):
        while not self.try_acquire():
            self.clock.sleep(0.001)
