"""Graders for notebook 08 (API extraction): cursor pagination, backoff with full jitter, resuming a run.

Each ``grade_*`` takes the candidate's function, runs named checks and prints one line per check
(:func:`exercises.grading.grade`). The first two run against the partner API fake directly (its ``handle``
method, no HTTP), the third against the running sim's API with an injected outage.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

from sim.clock import FakeClock
from sim.http import FakeRequest
from sim.partner_api import PartnerSchedulingAPI
from solutions.extraction import AuthError, ExtractionError, PartnerExtractor, RetriesExhausted, RetryPolicy
from exercises.grading import Grade, Mismatch, expect, grade, some

TOKEN = "grader-token"  # noqa: S105 - the graders' fake API token
MAX_REQUESTS = 50
DAY = "2025-09-15"


# -- exercise 1: the cursor pagination loop -----------------------------------------------------------------


def reference_collect_cursor_pages(fetch: Callable[[str | None], dict]) -> list[dict]:
    """Follow ``next_cursor`` until it is null; keep the first copy of each ``appointment_id``."""
    records: list[dict] = []
    seen: set = set()
    cursor = None
    while True:
        page = fetch(cursor)
        for record in page["appointments"]:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        cursor = page["next_cursor"]
        if cursor is None:
            return records


class _Fetcher:
    """``fetch(cursor)`` over a fresh partner API fake holding ``n`` records; counts requests."""

    def __init__(self, n: int, duplicate_page: int | None = None, count: int = 5) -> None:
        self.rows = [{"appointment_id": 1000 + i, "status": "completed"} for i in range(n)]
        self.api = PartnerSchedulingAPI(lambda start, end: self.rows, token=TOKEN, requests_per_second=1e6,
                                        clock=FakeClock())
        if duplicate_page:
            self.api.inject("duplicate_records", page=duplicate_page, count=count)
        self.requests = 0

    def __call__(self, cursor: str | None) -> dict:
        self.requests += 1
        if self.requests > MAX_REQUESTS:
            raise Mismatch(f"more than {MAX_REQUESTS} requests: does the loop stop, and send the cursor?")
        params = {"start_date": DAY, "end_date": DAY, "per_page": "100"}
        params.update({"mode": "cursor"} if cursor is None else {"cursor": cursor})
        headers = {"Authorization": f"Bearer {TOKEN}"}
        answer = self.api.handle(FakeRequest("GET", "/appointments", params, headers))
        if answer.status != 200:
            raise Mismatch(f"the API answered {answer.status}: {answer.body.decode()}")
        return json.loads(answer.body)

    def ids(self) -> list[int]:
        return [r["appointment_id"] for r in self.rows]


def _check_walk(n: int, requests: int, duplicate_page: int | None = None) -> Callable[[Any], None]:
    def check(fn: Any) -> None:
        fetch = _Fetcher(n, duplicate_page)
        got = [r["appointment_id"] for r in fn(fetch)]
        expected = fetch.ids()
        if got != expected:
            repeated = len(got) - len(set(got))
            missing = sorted(set(expected) - set(got))
            detail = f"{repeated} repeated, {len(missing)} missing"
            if missing:
                detail += f" (ids {missing[0]}..{missing[-1]})"
            if not repeated and not missing:
                detail = "the right records in the wrong order"
            raise Mismatch(f"got {len(got)} records, expected {len(expected)}, each once in order: {detail}")
        expect(fetch.requests, requests, "requests made")

    return check


def grade_collect_cursor_pages(fn: Callable[[Callable[[str | None], dict]], list[dict]]) -> Grade:
    """``fn(fetch)`` must return every record once, following ``next_cursor`` to the end."""
    return grade("collect_cursor_pages", fn, [
        ("250 records: 3 pages, every record once, in order", _check_walk(250, 3)),
        ("exactly 100 records: one page, stops when next_cursor is null", _check_walk(100, 1)),
        ("no records: one request, empty list", _check_walk(0, 1)),
        ("page 2 repeats 5 records of page 1: dropped", _check_walk(250, 3, duplicate_page=2)),
        ("repeats at the last page: dropped", _check_walk(250, 3, duplicate_page=3)),
    ])


# -- exercise 2: backoff with full jitter -------------------------------------------------------------------

BASE, CAP = 0.5, 30.0


def reference_backoff_delay(retry: int, retry_after: float | None, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(CAP, BASE * 2**(retry-1))], and never below ``retry_after``."""
    delay = rng.uniform(0.0, min(CAP, BASE * 2 ** (retry - 1)))
    return max(delay, retry_after) if retry_after is not None else delay


def _samples(fn: Any, retry: int, retry_after: float | None = None, seed: int = 1, n: int = 400
             ) -> list[float]:
    rng = random.Random(seed)
    return [fn(retry, retry_after, rng) for _ in range(n)]


def _check_bounds(fn: Any) -> None:
    for retry in range(1, 9):
        ceiling = min(CAP, BASE * 2 ** (retry - 1))
        values = _samples(fn, retry)
        if min(values) < 0 or max(values) > ceiling + 1e-9:
            raise Mismatch(f"retry {retry}: delays must lie in [0, {ceiling:g}], "
                           f"got {min(values):.3f}..{max(values):.3f}")


def _check_jitter(fn: Any) -> None:
    for retry in (1, 4, 8):
        ceiling = min(CAP, BASE * 2 ** (retry - 1))
        values = _samples(fn, retry)
        if len(set(values)) < 100:
            raise Mismatch(f"retry {retry}: {len(set(values))} distinct delays in 400 tries: no jitter?")
        mean = sum(values) / len(values)
        if not 0.35 * ceiling < mean < 0.65 * ceiling:
            raise Mismatch(f"retry {retry}: mean delay {mean:.3f} s; full jitter over [0, {ceiling:g}] "
                           f"averages {ceiling / 2:g} s")


def _check_retry_after(fn: Any) -> None:
    for retry, after in ((1, 2.0), (3, 1.0), (6, 5.0)):
        ceiling = min(CAP, BASE * 2 ** (retry - 1))
        values = _samples(fn, retry, after)
        if min(values) < after:
            raise Mismatch(f"retry {retry} with Retry-After {after:g}: waited only {min(values):.3f} s")
        if max(values) > after + ceiling + 1e-9:
            raise Mismatch(f"retry {retry} with Retry-After {after:g}: waited {max(values):.3f} s, longer "
                           f"than Retry-After plus the whole backoff range ({after + ceiling:g} s)")


def _check_jitter_with_retry_after(fn: Any) -> None:
    retry, after = 6, 1.0
    values = _samples(fn, retry, after)
    if len(set(values)) < 100:
        raise Mismatch(f"retry {retry} with Retry-After {after:g}: {len(set(values))} distinct delays in "
                       "400 tries; Retry-After is a floor, not the delay: keep the jitter, or every client "
                       "that got the same 429 retries at the same instant")


def _check_cap(fn: Any) -> None:
    values = _samples(fn, 40, n=50)
    if max(values) > CAP:
        raise Mismatch(f"retry 40 waited {max(values):.1f} s: cap the ceiling at {CAP:g} s")


def _check_seeded(fn: Any) -> None:
    first, second = _samples(fn, 5, seed=42, n=20), _samples(fn, 5, seed=42, n=20)
    if first != second:
        raise Mismatch(f"the same seed gave different delays ({first[0]:.3f} s, then {second[0]:.3f} s): "
                       "draw from the rng passed in, not from the random module")


def grade_backoff_delay(fn: Callable[[int, float | None, random.Random], float]) -> Grade:
    """``fn(retry, retry_after, rng)``: full jitter, capped, honours Retry-After, uses the rng it is given."""
    return grade("backoff_delay", fn, [
        ("delays within [0, min(30, 0.5 * 2**(retry-1))]", _check_bounds),
        ("jittered: spread over the whole range", _check_jitter),
        ("never sooner than Retry-After", _check_retry_after),
        ("still jittered when Retry-After is shorter than the backoff", _check_jitter_with_retry_after),
        ("capped at 30 s even for retry 40", _check_cap),
        ("reproducible with a seeded rng", _check_seeded),
    ])


# -- exercise 3: resume a failed run from its cursor --------------------------------------------------------


def reference_extract_with_resume(extractor: PartnerExtractor, start: str, end: str, max_resumes: int = 3
                                  ) -> list[dict]:
    """Call ``extract``; when an outage outlasts its retries (``RetriesExhausted``), keep the error's records
    and continue from its ``resume_cursor``, at most ``max_resumes`` times, then let the last error propagate.
    Any other ``ExtractionError`` (a rejected token, a bad request) propagates at once: resuming cannot fix
    it."""
    records: list[dict] = []
    seen: set = set()
    cursor = None
    for resume in range(max_resumes + 1):
        try:
            result = extractor.extract(start, end, mode="cursor", resume_cursor=cursor)
            batch, done = result.records, True
        except RetriesExhausted as error:
            if resume == max_resumes:
                raise
            batch, done, cursor = error.records, False, error.resume_cursor
        for record in batch:  # a record can come twice across resumes (the extractor dedupes within one call)
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        if done:
            return records
    raise AssertionError("unreachable: the last attempt returns or raises")


class _CountingExtractor:
    """The real extractor, counting the calls to ``extract``."""

    def __init__(self, real: PartnerExtractor) -> None:
        self._real, self.calls = real, 0

    def extract(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self._real.extract(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _truth_and_extractor(outages: list[int], duplicates_at: int | None = None, token: str | None = None
                         ) -> tuple[list[int], _CountingExtractor]:
    """The API's ids for ``DAY``, and an extractor facing ``outages`` (each lasts one extract() call)."""
    import os

    import sim

    world = sim.current()
    world.partner.faults.clear()
    world.clock.advance(5)  # a fresh rate-limit window
    truth = [a for (a,) in world.warehouse.query(
        "SELECT APPOINTMENT_ID FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s "
        "ORDER BY APPOINTMENT_ID", (DAY,))]
    pages = -(-len(truth) // 100)
    if pages < 8:
        raise Mismatch(f"the sim serves {pages} page(s) for {DAY}: start it with appointments=30000")
    policy = RetryPolicy(seed=3)
    for page in outages:
        world.partner.inject("server_error", page=page, times=policy.max_attempts)
    if duplicates_at:
        world.partner.inject("duplicate_records", page=duplicates_at, count=5)
    token = token or os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
    return truth, _CountingExtractor(PartnerExtractor(token, clock=world.clock, policy=policy))


def _same_ids(got: list[dict], truth: list[int]) -> None:
    ids = [r["appointment_id"] for r in got]
    repeated = len(ids) - len(set(ids))
    if repeated:
        twice = sorted({i for i in ids if ids.count(i) > 1}) if repeated <= 50 else []
        raise Mismatch(f"{repeated} record(s) returned twice {some(twice) if twice else ''}: a record can "
                       "arrive again after a resume; keep each appointment_id once")
    missing, extra = sorted(set(truth) - set(ids)), sorted(set(ids) - set(truth))
    if missing or extra:
        parts = [f"{len(missing)} missing {some(missing)}" if missing else "",
                 f"{len(extra)} not in the API's day {some(extra)}" if extra else ""]
        raise Mismatch(f"got {len(ids)} records, the API has {len(truth)} for {DAY}: "
                       + ", ".join(p for p in parts if p))


def _resume_check(outages: list[int], duplicates_at: int | None = None) -> Callable[[Any], None]:
    """Each outage: page ``p`` answers 500 for one whole extract() call (6 attempts), then heals."""

    def check(fn: Any) -> None:
        import sim

        world = sim.current()
        truth, extractor = _truth_and_extractor(outages, duplicates_at)
        before = len(world.partner.log)
        try:
            got = fn(extractor, DAY, DAY)
        except ExtractionError as error:
            raise Mismatch(f"{type(error).__name__} escaped after {extractor.calls} call(s) to extract(), "
                           f"{len(outages)} outage(s): the first call and up to max_resumes=3 resumes; "
                           f"{error}") from None
        finally:
            world.partner.faults.clear()
        _same_ids(got, truth)
        log = world.partner.log[before:]
        first_pages = sum(1 for e in log if "cursor" not in e.params and e.status == 200)
        expect(first_pages, 1, "times page 1 was served (a resume continues, it does not start over)")

    return check


def _resumes_run_out(fn: Any) -> None:
    import sim

    world = sim.current()
    _, extractor = _truth_and_extractor([2, 3, 4, 5])
    try:
        got = fn(extractor, DAY, DAY)
    except ExtractionError:
        pass
    except Exception as error:  # noqa: BLE001 - say what came instead
        raise Mismatch(f"expected the last ExtractionError, got {type(error).__name__}: {error}") from None
    else:
        count = len(got) if isinstance(got, list) else got
        raise Mismatch(f"four outages, three resumes allowed: expected the last error to propagate, got "
                       f"{count!r} records returned as if the day were complete")
    finally:
        world.partner.faults.clear()
    expect(extractor.calls, 4, "calls to extract() (the first and max_resumes=3 resumes)")


def _auth_error_not_resumed(fn: Any) -> None:
    import sim

    world = sim.current()
    _, extractor = _truth_and_extractor([], token="a-revoked-token")  # noqa: S106 - a made-up token the partner refuses
    try:
        fn(extractor, DAY, DAY)
    except AuthError:
        pass
    except Exception as error:  # noqa: BLE001 - say what came instead
        raise Mismatch(f"expected the AuthError to propagate, got {type(error).__name__}: {error}") from None
    else:
        raise Mismatch("the token was rejected and the function returned anyway")
    finally:
        world.partner.faults.clear()
    if extractor.calls != 1:
        raise Mismatch(f"extract() was called {extractor.calls} times for a rejected token: resuming cannot "
                       "fix an AuthError, let it propagate at once")


def grade_extract_with_resume(fn: Callable[..., list[dict]]) -> Grade:
    """``fn(extractor, start, end)`` survives outages that outlast the per-request retries by resuming."""
    return grade("extract_with_resume", fn, [
        ("one outage at page 4: resumed, every record once", _resume_check([4])),
        ("two outages (pages 3 and 7): resumed twice", _resume_check([3, 7])),
        ("outage on the first page: resumed from the start", _resume_check([1])),
        ("three outages (pages 2, 4, 6): all max_resumes=3 resumes used", _resume_check([2, 4, 6])),
        ("records repeated across a resume: kept once", _resume_check([5], duplicates_at=5)),
        ("four outages: the resumes run out and the last error propagates", _resumes_run_out),
        ("a rejected token (AuthError) is not resumed", _auth_error_not_resumed),
    ])
