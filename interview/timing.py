"""Time in the mock interview: a stopwatch per item against its budget.

Over time is allowed, as in a real loop where the interviewer lets you finish; it is flagged on the
scorecard. The clock is injected (``time.monotonic`` by default) so tests never wait, and a stopwatch can
start with time already used (an item interrupted and resumed keeps what it had spent).
"""

from __future__ import annotations

import time
from collections.abc import Callable


def clock_text(seconds: float) -> str:
    """``75`` -> ``1:15``, ``3725`` -> ``1:02:05`` (whole seconds, rounded down)."""
    whole = int(max(seconds, 0))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Stopwatch:
    """Time spent on one item: ``already`` seconds from before, plus time since it was made."""

    def __init__(self, budget_seconds: float, *, already: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.budget = float(budget_seconds)
        self._already = float(already)
        self._clock = clock
        self._started = clock()
        self._stopped: float | None = None

    def elapsed(self) -> float:
        if self._stopped is not None:
            return self._stopped
        return self._already + self._clock() - self._started

    def stop(self) -> float:
        """Stop counting (an answer is in; self-grading is not the candidate's time); returns the time used."""
        self._stopped = self.elapsed()
        return self._stopped

    def left(self) -> float:
        return self.budget - self.elapsed()

    @property
    def over(self) -> bool:
        return self.elapsed() > self.budget

    def status(self) -> str:
        """``6:30 left of 8:00`` or ``1:10 over the 8:00 budget``."""
        left = self.left()
        if left >= 0:
            return f"{clock_text(left)} left of {clock_text(self.budget)}"
        return f"{clock_text(-left)} over the {clock_text(self.budget)} budget"
