"""Fails: full jitter from the injected random - waits the whole ceiling every time: clients that failed
together retry together, in lockstep, and hit the recovering server at the same moments."""

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
            sleep(min(cap, base * 2 ** (attempt - 1)))
    return None
