"""Retry a flaky call with exponential backoff and full jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def call_with_retry(
    fn: Callable[[], T],
    *,
    retry_on: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError),
    max_attempts: int = 5,
    base: float = 0.5,
    cap: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random = random.Random(),  # noqa: B008 - one default source, like the prompt's signature
) -> T:
    """Call ``fn`` until it succeeds, retrying only ``retry_on`` errors, at most ``max_attempts`` calls."""
    for attempt in range(1, max_attempts + 1):
        try:
            return fn()
        except retry_on:
            if attempt == max_attempts:
                raise  # the last error, as it was raised
            sleep(rng.uniform(0.0, min(cap, base * 2 ** (attempt - 1))))
    raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
