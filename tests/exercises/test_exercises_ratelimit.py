"""The graders of notebook 09 accept the reference solutions and reject broken ones, including the syllabus's
own decorator."""

from __future__ import annotations

import functools
import threading

import pytest

from exercises.ratelimit import (
    ReferenceBucket,
    grade_thread_safe_rate_limit,
    grade_token_bucket,
    reference_rate_limit,
    syllabus_rate_limit,
)
from exercises.grading import failed_exactly
from solutions.ratelimit import TokenBucket

# -- exercise 1: token bucket --------------------------------------------------------------------------------


class NotAttempted:
    def __init__(self, rate, capacity, clock):
        raise NotImplementedError


class NoCap(ReferenceBucket):
    def try_acquire(self):
        now = self.clock.monotonic()
        self.tokens += (now - self.updated) * self.rate
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class WholeTokensOnly(ReferenceBucket):
    def try_acquire(self):
        now = self.clock.monotonic()
        self.tokens = min(self.capacity, self.tokens + int((now - self.updated) * self.rate))
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class StartsEmpty(ReferenceBucket):
    def __init__(self, rate, capacity, clock):
        super().__init__(rate, capacity, clock)
        self.tokens = 0


class KitBucket:
    """The kit's TokenBucket adapted to the exercise's interface: the grader accepts it too."""

    def __init__(self, rate, capacity, clock):
        self.bucket = TokenBucket(rate, capacity, clock=clock)

    def try_acquire(self):
        return self.bucket.try_acquire() == 0


class GcraBucket:
    """The generic cell rate algorithm: one timestamp (when the bucket is full again) instead of a count."""

    def __init__(self, rate, capacity, clock):
        self.interval, self.burst, self.clock = 1.0 / rate, capacity, clock
        self.full_at = clock.monotonic()

    def try_acquire(self):
        now = self.clock.monotonic()
        full_at = max(self.full_at, now)
        if full_at + self.interval - now > self.burst * self.interval + 1e-9:
            return False
        self.full_at = full_at + self.interval
        return True


@pytest.mark.parametrize("good", [ReferenceBucket, KitBucket, GcraBucket])
def test_bucket_grader_accepts_correct_buckets(good):
    assert grade_token_bucket(good).passed


@pytest.mark.parametrize("broken", [NoCap, WholeTokensOnly, StartsEmpty])
def test_bucket_grader_rejects_broken_buckets(broken):
    assert grade_token_bucket(broken).status == "failed"


def test_bucket_grader_reports_not_attempted():
    assert grade_token_bucket(NotAttempted).status == "not attempted"


# -- exercise 2: thread-safe rate_limit ----------------------------------------------------------------------


def the_syllabus_verbatim(max_per_second, clock):  # time.time / time.sleep: ignores the clock it is given
    return syllabus_rate_limit()(max_per_second)


def the_syllabus_on_the_clock(max_per_second, clock):  # monotonic now, still a race between threads
    return syllabus_rate_limit(clock)(max_per_second)


def lock_around_the_read_only(max_per_second, clock):
    interval, last, lock = 1.0 / max_per_second, [float("-inf")], threading.Lock()

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with lock:
                wait = interval - (clock.monotonic() - last[0])
            if wait > 0:
                clock.sleep(wait)
            last[0] = clock.monotonic()
            return func(*args, **kwargs)

        return wrapper

    return decorator


def sleeps_while_holding_the_lock(max_per_second, clock):  # correct, if slower for the waiting threads
    interval, last, lock = 1.0 / max_per_second, [float("-inf")], threading.Lock()

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with lock:
                wait = interval - (clock.monotonic() - last[0])
                if wait > 0:
                    clock.sleep(wait)
                last[0] = clock.monotonic()
            return func(*args, **kwargs)

        return wrapper

    return decorator


def on_the_kits_token_bucket(max_per_second, clock):
    """A class holding the kit's TokenBucket (capacity 1): wait what try_acquire says, then try again."""

    class RateLimit:
        def __init__(self):
            self.bucket = TokenBucket(max_per_second, 1, clock=clock)

        def __call__(self, func):
            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                while (wait := self.bucket.try_acquire()) > 0:
                    clock.sleep(wait)
                return func(*args, **kwargs)

            return wrapper

    return RateLimit()


def without_wraps(max_per_second, clock):
    """Spaced and locked, but the decorated function loses its name (and docstring)."""
    decorate = reference_rate_limit(max_per_second, clock)

    def decorator(func):
        spaced = decorate(func)
        return lambda *args, **kwargs: spaced(*args, **kwargs)

    return decorator


def not_attempted(max_per_second, clock):
    raise NotImplementedError


@pytest.mark.parametrize("good", [reference_rate_limit, sleeps_while_holding_the_lock,
                                  on_the_kits_token_bucket])
def test_rate_limit_grader_accepts_correct_decorators(good):
    assert grade_thread_safe_rate_limit(good).passed


@pytest.mark.parametrize("broken", [the_syllabus_verbatim, the_syllabus_on_the_clock,
                                    lock_around_the_read_only])
def test_rate_limit_grader_rejects_the_syllabus_and_half_locked_versions(broken):
    assert grade_thread_safe_rate_limit(broken).status == "failed"


def test_rate_limit_grader_reports_not_attempted():
    assert grade_thread_safe_rate_limit(not_attempted).status == "not attempted"


def test_rate_limit_grader_rejects_a_decorator_without_wraps():
    g = grade_thread_safe_rate_limit(without_wraps)
    assert failed_exactly(g, "keeps the function's name"), g.lines
