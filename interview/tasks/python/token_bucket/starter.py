"""A token bucket: at most ``capacity`` requests at once, ``rate`` per second on average."""

from __future__ import annotations


class TokenBucket:
    """Starts full; ``capacity`` tokens at most, refilled continuously at ``rate`` per second.

    ``clock``: ``monotonic()`` (seconds) and ``sleep(seconds)``; the only source of time.
    """

    def __init__(self, capacity: int, rate: float, clock) -> None:
        raise NotImplementedError

    def try_acquire(self) -> bool:
        """Take a token now and return True, or take nothing and return False."""
        raise NotImplementedError

    def acquire(self) -> None:
        """Take a token, waiting on the clock until one is there."""
        raise NotImplementedError
