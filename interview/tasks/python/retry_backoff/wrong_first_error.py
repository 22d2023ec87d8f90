"""Fails: raises the last error - keeps the first failure and raises it at the end, so the log shows a
stale cause (the first timeout) instead of what the last attempt actually met."""

from __future__ import annotations

import random
import time


def call_with_retry(fn, *, retry_on=(ConnectionError, TimeoutError), max_attempts=5, base=0.5, cap=30.0,
                    sleep=time.sleep, rng=random.Random()):  # noqa: B008
    first = None
    for attempt in range(1, max_attempts + 1):
        try:
            return fn()
        except retry_on as error:
            first = first or error
            if attempt < max_attempts:
                sleep(rng.uniform(0.0, min(cap, base * 2 ** (attempt - 1))))
    raise first
