"""Fails: bounded attempts - counts retries instead of attempts: max_attempts retries after the first call,
one call more than allowed (an off-by-one that also doubles the worst-case wait)."""

from __future__ import annotations

import random
import time


def call_with_retry(fn, *, retry_on=(ConnectionError, TimeoutError), max_attempts=5, base=0.5, cap=30.0,
                    sleep=time.sleep, rng=random.Random()):  # noqa: B008
    retries = 0
    while True:
        try:
            return fn()
        except retry_on:
            if retries == max_attempts:
                raise
            retries += 1
            sleep(rng.uniform(0.0, min(cap, base * 2 ** (retries - 1))))
