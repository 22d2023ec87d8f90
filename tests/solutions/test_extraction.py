"""solutions.extraction end to end against the sim's partner API: pagination, errors, backoff, budget, resume,
and the syllabus's extractor (syllabus/extractor.py, unchanged) for comparison."""

from __future__ import annotations

import math
import os
import random

import pytest
import requests

from solutions.extraction import (
    AuthError,
    ClientError,
    ExtractionError,
    MalformedPageError,
    PartnerExtractor,
    RetriesExhausted,
    RetryPolicy,
    dedupe,
)
from solutions.ratelimit import TokenBucket
from syllabus.extractor import SimplePracticeAPIExtractor

DAY = "2025-09-10"


@pytest.fixture(scope="module")
def big_world(start_module_world):
    from sim.clock import FakeClock

    # a fake clock: the tests assert exact waits and back-offs, which real elapsed time would blur
    return start_module_world(appointments=30000, clock=FakeClock())


@pytest.fixture
def world(big_world):
    """The module's world with no faults pending and a quiet rate-limit window."""
    big_world.partner.faults.clear()
    big_world.clock.advance(5)
    yield big_world
    big_world.partner.faults.clear()


def truth(world, day: str = DAY) -> list[int]:
    return [a for (a,) in world.warehouse.query(
        "SELECT APPOINTMENT_ID FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s ORDER BY 1",
        (day,))]


def make(world, **kwargs) -> PartnerExtractor:
    kwargs.setdefault("policy", RetryPolicy(seed=11))
    return PartnerExtractor(os.environ["AIRFLOW_VAR_PARTNER_API_KEY"], clock=world.clock, **kwargs)


def ids(records) -> list[int]:
    return sorted(r["appointment_id"] for r in records)


@pytest.mark.parametrize("mode", ["cursor", "page"])
@pytest.mark.parametrize("day", ["2025-09-01", DAY, "2025-09-30"])
def test_every_record_exactly_once_in_both_modes(world, mode, day):
    expected = truth(world, day)
    assert len(expected) > 900  # a multi-page day
    result = make(world).extract(day, day, mode=mode)
    assert [r["appointment_id"] for r in result.records] == expected  # the API serves in id order
    pages = math.ceil(len(expected) / 100)
    m = result.metrics
    got = (m.pages, m.records, m.requests, m.retries, m.duplicates_dropped)
    assert got == (pages, len(expected), pages, 0, 0)
    assert m.seconds == pytest.approx((pages - 1) / 4)  # the default bucket: 4 requests/s, no burst


def test_a_range_of_days_and_a_smaller_page_size(world):
    expected = truth(world, "2025-09-03") + truth(world, "2025-09-04")
    result = make(world, per_page=37).extract("2025-09-03", "2025-09-04", mode="page")
    assert ids(result.records) == sorted(expected)
    assert result.metrics.pages == math.ceil(len(expected) / 37)


def test_a_day_without_appointments_is_one_request_and_no_records(world):
    before = len(world.partner.log)
    result = make(world).extract("2025-10-15", "2025-10-15")
    assert result.records == [] and result.metrics.pages == 1
    assert len(world.partner.log) - before == 1


def test_wrong_token_stops_at_once_with_one_request_and_a_clear_message(world):
    before, sleeps = len(world.partner.log), len(world.clock.sleeps)
    extractor = PartnerExtractor("not-the-token", clock=world.clock)
    with pytest.raises(AuthError, match=r"page 1: the partner API rejected the token \(HTTP 401\); check the "
                                        r"partner_api_key Variable\. Not retrying") as caught:
        extractor.extract(DAY, DAY)
    assert world.partner.log.statuses()[before:] == [401]
    assert world.clock.sleeps[sleeps:] == []
    assert caught.value.records == [] and caught.value.metrics.requests == 1


def test_a_missing_token_is_refused_before_any_request(world, monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_PARTNER_API_KEY")
    before = len(world.partner.log)
    with pytest.raises(AuthError, match="partner_api_key"):
        PartnerExtractor(os.environ.get("AIRFLOW_VAR_PARTNER_API_KEY", ""), clock=world.clock)
    assert len(world.partner.log) == before


def test_the_token_never_appears_in_repr_errors_or_metrics(world):
    token = os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
    extractor = make(world)
    world.partner.inject("server_error", page=2, times=100)
    with pytest.raises(ExtractionError) as caught:
        extractor.extract(DAY, DAY)
    error = caught.value
    for text in (repr(extractor), str(error), repr(error.metrics), str(error.metrics.as_dict()),
                 repr(error.metrics.attempts)):
        assert token not in text


def test_other_4xx_are_not_retried(world):
    before = len(world.partner.log)
    with pytest.raises(ClientError, match=r"HTTP 400 .*is after end_date"):
        make(world).extract("2025-09-10", "2025-09-01")
    assert world.partner.log.statuses()[before:] == [400]


def test_every_request_has_a_timeout(world):
    seen = []

    class Recording(requests.Session):
        def get(self, url, **kwargs):
            seen.append(kwargs.get("timeout"))
            return super().get(url, **kwargs)

    make(world, session=Recording(), timeout=(2.0, 10.0)).extract(DAY, DAY)
    assert seen and all(t == (2.0, 10.0) for t in seen)


def test_backoff_is_full_jitter_bounded_and_on_the_injected_clock(world):
    policy = RetryPolicy(seed=5, base=0.5, cap=3.0, max_attempts=7)
    world.partner.inject("server_error", page=2, times=6)  # 500: no Retry-After
    sleeps_before = len(world.clock.sleeps)
    result = make(world, policy=policy).extract(DAY, DAY)
    backoffs = [a.backoff for a in result.metrics.attempts if a.page == 2 and a.backoff]
    rng = random.Random(5)
    assert backoffs == [rng.uniform(0, min(3.0, 0.5 * 2 ** (n - 1))) for n in range(1, 7)]
    assert all(0 <= b <= min(3.0, 0.5 * 2 ** n) for n, b in enumerate(backoffs))
    new_sleeps = world.clock.sleeps[sleeps_before:]
    assert [s for s in new_sleeps if s in backoffs] == backoffs  # slept on the sim's clock, in order
    assert result.metrics.retries == 6 and result.metrics.server_errors == 6
    assert result.metrics.backoff_seconds == pytest.approx(sum(backoffs))


def test_retry_after_is_honoured(world):
    world.partner.inject("rate_limit_storm", page=3, times=2, retry_after=3)
    before = len(world.partner.log)
    result = make(world).extract(DAY, DAY)
    storm = [a for a in result.metrics.attempts if a.page == 3]
    assert [a.status for a in storm] == [429, 429, 200]
    assert all(a.backoff >= 3 for a in storm[:2])
    log = world.partner.log[before:]
    last_429 = max(i for i, e in enumerate(log) if e.fault == "rate_limit_storm")
    assert log[last_429 + 1].status == 200 and log[last_429 + 1].time - log[last_429].time >= 3
    assert result.metrics.rate_limited == 2
    assert ids(result.records) == truth(world)


def test_503_retry_after_is_honoured(world):
    world.partner.inject("server_error", page=1, status=503, times=1)
    result = make(world).extract(DAY, DAY)
    assert result.metrics.attempts[0].status == 503 and result.metrics.attempts[0].backoff >= 1


def test_attempts_per_request_are_bounded(world):
    world.partner.inject("server_error", page=2, times=100)
    before = len(world.partner.log)
    with pytest.raises(RetriesExhausted, match=r"page 2: gave up after 3 attempts; last error: HTTP 500"):
        make(world, policy=RetryPolicy(seed=1, max_attempts=3)).extract(DAY, DAY)
    assert world.partner.log.statuses()[before:] == [200, 500, 500, 500]


def test_the_run_has_a_retry_budget(world):
    for page in (2, 3, 4):
        world.partner.inject("timeout", page=page, times=2)
    with pytest.raises(RetriesExhausted, match=r"page 4: the run's retry budget \(5 retries\) is used up"):
        make(world, policy=RetryPolicy(seed=1, retry_budget=5)).extract(DAY, DAY)


def test_a_retry_after_longer_than_allowed_fails_instead_of_sleeping(world):
    world.partner.inject("rate_limit_storm", page=2, times=1, retry_after=3600)
    sleeps = len(world.clock.sleeps)
    with pytest.raises(RetriesExhausted, match=r"wait 3600 s \(Retry-After\), more than max_retry_after"):
        make(world).extract(DAY, DAY)
    assert max(world.clock.sleeps[sleeps:], default=0) < 1


def test_malformed_json_that_never_heals_fails_the_page_clearly(world):
    world.partner.inject("malformed_json", page=4, times=100)
    with pytest.raises(MalformedPageError) as caught:
        make(world).extract(DAY, DAY, mode="page")
    message = str(caught.value)
    assert message.startswith("page 4: gave up after 3 attempts; "
                              "last error: the 200 response is not valid JSON (")
    assert "bytes, starting b'{\"appointments\":[{\"appointment_id\":" in message
    assert caught.value.page == 4 and len(caught.value.records) == 300
    assert caught.value.metrics.malformed == 3


def test_malformed_json_after_other_errors_still_gets_its_own_retries(world):
    """The malformed limit (3) counts malformed answers: two 500s before one cut-off body use none of it."""
    world.partner.inject("server_error", page=1, times=2)
    world.partner.inject("malformed_json", page=1, times=1)
    result = make(world).extract(DAY, DAY, mode="page")
    assert ids(result.records) == truth(world)
    assert (result.metrics.server_errors, result.metrics.malformed, result.metrics.retries) == (2, 1, 3)


def test_malformed_json_gives_up_after_its_own_limit_among_other_errors(world):
    world.partner.inject("server_error", page=2, times=2)
    world.partner.inject("malformed_json", page=2, times=100)
    with pytest.raises(MalformedPageError, match=r"^page 2: gave up after 5 attempts \(3 malformed\); "):
        make(world).extract(DAY, DAY, mode="page")


def test_a_failed_cursor_run_resumes_where_it_stopped(world):
    policy = RetryPolicy(seed=2, max_attempts=4)
    world.partner.inject("server_error", page=6, times=4)
    extractor = make(world, policy=policy)
    with pytest.raises(RetriesExhausted) as caught:
        extractor.extract(DAY, DAY)
    error = caught.value
    assert error.page == 6 and error.resume_cursor and len(error.records) == 500
    before = len(world.partner.log)
    rest = extractor.extract(DAY, DAY, resume_cursor=error.resume_cursor)
    assert ids(error.records + rest.records) == truth(world)
    assert rest.metrics.pages == len(world.partner.log[before:]) == math.ceil(len(truth(world)) / 100) - 5
    assert all("cursor" in e.params for e in world.partner.log[before:])


def test_a_cursor_from_another_day_is_refused(world):
    world.partner.inject("server_error", page=2, times=10)
    with pytest.raises(RetriesExhausted) as caught:
        make(world, policy=RetryPolicy(seed=1, max_attempts=2)).extract(DAY, DAY)
    world.partner.faults.clear()
    with pytest.raises(ClientError, match="does not match the query this cursor belongs to"):
        make(world).extract("2025-09-11", "2025-09-11", resume_cursor=caught.value.resume_cursor)


def test_page_mode_resumes_with_start_page(world):
    result = make(world).extract(DAY, DAY, mode="page", start_page=4)
    assert ids(result.records) == truth(world)[300:]


def test_mode_and_resume_are_checked():
    from sim.clock import FakeClock

    extractor = PartnerExtractor("t", clock=FakeClock())
    with pytest.raises(ValueError, match="mode"):
        extractor.extract(DAY, DAY, mode="offset")
    with pytest.raises(ValueError, match="start_page"):
        extractor.extract(DAY, DAY, mode="page", resume_cursor="abc")
    with pytest.raises(ValueError, match="per_page"):
        PartnerExtractor("t", per_page=500)


def test_a_shared_bucket_spans_runs(world):
    """One bucket per credential: two extractors sharing it never trip the server's limit."""
    bucket = TokenBucket(rate=5, capacity=1, clock=world.clock)
    before = len(world.partner.log)
    for day in ("2025-09-05", "2025-09-06"):
        make(world, limiter=bucket).extract(day, day)
    assert 429 not in world.partner.log.statuses()[before:]


def test_metrics_as_dict_is_small_and_rounded(world):
    result = make(world).extract(DAY, DAY)
    data = result.metrics.as_dict()
    assert set(data) == {"pages", "records", "duplicates_dropped", "requests", "retries", "rate_limited",
                         "server_errors", "timeouts", "malformed", "throttled_seconds", "backoff_seconds",
                         "seconds"}
    assert data["seconds"] == round(result.metrics.seconds, 3)


def test_dedupe_keeps_the_first_copy_in_order():
    records = [{"appointment_id": i} for i in (3, 1, 3, 2, 1)]
    assert dedupe(records) == ([{"appointment_id": 3}, {"appointment_id": 1}, {"appointment_id": 2}], 2)





@pytest.fixture
def syllabus(world, monkeypatch):
    """The syllabus's extractor; its time.sleep(0.5) advances the sim's clock instead of the wall clock."""
    import time

    monkeypatch.setattr(time, "sleep", world.clock.sleep)
    return SimplePracticeAPIExtractor(os.environ["AIRFLOW_VAR_PARTNER_API_KEY"], snowflake_conn=None)


def test_syllabus_extractor_reads_a_healthy_day(world, syllabus):
    assert ids(syllabus.extract_appointments(DAY, DAY)) == truth(world)


def test_syllabus_extractor_dies_on_one_500_and_loses_the_pages_it_had(world, syllabus):
    world.partner.inject("server_error", page=3, times=1)
    with pytest.raises(Exception, match="API error: 500"):
        syllabus.extract_appointments(DAY, DAY)
    assert make(world).extract(DAY, DAY).metrics.records == len(truth(world))  # the kit's extractor: retried


def test_syllabus_extractor_keeps_duplicated_records(world, syllabus):
    world.partner.inject("duplicate_records", page=4, count=6)
    got = [r["appointment_id"] for r in syllabus.extract_appointments(DAY, DAY)]
    assert len(got) - len(set(got)) == 6
    kit = make(world).extract(DAY, DAY)
    assert ids(kit.records) == truth(world) and kit.metrics.duplicates_dropped == 6


def test_syllabus_extractor_without_its_sleep_trips_the_rate_limit(world, monkeypatch):
    """Its time.sleep(0.5) is real time: on a clock that does not move, the server sees a burst."""
    import time

    monkeypatch.setattr(time, "sleep", lambda seconds: None)
    extractor = SimplePracticeAPIExtractor(os.environ["AIRFLOW_VAR_PARTNER_API_KEY"], snowflake_conn=None)
    with pytest.raises(Exception, match="API error: 429"):
        extractor.extract_appointments(DAY, DAY)
