"""Hidden checks of ``token_bucket``: the candidate's class on a fake clock (bursts, refills, idling, waiting)
and in front of the simulated partner API's own sliding-window limiter."""

from __future__ import annotations

import secrets
from functools import partial
from pathlib import Path

from interview.checking_api import NOT_ATTEMPTED, Candidate, Outcome, not_run, time_budget_check, unjudged
from interview.tasks import Check

NAMES = ["rejects bad settings", "burst up to capacity", "refills at the rate", "never more than capacity",
         "acquire waits on the clock", "no busy waiting", "stays under the partner's limit",
         "waits on the given clock", "time budget"]
JUDGED_BY_WAITING = "cannot be judged until acquire() waits for its token (see \"acquire waits on the clock\")"
TOKEN = secrets.token_hex(8)  # the fake partner's bearer token in these checks


def check(solution: Path) -> list[Check]:
    from sim.clock import FakeClock

    candidate = Candidate(solution)
    why = candidate.missing("TokenBucket")
    if why:
        return not_run(NAMES, why)
    bucket = candidate.module.TokenBucket
    outcomes: dict[str, Outcome] = {}
    for name, scenario in SCENARIOS.items():
        clock = FakeClock(start=1000.0)
        outcomes[name] = candidate.run(partial(scenario, bucket, clock), clock=clock)
        if outcomes[name].not_attempted:
            return not_run(NAMES, NOT_ATTEMPTED)
    waits = _acquire(outcomes["acquire on an empty bucket"])
    return [
        _settings(outcomes["bad settings"]),
        _burst(outcomes["a burst"]),
        _refill(outcomes["refills"]),
        _capacity(outcomes["after a long idle"]),
        waits,
        _busy(outcomes["acquire on an empty bucket"], None if waits.passed else JUDGED_BY_WAITING),
        _partner(outcomes["in front of the partner"]),
        _own_clock(candidate, unjudged(outcomes) or (None if waits.passed else JUDGED_BY_WAITING)),
        time_budget_check(outcomes, candidate.budget),
    ]


# -- scenarios: each drives the class and returns what it saw ---------------------------------------------------


def _bad_settings(bucket, clock) -> list[str]:
    accepted = []
    for capacity, rate in ((0, 1.0), (2, 0.0), (2, -1.0)):
        try:
            bucket(capacity, rate, clock)
        except ValueError:
            continue
        accepted.append(f"capacity={capacity}, rate={rate}")
    return accepted


def _a_burst(bucket, clock) -> list[bool]:
    b = bucket(5, 2.0, clock)
    return [b.try_acquire() for _ in range(6)]


def _refills(bucket, clock) -> dict:
    seen = {}
    b = bucket(3, 2.0, clock)
    seen["drained"] = [b.try_acquire() for _ in range(3)]
    clock.advance(0.25)
    seen["after 0.25 s"] = b.try_acquire()
    clock.advance(0.25)
    seen["after 0.5 s"] = [b.try_acquire(), b.try_acquire()]
    slow = bucket(1, 0.5, clock)
    slow.try_acquire()
    clock.advance(1.9)
    seen["rate 0.5 after 1.9 s"] = slow.try_acquire()
    clock.advance(0.1)
    seen["rate 0.5 after 2.0 s"] = slow.try_acquire()
    steady = bucket(2, 4.0, clock)
    for _ in range(10):
        steady.try_acquire()  # drained: what follows is the steady rate, not the burst
    admitted = 0
    for _ in range(100):  # 5 s in steps of 50 ms
        clock.advance(0.05)
        admitted += bool(steady.try_acquire())
    seen["admitted in 5 s at 4/s"] = admitted
    return seen


def _after_a_long_idle(bucket, clock) -> int:
    b = bucket(3, 2.0, clock)
    while b.try_acquire():
        clock.advance(0.001)  # draining: a bucket that never runs dry is caught by the count below
        if clock.monotonic() > 1010:
            break
    clock.advance(100.0)
    admitted = 0
    while admitted < 1000 and b.try_acquire():
        admitted += 1
    return admitted


def _acquire_on_an_empty_bucket(bucket, clock) -> dict:
    b = bucket(2, 4.0, clock)
    for _ in range(10):
        if not b.try_acquire():
            break
    sleeps_before = len(clock.sleeps)
    started = clock.monotonic()
    b.acquire()
    first = clock.monotonic() - started
    for _ in range(20):
        b.acquire()
    return {"first wait": first, "21 acquires took": clock.monotonic() - started,
            "sleep calls": len(clock.sleeps) - sleeps_before}


def _in_front_of_the_partner(bucket, clock) -> list[int]:
    from sim.http import FakeRequest
    from sim.partner_api import PartnerSchedulingAPI

    api = PartnerSchedulingAPI(lambda start, end: [], token=TOKEN, requests_per_second=5, clock=clock)
    b = bucket(3, 2.0, clock)  # at most 3 + 2 = 5 in any second: exactly the partner's limit
    clock.sleep(5.0)  # the bucket idles first, as a pipeline does between runs
    statuses = []
    for _ in range(30):
        b.acquire()
        request = FakeRequest("GET", "/appointments", {"start_date": "2025-09-01", "end_date": "2025-09-01"},
                              {"Authorization": f"Bearer {TOKEN}"})
        statuses.append(api.handle(request).status)
    return statuses


SCENARIOS = {
    "bad settings": _bad_settings,
    "a burst": _a_burst,
    "refills": _refills,
    "after a long idle": _after_a_long_idle,
    "acquire on an empty bucket": _acquire_on_an_empty_bucket,
    "in front of the partner": _in_front_of_the_partner,
}


# -- checks --------------------------------------------------------------------------------------------------------


def _failed(name: str, scenario: str, outcome: Outcome) -> Check | None:
    return None if outcome.ok else Check(name, False, f"{scenario}: {outcome.why}")


def _settings(outcome: Outcome) -> Check:
    name = "rejects bad settings"
    if crashed := _failed(name, "bad settings", outcome):
        return crashed
    if outcome.value:
        return Check(name, False, (f"TokenBucket({outcome.value[0]}, clock) was accepted; a bucket that can never "
                                   "hold a token, or never refills, should be a ValueError at once"))
    return Check(name, True)


def _burst(outcome: Outcome) -> Check:
    name = "burst up to capacity"
    if crashed := _failed(name, "a burst", outcome):
        return crashed
    if outcome.value != [True] * 5 + [False]:
        return Check(name, False, (
            f"a new bucket (capacity 5) at one instant: try_acquire() gave {outcome.value}; expected 5 True then "
            "False. A bucket starts full: the burst is what lets a client use the partner's whole allowance."))
    return Check(name, True)


def _refill(outcome: Outcome) -> Check:
    name = "refills at the rate"
    if crashed := _failed(name, "refills", outcome):
        return crashed
    seen = outcome.value
    expected = {"after 0.25 s": False, "after 0.5 s": [True, False], "rate 0.5 after 1.9 s": False,
                "rate 0.5 after 2.0 s": True}
    for key, want in expected.items():
        if seen[key] != want:
            return Check(name, False, (
                f"rate 2/s, drained, then {key}: try_acquire() gave {seen[key]}, expected {want}. Tokens come "
                "back continuously: elapsed seconds * rate, measured from the last update."))
    admitted = seen["admitted in 5 s at 4/s"]
    if not 19 <= admitted <= 21:
        return Check(name, False, (
            f"rate 4/s, drained, then tried every 50 ms for 5 s: admitted {admitted}, expected 20 (4 per second)"))
    return Check(name, True)


def _capacity(outcome: Outcome) -> Check:
    name = "never more than capacity"
    if crashed := _failed(name, "after a long idle", outcome):
        return crashed
    if outcome.value != 3:
        return Check(name, False, (
            f"capacity 3, rate 2/s, idle for 100 s: then {outcome.value} requests were admitted at once, expected "
            "3. Tokens stop accumulating at capacity; otherwise a quiet hour becomes a burst the API refuses."))
    return Check(name, True)


def _acquire(outcome: Outcome) -> Check:
    name = "acquire waits on the clock"
    if crashed := _failed(name, "acquire on an empty bucket", outcome):
        return crashed
    seen = outcome.value
    if not 0.25 - 1e-6 <= seen["first wait"] <= 0.3 or not 5.2 <= seen["21 acquires took"] <= 5.5:
        return Check(name, False, (
            f"rate 4/s, drained: acquire() returned after {seen['first wait']:.3f} s on the clock (expected 0.25) "
            f"and 21 acquires took {seen['21 acquires took']:.2f} s (expected 5.25). acquire() waits exactly "
            "until the next token, on the given clock."))
    return Check(name, True)


def _busy(outcome: Outcome, unjudgeable: str | None) -> Check:
    name = "no busy waiting"
    if unjudgeable:
        return Check(name, False, unjudgeable)
    if crashed := _failed(name, "acquire on an empty bucket", outcome):
        return crashed
    calls = outcome.value["sleep calls"]
    if calls > 42:
        return Check(name, False, (
            f"21 acquire() calls made {calls} clock.sleep calls. Polling in small steps burns CPU (and, on a real "
            "clock, oversleeps); compute how long until the next token and sleep that long once."))
    return Check(name, True)


def _partner(outcome: Outcome) -> Check:
    name = "stays under the partner's limit"
    if crashed := _failed(name, "in front of the partner", outcome):
        return crashed
    refused = outcome.value.count(429)
    if refused:
        return Check(name, False, (
            f"capacity 3, rate 2/s (at most 5 in any second, the partner's limit), after 5 s idle: {refused} of 30 "
            "requests were refused with 429 by the partner's own limiter. The bucket let through more than "
            "capacity + rate * t in some window."))
    return Check(name, True)


def _own_clock(candidate: Candidate, unjudgeable: str | None) -> Check:
    if unjudgeable:
        return Check("waits on the given clock", False, unjudgeable)
    if candidate.sleeps:
        return Check("waits on the given clock", False, (
            f"your code called time.sleep {len(candidate.sleeps)} times. Wait with clock.sleep: the clock is "
            "injected so that tests run in no time and every client of the bucket shares one notion of time."))
    return Check("waits on the given clock", True)
