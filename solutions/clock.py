"""Time as production code sees it: a ``Clock`` to measure and wait with, and ``SystemClock``, real time.

Code that waits or measures time (a rate limiter, retries that back off, a latency monitor) takes a clock
argument and defaults to ``SystemClock``. Tests and notebooks pass the sim's ``FakeClock``
(``sim.clock``), which satisfies the same protocol: its ``sleep`` advances time at once, so a limiter that
"waits" 0.5 s or a retry that backs off 8 s costs nothing.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """Real time: ``time.monotonic`` and ``time.sleep``."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)
