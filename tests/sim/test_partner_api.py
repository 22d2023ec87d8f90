"""The partner scheduling API fake, end to end: requests -> responses -> sim.http.mount -> the service."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sim.clock import FakeClock
from sim.http import FakeRequest, mount
from sim.partner_api import PartnerSchedulingAPI

BASE = PartnerSchedulingAPI.BASE_URL
URL = f"{BASE}/appointments"
TOKEN = "partner-secret"
DAY = {"start_date": "2024-03-01", "end_date": "2024-03-01"}
RECORDS = [
    {"appointment_id": i, "client_id": 1000 + i % 37, "appointment_date": "2024-03-01", "status": "completed"}
    for i in range(1, 251)
]
ALL_IDS = [r["appointment_id"] for r in RECORDS]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def calls() -> list[tuple[dt.date, dt.date]]:
    return []


@pytest.fixture
def api(clock: FakeClock, calls: list) -> PartnerSchedulingAPI:
    def records(start: dt.date, end: dt.date) -> list[dict]:
        calls.append((start, end))
        return RECORDS

    return PartnerSchedulingAPI(records, token=TOKEN, requests_per_second=5, clock=clock)


@pytest.fixture
def rsps(api: PartnerSchedulingAPI):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mount(mock, BASE, api)
        yield mock


@pytest.fixture
def session(rsps) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {TOKEN}"
    return s


def get(session: requests.Session, **params) -> requests.Response:
    return session.get(URL, params={**DAY, **params}, timeout=30)


def walk_pages(session, clock, **params) -> list[dict]:
    """Page through like the syllabus's extractor, but honour 429 Retry-After instead of guessing a delay."""
    pages, page = [], 1
    while True:
        r = get(session, page=page, **params)
        if r.status_code == 429:
            clock.sleep(int(r.headers["Retry-After"]))
            continue
        assert r.status_code == 200, r.text
        pages.append(r.json())
        if not pages[-1]["has_more"]:
            return pages
        page += 1


def walk_cursor(session, clock, **params) -> list[dict]:
    pages, cursor = [], None
    while True:
        r = get(session, cursor=cursor, **params) if cursor else get(session, mode="cursor", **params)
        if r.status_code == 429:
            clock.sleep(int(r.headers["Retry-After"]))
            continue
        assert r.status_code == 200, r.text
        pages.append(r.json())
        cursor = pages[-1]["next_cursor"]
        if not pages[-1]["has_more"]:
            assert cursor is None
            return pages


def ids(pages: list[dict]) -> list[int]:
    return [a["appointment_id"] for p in pages for a in p["appointments"]]


# -- pagination ---------------------------------------------------------------------------------------------


def test_page_pagination_returns_every_record_once(session, clock, calls):
    pages = walk_pages(session, clock)
    assert [len(p["appointments"]) for p in pages] == [100, 100, 50]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [p["page"] for p in pages] == [1, 2, 3]
    assert all(p["next_cursor"] is None for p in pages)
    assert ids(pages) == ALL_IDS
    assert pages[0]["appointments"][0] == RECORDS[0]  # records pass through untouched
    assert calls[0] == (dt.date(2024, 3, 1), dt.date(2024, 3, 1))


def test_cursor_pagination_returns_every_record_once(session, clock):
    pages = walk_cursor(session, clock, per_page=40)
    assert [p["page"] for p in pages] == [1, 2, 3, 4, 5, 6, 7]
    assert [len(p["appointments"]) for p in pages] == [40] * 6 + [10]
    assert ids(pages) == ALL_IDS


def test_cursor_walk_and_page_walk_serve_identical_pages(session, clock):
    assert walk_cursor(session, clock, per_page=30)[3]["appointments"] == get(
        session, page=4, per_page=30
    ).json()["appointments"]


def test_cursor_alone_is_enough_and_an_exact_multiple_ends_without_an_empty_page(session):
    pages = [get(session, mode="cursor", per_page=50).json()]
    while pages[-1]["has_more"]:  # after the first page, the cursor carries dates and page size
        pages.append(session.get(URL, params={"cursor": pages[-1]["next_cursor"]}, timeout=30).json())
    assert [len(p["appointments"]) for p in pages] == [50] * 5
    assert (pages[-1]["page"], pages[-1]["next_cursor"]) == (5, None)
    assert ids(pages) == ALL_IDS


def test_page_past_the_end_and_empty_range(session, api):
    r = get(session, page=9)
    assert (r.status_code, r.json()["appointments"], r.json()["has_more"]) == (200, [], False)
    api.records = lambda start, end: []
    assert get(session).json() == {"appointments": [], "has_more": False, "page": 1, "next_cursor": None}


# -- auth ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Token {TOKEN}", "Bearer", f"Basic {TOKEN}"])
def test_bad_or_missing_token_is_401_and_uses_no_rate_budget(rsps, api, header):
    headers = {"Authorization": header} if header else {}
    for _ in range(10):
        r = requests.get(URL, params=DAY, headers=headers, timeout=30)
        assert r.status_code == 401
        assert r.json()["error"] == "unauthorized" and "bearer" in r.json()["message"]
        assert r.headers["WWW-Authenticate"] == "Bearer"
    good = {"Authorization": f"Bearer {TOKEN}"}
    statuses = [requests.get(URL, params=DAY, headers=good, timeout=30).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert api.log.summary()["by_status"] == {401: 10, 200: 5}


# -- rate limit ---------------------------------------------------------------------------------------------


def test_one_request_over_the_limit_gets_429_then_retry_after_works(session, clock, api):
    statuses = [get(session).status_code for _ in range(6)]  # all at fake time 0.0
    assert statuses == [200] * 5 + [429]
    r = get(session)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    assert r.json()["error"] == "rate_limited"
    clock.sleep(int(r.headers["Retry-After"]))
    assert get(session).status_code == 200


def test_retry_after_is_the_ceiling_of_the_wait(session, clock):
    for _ in range(5):
        assert get(session).status_code == 200
    clock.advance(0.3)  # the window frees at 1.0: 0.7 s left -> "1"
    assert get(session).headers["Retry-After"] == "1"


def test_retry_after_rounds_up_whole_seconds_for_slow_limits(rsps, clock):
    slow = PartnerSchedulingAPI(lambda s, e: RECORDS, token=TOKEN, requests_per_second=0.25, clock=clock)
    mount(rsps, "https://slow.partner.test/v1", slow)
    url, headers = "https://slow.partner.test/v1/appointments", {"Authorization": f"Bearer {TOKEN}"}
    assert requests.get(url, params=DAY, headers=headers, timeout=30).status_code == 200
    clock.advance(1.5)  # 1 request per 4 s: 2.5 s left -> "3"
    r = requests.get(url, params=DAY, headers=headers, timeout=30)
    assert (r.status_code, r.headers["Retry-After"]) == (429, "3")
    clock.sleep(3)
    assert requests.get(url, params=DAY, headers=headers, timeout=30).status_code == 200


def test_sliding_window_over_several_seconds(session, clock, api):
    """A request every 1/16 s for 4 s: never more than 5 admitted in any 1-second window, and never a 429
    while the trailing window still had room (a fixed per-second bucket would fail one or the other)."""
    for _ in range(64):
        get(session)
        clock.advance(1 / 16)  # exact in binary floating point, so the window edges are exact too
    admitted = [e.time for e in api.log if e.status == 200]
    rejected = [e.time for e in api.log if e.status == 429]
    for t in admitted:
        assert sum(1 for s in admitted if t - 1.0 < s <= t) <= 5
    for t in rejected:
        assert sum(1 for s in admitted if t - 1.0 < s < t) == 5
    assert len(admitted) == 20 and len(rejected) == 44
    assert admitted[:6] == [0.0, 0.0625, 0.125, 0.1875, 0.25, 1.0]


def test_sliding_window_exact_schedule(session, clock):
    outcome = {}
    for t in (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.2, 2.15, 2.16):
        clock.advance(t - clock.monotonic())
        outcome[t] = get(session).status_code
    assert outcome == {
        0.0: 200, 0.2: 200, 0.4: 200, 0.6: 200, 0.8: 200,
        0.9: 429,   # window (-0.1, 0.9] already holds 5
        1.0: 200,   # 0.0 has slid out
        1.1: 429,   # (0.1, 1.1] holds 0.2 .. 1.0
        1.2: 200,   # 0.2 has slid out
        2.15: 200, 2.16: 200,
    }


def test_fractional_rate_keeps_the_average(clock):
    api = PartnerSchedulingAPI(lambda s, e: RECORDS, token=TOKEN, requests_per_second=2.5, clock=clock)
    assert (api.limiter.limit, api.limiter.window) == (2, 0.8)
    with pytest.raises(ValueError):
        PartnerSchedulingAPI(lambda s, e: RECORDS, token=TOKEN, requests_per_second=0, clock=clock)


def test_client_honouring_retry_after_gets_everything_at_the_allowed_pace(session, clock, api):
    pages = walk_pages(session, clock, per_page=10)
    assert ids(pages) == ALL_IDS
    assert api.log.summary()["by_status"] == {200: 25, 429: 4}
    assert clock.sleeps == [1, 1, 1, 1]


# -- faults -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_on_a_page_fires_then_recovers(session, api, status):
    api.inject("server_error", page=2, status=status)
    assert get(session, page=1).status_code == 200
    r = get(session, page=2)
    assert r.status_code == status and r.json()["error"] in ("internal_error", "service_unavailable")
    assert ("Retry-After" in r.headers) == (status == 503)
    r = get(session, page=2)
    assert r.status_code == 200 and ids([r.json()]) == ALL_IDS[100:200]


def test_timeout_raises_read_timeout_then_recovers(session, api):
    api.inject("timeout", page=3, times=2)
    for _ in range(2):
        with pytest.raises(requests.exceptions.ReadTimeout):
            get(session, page=3)
    assert ids([get(session, page=3).json()]) == ALL_IDS[200:]
    assert [(e.status, e.fault) for e in api.log] == [(None, "timeout"), (None, "timeout"), (200, None)]


def test_malformed_json_is_really_unparseable_then_recovers(session, api):
    api.inject("malformed_json", page=1)
    r = get(session)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert r.text.startswith('{"appointments":[')
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)
    with pytest.raises(requests.exceptions.JSONDecodeError):
        r.json()
    assert get(session).json()["page"] == 1


def test_fault_in_cursor_mode_targets_the_nth_page_of_the_walk(session, api):
    api.inject("server_error", page=2)
    first = get(session, mode="cursor")
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    assert get(session, cursor=cursor).status_code == 500
    retried = get(session, cursor=cursor).json()  # the same cursor is safe to retry
    assert retried["page"] == 2 and ids([retried]) == ALL_IDS[100:200]


def test_fault_without_page_hits_the_next_request_whatever_its_page(session, api):
    api.inject("server_error")
    assert [get(session, page=p).status_code for p in (3, 3)] == [500, 200]


def test_rate_limit_storm_then_calm(session, api):
    api.inject("rate_limit_storm", times=3, retry_after=2)
    storm = [get(session) for _ in range(3)]
    assert [(r.status_code, r.headers["Retry-After"]) for r in storm] == [(429, "2")] * 3
    assert [get(session).status_code for _ in range(5)] == [200] * 5  # the storm used no real budget
    assert api.log.summary()["faults"] == {"rate_limit_storm": 3}


def test_duplicate_records_repeat_the_previous_page_and_never_heal(session, clock, api):
    api.inject("duplicate_records", page=2, count=3)
    pages = walk_pages(session, clock)
    got = ids(pages)
    assert pages[1]["appointments"][:3] == pages[0]["appointments"][-3:]
    assert len(got) == 253 and sorted(set(got)) == ALL_IDS
    assert [i for i in set(got) if got.count(i) > 1] == [98, 99, 100]
    assert get(session, page=2).json()["appointments"][:3] == pages[0]["appointments"][-3:]
    assert [e.fault for e in api.log] == [None, "duplicate_records", None, "duplicate_records"]


def test_duplicate_records_in_cursor_mode(session, clock, api):
    api.inject("duplicate_records", page=3, count=5)
    pages = walk_cursor(session, clock, per_page=50)
    got = ids(pages)
    assert pages[2]["appointments"][:5] == pages[1]["appointments"][-5:]
    assert len(got) == 255 and sorted(set(got)) == ALL_IDS


@pytest.mark.parametrize(
    ("kind", "kwargs"),
    [("duplicate_records", {"page": 1}), ("duplicate_records", {}), ("server_error", {"status": 502}),
     ("meteor", {}), ("timeout", {"times": 0})],
)
def test_inject_rejects_faults_it_cannot_play(api, kind, kwargs):
    with pytest.raises(ValueError):
        api.inject(kind, **kwargs)


# -- bad requests -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"end_date": "2024-03-01"}, "start_date"),
        ({"start_date": "2024-03-01"}, "end_date"),
        ({**DAY, "start_date": "03/01/2024"}, "YYYY-MM-DD"),
        ({**DAY, "end_date": "2024-02-30"}, "calendar"),
        ({"start_date": "2024-03-02", "end_date": "2024-03-01"}, "after"),
        ({**DAY, "per_page": "0"}, "per_page"),
        ({**DAY, "per_page": "101"}, "per_page"),
        ({**DAY, "per_page": "ten"}, "integer"),
        ({**DAY, "page": "0"}, "page"),
        ({**DAY, "cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({**DAY, "mode": "offset"}, "mode"),
        ({**DAY, "mode": "cursor", "page": "2"}, "either"),
        ({**DAY, "mode": "page", "cursor": "x"}, "either"),
    ],
)
def test_bad_params_are_400_with_a_message(session, params, message):
    r = session.get(URL, params=params, timeout=30)
    assert r.status_code == 400
    assert r.json()["error"] == "bad_request" and message in r.json()["message"]


def test_cursor_is_bound_to_its_query(session):
    cursor = get(session, mode="cursor").json()["next_cursor"]
    other_day = {"start_date": "2024-03-02", "end_date": "2024-03-02"}
    r = session.get(URL, params={**other_day, "cursor": cursor}, timeout=30)
    assert r.status_code == 400 and "does not match" in r.json()["message"]
    r = session.get(URL, params={"cursor": cursor, "per_page": "10"}, timeout=30)
    assert r.status_code == 400 and "per_page" in r.json()["message"]
    tampered = cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")
    assert session.get(URL, params={"cursor": tampered}, timeout=30).status_code == 400


def test_unknown_path_and_method(session):
    assert session.get(f"{BASE}/clients", timeout=30).status_code == 404
    r = session.post(URL, json={}, timeout=30)
    assert (r.status_code, r.headers["Allow"]) == (405, "GET")
    with pytest.raises(requests.exceptions.ConnectionError):  # not under the mounted base URL
        session.get("https://api.partner.com/v10/appointments", timeout=30)


# -- the request log ----------------------------------------------------------------------------------------


def test_request_log_records_what_the_server_saw(session, clock, api):
    api.inject("server_error", page=2)
    requests.get(URL, params=DAY, timeout=30)
    clock.advance(0.5)
    get(session, page=1)
    get(session, page=2, per_page=50)
    assert [(e.time, e.method, e.path, e.params, e.status, e.fault) for e in api.log] == [
        (0.0, "GET", "/appointments", DAY, 401, None),
        (0.5, "GET", "/appointments", {**DAY, "page": "1"}, 200, None),
        (0.5, "GET", "/appointments", {**DAY, "page": "2", "per_page": "50"}, 500, "server_error"),
    ]
    assert api.log.summary() == {
        "requests": 3, "ok": 1, "by_status": {401: 1, 200: 1, 500: 1}, "faults": {"server_error": 1},
    }
    assert api.log.statuses() == [401, 200, 500]


# -- with a standard retrying client ------------------------------------------------------------------------


def retrying_session(total: int = 3) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {TOKEN}"
    retry = Retry(
        total=total, status_forcelist=[429, 500, 503], respect_retry_after_header=True, backoff_factor=0
    )
    s.mount("https://", HTTPAdapter(max_retries=retry))
    return s


def test_urllib3_retry_recovers_from_a_500_on_a_page(rsps, clock, api):
    api.inject("server_error", page=2)
    s = retrying_session()
    pages = [s.get(URL, params={**DAY, "page": p}, timeout=30).json() for p in (1, 2, 3)]
    assert ids(pages) == ALL_IDS
    assert api.log.statuses() == [200, 500, 200, 200]
    # responses replays urllib3's Retry decisions but never sleeps for them (not even for Retry-After),
    # so the fake clock never moved: here that is harmless, a single 500 heals on the immediate retry.
    assert clock.monotonic() == 0.0 and clock.sleeps == []


def test_urllib3_retry_cannot_wait_out_the_real_limit_under_responses(rsps, clock, api):
    s = retrying_session(total=3)
    for _ in range(5):
        assert s.get(URL, params=DAY, timeout=30).status_code == 200
    # urllib3 would sleep Retry-After seconds on a real socket; under responses it retries at once and
    # the (fake) window is still full, so the retries run out. Rate-limit tests need a client that sleeps
    # on the injected clock.
    with pytest.raises(requests.exceptions.RetryError):
        s.get(URL, params=DAY, timeout=30)
    assert api.log.statuses()[5:] == [429] * 4


def test_urllib3_retry_does_not_retry_a_timeout_under_responses(rsps, api):
    api.inject("timeout")
    with pytest.raises(requests.exceptions.ReadTimeout):  # on a real socket Retry(total=3) would retry
        retrying_session().get(URL, params=DAY, timeout=30)
    assert api.log.statuses() == [None]


# -- the service itself knows nothing about transports -----------------------------------------------------


def test_handle_works_without_any_transport(api):
    answer = api.handle(FakeRequest("GET", "/appointments", dict(DAY), {"authorization": f"bearer {TOKEN}"}))
    assert answer.status == 200 and json.loads(answer.body)["has_more"] is True


def test_service_modules_import_without_requests_or_responses():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["requests"] = sys.modules["responses"] = None  # any import of them now fails
        import sim.partner_api, sim.backend_api, sim.slack
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
