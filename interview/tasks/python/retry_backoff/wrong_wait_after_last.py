"""Fails: no wait after the last attempt - backs off after every failure, the last one included, so a call
that has already given up sleeps once more before raising."""

from __future__ import annotations

import random
import time


def call_with_retry(fn, *, retry_on=(ConnectionError, TimeoutError), max_attempts=5, base=0.5, cap=30.0,
                    sleep=time.sleep, rng=random.Random()):  # noqa: B008
    last = None
    for attempt in range(1, max_attempts + 1):
        try:
            return fn()
        except retry_on as error:
            last = error
            sleep(rng.uniform(0.0, min(cap, base * 2 ** (attempt - 1))))
    raise last
