"""The sim's clocks: time that moves when code sleeps, so timing behaviour is testable without waiting.

Production code takes a clock (``solutions.clock.Clock``; ``SystemClock``, real time, by default). Tests and
notebooks pass ``FakeClock``, which satisfies that protocol: ``FakeClock.sleep`` advances time instantly, so a
rate limiter that "waits" 0.5 s or a retry that backs off 8 s costs nothing, and the fakes see the advanced
time (a 429 really expires).

``sim.start()`` runs the fakes on a ``WorldClock`` unless told otherwise: real time, so client code that
really sleeps (``time.sleep(0.5)`` between requests) meets a partner whose rate window really passes, plus
any time skipped through the clock itself (``world.clock.sleep(8)`` returns at once and the fakes see 8 s
pass). For outputs that must not depend on how fast the machine is, pass ``clock=FakeClock()``.
"""

from __future__ import annotations

import threading
import time


class FakeClock:
    """A clock that only moves when something sleeps (or a test calls ``advance``). Thread-safe.

    ``sleeps`` records every requested sleep, so a test can assert on the back-off schedule.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"cannot sleep a negative duration: {seconds}")
        with self._lock:
            self.sleeps.append(seconds)
            self._now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class WorldClock(FakeClock):
    """Real elapsed time plus everything skipped with ``sleep``/``advance`` (which return at once).

    The default clock of ``sim.start()``: a user's own ``time.sleep`` counts, and the kit's code that sleeps
    on this clock costs nothing. Readings depend on real time, so they are not reproducible to the
    millisecond; use ``FakeClock`` where a notebook prints times.
    """

    def __init__(self) -> None:
        super().__init__()
        self._origin = time.monotonic()

    def monotonic(self) -> float:
        return super().monotonic() + (time.monotonic() - self._origin)
