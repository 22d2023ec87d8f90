"""Fails: backoff grows and is capped - the ceiling doubles without limit: after a few failures a worker
waits minutes, then hours, for one call."""

from __future__ import annotations

import random
import time


def call_with_retry(fn, *, retry_on=(ConnectionError, TimeoutError), max_attempts=5, base=0.5, cap=30.0,
                    sleep=time.sleep, rng=random.Random()):  # noqa: B008
    for attempt in range(1, max_attempts + 1):
        try:
            return fn()
        except retry_on:
            if attempt == max_attempts:
                raise
            sleep(rng.random() * base * 2 ** (attempt - 1))
    return None
