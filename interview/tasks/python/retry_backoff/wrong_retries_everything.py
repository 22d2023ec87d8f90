"""Fails: retries only retryable errors - catches every Exception, so a 400 Bad Request is retried (and waited
for) max_attempts times instead of propagating at once."""

from __future__ import annotations

import random
import time


def call_with_retry(fn, *, retry_on=(ConnectionError, TimeoutError), max_attempts=5, base=0.5, cap=30.0,
                    sleep=time.sleep, rng=random.Random()):  # noqa: B008
    for attempt in range(1, max_attempts + 1):
        try:
            return fn()
        except Exception:
            if attempt == max_attempts:
                raise
            sleep(rng.uniform(0.0, min(cap, base * 2 ** (attempt - 1))))
    return None
