"""Retry a flaky call with exponential backoff and full jitter (see the prompt)."""

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
    """Call ``fn`` until it succeeds, retrying only ``retry_on`` errors, at most ``max_attempts`` calls;
    wait ``rng``-drawn full jitter under ``min(cap, base * 2 ** (n - 1))`` with ``sleep`` before retry ``n``;
    raise the last error when every attempt failed."""
    raise NotImplementedError("write call_with_retry")
