"""solutions.ratelimit: the token bucket's rate, burst and thread safety on a fake clock, the decorator, and
the syllabus's decorator's flaws reproduced from its exact text."""

from __future__ import annotations

import threading
import time

import pytest

from sim.clock import FakeClock
from solutions.clock import SystemClock
from sim.partner_api import SlidingWindowLimiter
from exercises.ratelimit import LockstepClock, run_threads, syllabus_rate_limit
from solutions.ratelimit import TokenBucket, rate_limited


def test_a_new_bucket_admits_its_capacity_at_once_then_refills_at_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate=2, capacity=3, clock=clock)
    assert [bucket.try_acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.try_acquire() == pytest.approx(0.5)  # one token at 2/s
    clock.advance(0.25)
    assert bucket.try_acquire() == pytest.approx(0.25)
    clock.advance(0.25)
    assert bucket.try_acquire() == 0.0


@pytest.mark.parametrize(("rate", "capacity", "n"), [(5, 1, 20), (4, 2, 30), (2.5, 5, 12), (100, 10, 500)])
def test_n_acquisitions_take_at_least_n_minus_burst_over_rate(rate, capacity, n):
    clock = FakeClock()
    bucket = TokenBucket(rate=rate, capacity=capacity, clock=clock)
    waited = sum(bucket.acquire() for _ in range(n))
    assert clock.monotonic() == pytest.approx((n - capacity) / rate)
    assert waited == pytest.approx(clock.monotonic())
    assert clock.monotonic() >= (n - capacity) / rate - 1e-9


def test_idle_time_never_buys_more_than_capacity():
    clock = FakeClock()
    bucket = TokenBucket(rate=10, capacity=3, clock=clock)
    clock.advance(3600)
    assert bucket.available == 3
    assert sum(bucket.try_acquire() == 0 for _ in range(100)) == 3


def test_a_bucket_under_the_servers_sliding_window_never_gets_a_429():
    """rate + capacity <= limit keeps any sliding second at or under the limit, even with float times."""
    clock = FakeClock()
    server = SlidingWindowLimiter(5, clock)
    bucket = TokenBucket(rate=4, capacity=1, clock=clock)
    for _ in range(200):
        bucket.acquire()
        assert server.try_acquire() == 0.0
    exact = TokenBucket(rate=5, capacity=1, clock=clock)  # exactly the limit, evenly spaced: still fine
    clock.advance(2)
    for _ in range(200):
        exact.acquire()
        assert server.try_acquire() == 0.0


def test_a_full_burst_bucket_at_the_servers_rate_does_get_429s():
    clock = FakeClock()
    server = SlidingWindowLimiter(5, clock)
    bucket = TokenBucket(rate=5, capacity=5, clock=clock)
    rejected = 0
    for _ in range(20):
        bucket.acquire()
        rejected += server.try_acquire() > 0
    assert rejected > 0


def test_max_wait_raises_instead_of_waiting_forever():
    clock = FakeClock()
    bucket = TokenBucket(rate=1, capacity=1, clock=clock)
    bucket.acquire()
    with pytest.raises(TimeoutError, match="no token within 0.5 s"):
        bucket.acquire(max_wait=0.5)
    assert clock.monotonic() == 0


@pytest.mark.parametrize(("rate", "capacity"), [(0, 1), (-1, 1), (1, 0), (1, 0.5)])
def test_invalid_settings_are_refused(rate, capacity):
    with pytest.raises(ValueError):
        TokenBucket(rate=rate, capacity=capacity, clock=FakeClock())


def test_asking_for_more_than_capacity_is_an_error_not_a_hang():
    with pytest.raises(ValueError, match="capacity"):
        TokenBucket(rate=1, capacity=2, clock=FakeClock()).try_acquire(3)


def test_many_threads_never_get_more_than_capacity_plus_rate_times_t():
    """Threads hammer try_acquire on a frozen clock; time moves only between rounds. Admissions are exact."""
    clock = FakeClock()
    bucket = TokenBucket(rate=7, capacity=5, clock=clock)
    switch = __import__("sys").getswitchinterval()
    __import__("sys").setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        total = 0
        for _ in range(10):
            admitted = []
            run_threads(lambda admitted=admitted: admitted.extend(
                1 for _ in range(200) if bucket.try_acquire() == 0), 16)
            total += len(admitted)
            elapsed = clock.monotonic()
            assert total <= 5 + 7 * elapsed + 1e-9
            assert total == int(5 + 7 * elapsed + 1e-9)  # and no token is lost either
            clock.advance(0.3)  # 2.1 tokens: below capacity, so nothing is capped away
    finally:
        __import__("sys").setswitchinterval(switch)


def test_threads_on_real_time_are_spaced_by_the_bucket():
    clock = SystemClock()
    bucket = TokenBucket(rate=100, capacity=2, clock=clock)
    times: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            bucket.acquire()
            with lock:
                times.append(time.monotonic())

    started = time.monotonic()
    run_threads(work, 8)
    assert len(times) == 40
    assert time.monotonic() - started >= (40 - 2) / 100 - 0.01


def test_rate_limited_shares_one_bucket_across_functions():
    clock = FakeClock()
    bucket = TokenBucket(rate=2, capacity=1, clock=clock)

    @rate_limited(bucket)
    def appointments(page: int) -> int:
        return page

    @rate_limited(bucket)
    def payments(page: int) -> int:
        return -page

    assert [appointments(1), payments(1), appointments(2), payments(2)] == [1, -1, 2, -2]
    assert clock.monotonic() == pytest.approx(1.5)  # 4 calls at 2/s, one free
    assert appointments.__name__ == "appointments" and appointments.bucket is bucket


# -- the syllabus's decorator, its exact text, on a fake clock -----------------------------------------------


def test_syllabus_decorator_spaces_a_single_caller():
    clock = FakeClock(start=1000)
    calls = []

    @syllabus_rate_limit(clock)(max_per_second=2)
    def call_api(i):
        calls.append(clock.monotonic())
        return i

    assert [call_api(i) for i in range(4)] == [0, 1, 2, 3]
    assert calls == [1000, 1000.5, 1001, 1001.5]


def test_syllabus_decorator_sleeps_for_as_long_as_the_wall_clock_steps_back():
    clock = FakeClock(start=1000)
    limited = syllabus_rate_limit(clock)(max_per_second=2)(lambda: None)
    limited()
    clock._now -= 30  # NTP steps time.time() back 30 s (monotonic clocks never do this)
    limited()
    assert clock.sleeps == [pytest.approx(30.5)]


def test_syllabus_decorator_has_one_budget_per_decoration_not_per_api():
    clock = FakeClock(start=1000)
    rate_limit = syllabus_rate_limit(clock)
    calls = []
    first = rate_limit(max_per_second=2)(lambda: calls.append(clock.monotonic()))
    second = rate_limit(max_per_second=2)(lambda: calls.append(clock.monotonic()))
    for _ in range(3):
        first()
        second()
    assert calls == [1000, 1000, 1000.5, 1000.5, 1001, 1001]  # 4 per second against a 2/s API


def test_syllabus_decorator_lets_threads_through_together():
    # The clock starts at 0.0 = last_called: every call must wait, so every thread reads last_called, then
    # sleeps; the lockstep clock wakes them together, as threads sleeping the same time.sleep(d) do.
    clock = LockstepClock(parties=4, start=0.0)
    limited = syllabus_rate_limit(clock)(max_per_second=2)

    @limited
    def call_api():
        clock.mark()
        clock.sleep(0.3)  # the response takes 0.3 s

    run_threads(lambda: [call_api() for _ in range(3)], 4)
    assert [round(t, 6) for t in clock.calls] == [0.5] * 4 + [1.0] * 4 + [1.5] * 4


def test_lockstep_clock_refuses_threads_that_sleep_different_amounts():
    clock = LockstepClock(parties=2)
    waits = iter([0.1, 0.2])
    lock = threading.Lock()

    def body():
        with lock:
            wait = next(waits)
        clock.sleep(wait)

    with pytest.raises((RuntimeError, threading.BrokenBarrierError)):
        run_threads(body, 2)
