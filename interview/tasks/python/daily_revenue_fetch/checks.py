"""Hidden checks of ``daily_revenue_fetch``: the candidate's function asks the simulated backend's /revenue for a
clean week, a week of hiccups (a 500, a 503, a timeout, bodies cut off), days around an outage, the month's
end (days without payments) and a single day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import requests

from interview.checking_api import (
    NOT_ATTEMPTED, Candidate, Outcome, not_run, reset_backend, sim_world, time_budget_check, traffic,
    unjudged, wrapped_handle,
)
from interview.tasks import Check

NAMES = ["exact Decimal totals", "every day in the range", "retries transient failures",
         "reports unfetchable days", "bounded retries", "waits with the given sleep", "time budget"]
#: scenario -> (start, end, {day: the failures its requests meet, in order, before it is served})
SCENARIOS = {
    "a clean week": ("2025-09-01", "2025-09-07", {}),
    "a week of hiccups": ("2025-09-08", "2025-09-14", {
        "2025-09-09": ["server_error"], "2025-09-10": ["malformed_json", "timeout"],
        "2025-09-12": ["server_error_503", "malformed_json"]}),
    "days around an outage": ("2025-09-15", "2025-09-17", {"2025-09-16": ["server_error"] * 30}),
    "the month's end": ("2025-09-29", "2025-10-02", {}),
    "a single day": ("2025-09-20", "2025-09-20", {}),
}
MAX_ATTEMPTS = 3  # what the grader passes
DOWN = "2025-09-16"


def check(solution: Path) -> list[Check]:
    candidate = Candidate(solution)
    why = candidate.missing("fetch_daily_revenue")
    if why:
        return not_run(NAMES, why)
    outcomes: dict[str, Outcome] = {}
    truth: dict[str, Decimal] = {}
    asked: dict[str, list] = {}
    with sim_world(appointments=1500) as world:
        backend = world.backend
        for scenario, (start, end, failures) in SCENARIOS.items():
            reset_backend(world)
            for day in _days(start, end):
                answer = requests.get(f"{backend.BASE_URL}/revenue", params={"date": day}, timeout=5)
                truth[day] = answer.json(parse_float=Decimal)["total_revenue"]
            with wrapped_handle(backend, _hiccups(failures)), traffic(backend, world.clock) as exchanges:
                outcomes[scenario] = candidate.call(
                    "fetch_daily_revenue", backend.BASE_URL, start, end, sleep=world.clock.sleep,
                    max_attempts=MAX_ATTEMPTS, clock=world.clock)
            asked[scenario] = exchanges
            if outcomes[scenario].not_attempted:
                return not_run(NAMES, NOT_ATTEMPTED)
    read = {scenario: _read(outcome) for scenario, outcome in outcomes.items()}
    return [
        _exact(read, truth),
        _every_day(read),
        _retries(read["a week of hiccups"]),
        _reports(read["days around an outage"]),
        _bounded(outcomes["days around an outage"], asked["days around an outage"]),
        _own_sleep(candidate, world.clock, unjudged(outcomes)),
        time_budget_check(outcomes, candidate.budget),
    ]


def _days(start: str, end: str) -> list[str]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return [(first + dt.timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def _hiccups(failures: dict[str, list[str]]):
    """Each request for a day in ``failures`` meets that day's next failure, until none are left."""
    from sim.faults import Fault, fault_response

    left = {day: list(kinds) for day, kinds in failures.items()}

    def handle(request, original):
        response = original(request)
        kinds = left.get(request.params.get("date", ""))
        if request.path.rstrip("/") != "/revenue" or not kinds:
            return response
        kind = kinds.pop(0)
        if kind == "server_error_503":
            return fault_response(Fault("server_error", options={"status": 503}), response)
        return fault_response(Fault(kind), response)

    return handle


def _read(outcome: Outcome):
    """(revenue, failed) as returned, or why they cannot be read."""
    if not outcome.ok:
        return outcome.why
    value = outcome.value
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)
            and isinstance(value[1], list)):
        return f"it returned {type(value).__name__}; expected a tuple (revenue dict, failed list)"
    return value


def _exact(read: dict, truth: dict) -> Check:
    for scenario, result in read.items():
        if isinstance(result, str):
            return Check("exact Decimal totals", False, f"{scenario}: {result}")
        for day, total in result[0].items():
            if isinstance(total, float):
                return Check("exact Decimal totals", False, (
                    f"{scenario}: {day} came back as the float {total!r} (really {Decimal(total)}); the backend "
                    f"sent exactly {truth.get(day)}. Parse with json.loads(..., parse_float=Decimal)."))
            if day == DOWN:
                continue  # whatever a day that was down got is judged by "reports unfetchable days"
            if day in truth and (not isinstance(total, Decimal) or total != truth[day]):
                return Check("exact Decimal totals", False, (
                    f"{scenario}: {day} is {total!r}, the backend said {truth[day]}"))
    return Check("exact Decimal totals", True)


def _every_day(read: dict) -> Check:
    for scenario in ("a clean week", "the month's end", "a single day"):
        result = read[scenario]
        if isinstance(result, str):
            return Check("every day in the range", False, f"{scenario}: {result}")
        start, end, _ = SCENARIOS[scenario]
        expected = set(_days(start, end))
        got = set(result[0]) | set(result[1])
        if got != expected:
            missing, extra = sorted(expected - got), sorted(got - expected)
            return Check("every day in the range", False, (
                f"{scenario} ({start} to {end}, both included): " + (f"no answer for {missing}" if missing else "")
                + (f"; days outside the range or not 'YYYY-MM-DD' keys: {extra}" if extra else "")
                + ". Both ends of the range are included, and a day without payments is a real 0.00."))
    return Check("every day in the range", True)


def _retries(result) -> Check:
    hiccups = sorted(SCENARIOS["a week of hiccups"][2])
    if isinstance(result, str):
        return Check("retries transient failures", False, f"a week of hiccups: {result}")
    revenue, failed = result
    lost = [day for day in hiccups if day not in revenue or day in failed]
    if lost:
        return Check("retries transient failures", False, (
            f"a week of hiccups: no total for {lost} (reported failed: {sorted(failed)}). A 500/503, a "
            "timeout and a 200 whose body is not valid JSON all pass on another attempt: retry each of them."))
    return Check("retries transient failures", True)


def _reports(result) -> Check:
    if isinstance(result, str):
        return Check("reports unfetchable days", False, f"days around an outage: {result}")
    revenue, failed = result
    if DOWN in revenue or DOWN not in failed:
        return Check("reports unfetchable days", False, (
            f"days around an outage: a day the backend never answered came back as "
            f"{revenue.get(DOWN, 'no value')!r} and was {'' if DOWN in failed else 'not '}listed as failed. A zero "
            "(or any value) for a day you could not fetch reconciles as a real number and hides the outage; "
            "report the day in failed instead."))
    return Check("reports unfetchable days", True)


def _bounded(outcome: Outcome, exchanges: list) -> Check:
    tries = sum(1 for e in exchanges if e.params.get("date") == DOWN)
    if not outcome.ok and not outcome.timed_out:
        return Check("bounded retries", False, f"cannot be judged: days around an outage: {outcome.why}")
    if outcome.timed_out or tries > MAX_ATTEMPTS:
        return Check("bounded retries", False, (
            f"days around an outage: {tries} requests for the day that was down, with max_attempts="
            f"{MAX_ATTEMPTS}. Stop after max_attempts and move on to the next day."))
    return Check("bounded retries", True)


def _own_sleep(candidate: Candidate, clock, unjudgeable: str | None) -> Check:
    if unjudgeable:
        return Check("waits with the given sleep", False, unjudgeable)
    if not candidate.sleeps and not clock.sleeps:
        return Check("waits with the given sleep", False, (
            "your code never paused between attempts: a retry sent at once meets the same failing backend"))
    if candidate.sleeps:
        return Check("waits with the given sleep", False, (
            f"your code called time.sleep {len(candidate.sleeps)} times. Pause with the sleep you are given: the "
            "caller decides what waiting means (real time in production, a fake clock in tests)."))
    return Check("waits with the given sleep", True)
