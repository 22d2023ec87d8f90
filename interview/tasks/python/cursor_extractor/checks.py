"""Hidden checks of ``cursor_extractor``: the candidate's extractor walks the simulated partner on a clean day,
three weeks (pages that overlap, the rate limit reached), a week of faults, an empty range and an outage."""

from __future__ import annotations

from pathlib import Path

from interview.checking_api import (
    NOT_ATTEMPTED, Candidate, Outcome, hammered, ignored_retry_after, not_run, reset_partner, sim_world,
    time_budget_check, traffic, unjudged,
)
from interview.tasks import Check

NAMES = ["no lost records", "no duplicates", "follows the cursor", "empty range", "retries server errors and timeouts",
         "honours Retry-After", "backs off between retries", "bounded retries", "waits with the given sleep",
         "time budget"]
KEY = "appointment_id"
#: scenario -> (start, end, faults as (kind, options)); max_retries is 3 in the outage, the default elsewhere
SCENARIOS = {
    "a clean day": ("2025-09-16", "2025-09-16", []),
    "three weeks": ("2025-09-01", "2025-09-21", [("duplicate_records", {"page": 5, "count": 4})]),
    "a week of faults": ("2025-09-08", "2025-09-17", [
        ("rate_limit_storm", {"page": 2, "retry_after": 3}), ("server_error", {"page": 2, "times": 2}),
        ("timeout", {"page": 3}), ("server_error", {"page": 4, "status": 503})]),
    "an empty range": ("2025-10-20", "2025-10-22", []),
    "an outage": ("2025-09-01", "2025-09-07", [("server_error", {"page": 2, "times": 40})]),
}
FAULTED_PAGES = (2, 3, 4)
OUTAGE_RETRIES = 3


def check(solution: Path) -> list[Check]:
    candidate = Candidate(solution)
    why = candidate.missing("extract_appointments")
    if why:
        return not_run(NAMES, why)
    outcomes: dict[str, Outcome] = {}
    truth: dict[str, list] = {}
    seen: dict[str, list] = {}
    with sim_world(appointments=1500) as world:
        for scenario, (start, end, faults) in SCENARIOS.items():
            reset_partner(world)
            for kind, options in faults:
                world.partner.inject(kind, **options)
            truth[scenario] = [r[KEY] for r in world.partner.records(_day(start), _day(end))]
            extra = {"max_retries": OUTAGE_RETRIES} if scenario == "an outage" else {}
            with traffic(world.partner, world.clock) as exchanges:
                outcomes[scenario] = candidate.call(
                    "extract_appointments", world.partner.BASE_URL, world.partner.token, start, end,
                    sleep=world.clock.sleep, clock=world.clock, **extra)
            seen[scenario] = exchanges
            if outcomes[scenario].not_attempted:
                return not_run(NAMES, NOT_ATTEMPTED)
    return [
        _no_lost(outcomes, truth),
        _no_duplicates(outcomes),
        _cursor(seen["three weeks"], outcomes["three weeks"]),
        _empty(outcomes["an empty range"]),
        _retries(outcomes["a week of faults"], truth["a week of faults"]),
        _retry_after(seen, unjudged(outcomes, skip=("an outage",))),
        _backs_off(seen, unjudged(outcomes, skip=("an outage",))),
        _bounded(outcomes["an outage"], seen["an outage"]),
        _own_sleep(candidate, world.clock, unjudged(outcomes, skip=("an outage",))),
        time_budget_check(outcomes, candidate.budget),
    ]


def _day(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _ids(outcome: Outcome) -> list | str:
    """The ids returned, or why they cannot be read."""
    if not outcome.ok:
        return outcome.why
    if not isinstance(outcome.value, list):
        return f"it returned {type(outcome.value).__name__}, not a list of records"
    if not all(isinstance(r, dict) and KEY in r for r in outcome.value):
        return f"it returned items that are not appointment records (dicts with {KEY!r})"
    return [r[KEY] for r in outcome.value]


def _no_lost(outcomes: dict[str, Outcome], truth: dict[str, list]) -> Check:
    for scenario in ("a clean day", "three weeks"):
        ids = _ids(outcomes[scenario])
        if isinstance(ids, str):
            return Check("no lost records", False, f"{scenario}: {ids}")
        missing = set(truth[scenario]) - set(ids)
        if missing:
            return Check("no lost records", False, (
                f"{scenario}: {len(missing)} of {len(truth[scenario])} appointments missing. Does the loop keep "
                "the records of the page whose next_cursor is null (the last one), and of a single-page range?"))
    return Check("no lost records", True)


def _no_duplicates(outcomes: dict[str, Outcome]) -> Check:
    for scenario in ("a clean day", "three weeks"):
        ids = _ids(outcomes[scenario])
        if isinstance(ids, str):
            return Check("no duplicates", False, f"{scenario}: {ids}")
        if len(ids) != len(set(ids)):
            return Check("no duplicates", False, (
                f"{scenario}: {len(ids) - len(set(ids))} appointments returned twice. Pages can overlap when rows "
                f"move under the partner's paging: keep the first copy of each {KEY}."))
    return Check("no duplicates", True)


def _cursor(exchanges: list, outcome: Outcome) -> Check:
    if not outcome.ok:
        return Check("follows the cursor", False, f"cannot be judged: three weeks did not complete ({outcome.why})")
    numbered = [e for e in exchanges if "page" in e.params]
    if numbered:
        return Check("follows the cursor", False, (
            f"three weeks: pages were requested by number ({len(numbered)} requests with page=...), not with the "
            "next_cursor the partner returned. A cursor is stable while the data changes under the walk; page "
            "numbers are offsets, and offsets shift."))
    first = [e for e in exchanges if "cursor" not in e.params]
    if not first or first[0].params.get("mode") != "cursor":
        return Check("follows the cursor", False, (
            "three weeks: the first request did not ask for cursor pagination (mode=cursor)"))
    return Check("follows the cursor", True)


def _empty(outcome: Outcome) -> Check:
    ids = _ids(outcome)
    if isinstance(ids, str) or ids:
        return Check("empty range", False, f"a range with no appointments: {ids if isinstance(ids, str) else ''}"
                     f"{'' if isinstance(ids, str) else f'{len(ids)} records returned'}; expected an empty list")
    return Check("empty range", True)


def _retries(outcome: Outcome, truth: list) -> Check:
    ids = _ids(outcome)
    if isinstance(ids, str):
        return Check("retries server errors and timeouts", False, (
            f"a week with a 500 (twice), a timeout and a 503 on its pages: {ids}. A transient failure deserves "
            "another try (after a pause)."))
    faulted = {i for page in FAULTED_PAGES for i in truth[(page - 1) * 100: page * 100]}
    if faulted - set(ids):
        return Check("retries server errors and timeouts", False, (
            f"a week of faults: {len(faulted - set(ids))} records of the pages that failed at first are missing; a "
            "page that failed must be fetched again, never skipped"))
    return Check("retries server errors and timeouts", True)


def _retry_after(seen: dict[str, list], unjudgeable: str | None) -> Check:
    if unjudgeable:
        return Check("honours Retry-After", False, unjudgeable)
    if not any(e.status == 429 for exchanges in seen.values() for e in exchanges):
        return Check("honours Retry-After", False, "cannot be judged: your code never met a 429")
    for scenario, exchanges in seen.items():
        early = ignored_retry_after(exchanges)
        if early:
            return Check("honours Retry-After", False, (
                f"{scenario}: {early[0]} ({len(early)} such requests). The server says how long to wait: each "
                "early request is refused again and uses up its patience."))
    return Check("honours Retry-After", True)


def _backs_off(seen: dict[str, list], unjudgeable: str | None) -> Check:
    if unjudgeable:
        return Check("backs off between retries", False, unjudgeable)
    if not any(e.status in (None, 500, 503) for exchanges in seen.values() for e in exchanges):
        return Check("backs off between retries", False, "cannot be judged: your code never met a 5xx or timeout")
    for scenario, exchanges in seen.items():
        fast = hammered(exchanges)
        if fast:
            return Check("backs off between retries", False, (
                f"{scenario}: {fast[0]}. Retrying at once hits a struggling server while it is down; wait "
                "(exponentially longer each time, with sleep) before the next attempt."))
    return Check("backs off between retries", True)


def _bounded(outcome: Outcome, exchanges: list) -> Check:
    failed = sum(1 for e in exchanges if e.page == 2 and e.status == 500)
    if outcome.timed_out:
        return Check("bounded retries", False, (
            f"an outage (page 2 answers 500 for a long time, max_retries={OUTAGE_RETRIES}): the call never "
            "finished. Count the attempts and give up."))
    if outcome.ok:
        return Check("bounded retries", False, (
            f"an outage (page 2 answers 500 for a long time, max_retries={OUTAGE_RETRIES}): it returned after "
            f"{failed} failed attempts instead of raising. Give up after max_retries retries and raise: a "
            "partial list, or hammering until the partner heals, hides the outage."))
    if failed > OUTAGE_RETRIES + 1:
        return Check("bounded retries", False, (
            f"an outage: {failed} attempts on the failing page with max_retries={OUTAGE_RETRIES}; at most "
            f"{OUTAGE_RETRIES + 1} (the first try and {OUTAGE_RETRIES} retries)"))
    return Check("bounded retries", True)


def _own_sleep(candidate: Candidate, clock, unjudgeable: str | None) -> Check:
    if unjudgeable:
        return Check("waits with the given sleep", False, unjudgeable)
    if not candidate.sleeps and not clock.sleeps:
        return Check("waits with the given sleep", False, (
            "cannot be judged: your code never waited, though the partner asked it to (429) and failed (5xx)"))
    if candidate.sleeps:
        return Check("waits with the given sleep", False, (
            f"your code called time.sleep {len(candidate.sleeps)} times. Wait with the sleep you are given: it "
            "is the clock the partner's rate limit runs on (in production, real time; in tests, a fake clock "
            "that makes a 30 s back-off instant)."))
    return Check("waits with the given sleep", True)
