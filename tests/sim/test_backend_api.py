"""The backend revenue API fake: exact money over HTTP, payments listing, auth, faults, log."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
import requests
import responses
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sim.backend_api import BackendRevenueAPI
from sim.clock import FakeClock
from sim.http import FakeRequest, mount

BASE = BackendRevenueAPI.BASE_URL
DAY = dt.date(2024, 3, 1)
AMOUNTS = [Decimal("0.10"), Decimal("0.20"), Decimal("19.99"), Decimal("125.00"), Decimal("0.01")]


def make_payments(n: int) -> list[dict]:
    return [
        {"payment_id": f"pay_{i:05d}" if i % 2 else i, "amount": AMOUNTS[i % len(AMOUNTS)], "method": "card"}
        for i in range(n)
    ]


PAYMENTS = make_payments(1234)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def asked() -> list[dt.date]:
    return []


@pytest.fixture
def api(clock, asked) -> BackendRevenueAPI:
    def payments(day: dt.date) -> list[dict]:
        asked.append(day)
        return PAYMENTS if day == DAY else []

    return BackendRevenueAPI(payments, clock=clock)


@pytest.fixture
def rsps(api):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mount(mock, BASE, api)
        yield mock


def revenue(day: str = "2024-03-01", **kwargs) -> requests.Response:
    return requests.get(f"{BASE}/revenue", params={"date": day}, timeout=30, **kwargs)


# -- /revenue -----------------------------------------------------------------------------------------------


def test_total_is_the_exact_decimal_sum(rsps, asked):
    r = revenue()
    body = r.json(parse_float=Decimal)
    expected = sum((p["amount"] for p in PAYMENTS), Decimal(0))
    assert body == {"date": "2024-03-01", "total_revenue": expected, "payment_count": 1234, "currency": "USD"}
    assert re.search(r'"total_revenue":\d+\.\d\d,', r.text) and f'"total_revenue":{expected},' in r.text
    assert asked == [DAY]


def test_many_dimes_stay_exact_where_floats_drift(clock):
    rows = [{"payment_id": i, "amount": Decimal("0.1")} for i in range(1000)]
    dimes = BackendRevenueAPI(lambda d: rows, clock=clock)
    with responses.RequestsMock() as mock:
        mount(mock, BASE, dimes)
        r = revenue()
    assert '"total_revenue":100.00,' in r.text
    assert r.json(parse_float=Decimal)["total_revenue"] == Decimal("100.00")
    total = 0.0
    for _ in range(1000):  # a float pipeline's running total (sum() itself is compensated since Python 3.12)
        total += 0.1
    assert total != 100.0 and abs(total - 100.0) < 1e-9  # what it would have reported: 99.9999999999986


@pytest.mark.parametrize(
    ("amounts", "text"),
    [
        (["5", "7"], "12.00"),  # always two decimals, even for whole amounts
        ([Decimal("0.005")], "0.01"),  # half-up to the cent
        ([Decimal("0.1"), Decimal("0.2")], "0.30"),
        ([], "0.00"),
        ([Decimal("-10.50"), Decimal("10.00")], "-0.50"),  # refunds
    ],
)
def test_total_has_exactly_two_decimals(clock, amounts, text):
    rows = [{"payment_id": i, "amount": a} for i, a in enumerate(amounts)]
    api = BackendRevenueAPI(lambda d: rows, clock=clock)
    with responses.RequestsMock() as mock:
        mount(mock, BASE, api)
        assert f'"total_revenue":{text},' in revenue().text


def test_float_amounts_are_refused_by_the_fake(clock):
    api = BackendRevenueAPI(lambda d: [{"payment_id": 1, "amount": 0.1}], clock=clock)
    with pytest.raises(TypeError, match="float"):
        api.handle(FakeRequest("GET", "/revenue", {"date": "2024-03-01"}))


def test_a_day_without_payments(rsps):
    assert revenue("2024-03-02").json() == {
        "date": "2024-03-02", "total_revenue": 0.0, "payment_count": 0, "currency": "USD",
    }


@pytest.mark.parametrize(
    ("params", "message"),
    [({}, "date"), ({"date": "yesterday"}, "YYYY-MM-DD"), ({"date": "2024-02-30"}, "calendar")],
)
def test_bad_date_is_400(rsps, params, message):
    r = requests.get(f"{BASE}/revenue", params=params, timeout=30)
    assert r.status_code == 400 and message in r.json()["message"]


# -- /payments ----------------------------------------------------------------------------------------------


def walk_payments(**params) -> list[dict]:
    pages = [requests.get(f"{BASE}/payments", params={"date": "2024-03-01", **params}, timeout=30)]
    while pages[-1].json()["has_more"]:
        cursor = pages[-1].json()["next_cursor"]
        pages.append(requests.get(f"{BASE}/payments", params={"cursor": cursor}, timeout=30))
    return [p.json(parse_float=Decimal) for p in pages]


def test_payments_pages_list_every_payment_once_with_exact_amounts(rsps):
    pages = walk_payments(limit=500)
    assert [(p["page"], len(p["payments"]), p["has_more"]) for p in pages] == [
        (1, 500, True), (2, 500, True), (3, 234, False),
    ]
    assert pages[-1]["next_cursor"] is None
    listed = [row for p in pages for row in p["payments"]]
    assert listed == PAYMENTS  # ids keep their types (str and int), amounts are exact Decimals
    assert all(type(row["amount"]) is Decimal for row in listed)


def test_payments_default_page_size_and_limits(rsps):
    assert len(walk_payments()) == 13
    for bad in ("0", "1001", "many"):
        r = requests.get(f"{BASE}/payments", params={"date": "2024-03-01", "limit": bad}, timeout=30)
        assert r.status_code == 400 and "limit" in r.json()["message"]


def test_payments_cursor_checks(rsps):
    first = requests.get(f"{BASE}/payments", params={"date": "2024-03-01"}, timeout=30).json()
    other_day = {"date": "2024-03-02", "cursor": first["next_cursor"]}
    r = requests.get(f"{BASE}/payments", params=other_day, timeout=30)
    assert r.status_code == 400 and "does not match" in r.json()["message"]
    r = requests.get(f"{BASE}/payments", params={"cursor": "garbage"}, timeout=30)
    assert r.status_code == 400 and "cursor" in r.json()["message"]


# -- auth ---------------------------------------------------------------------------------------------------


def test_bearer_auth_only_when_a_token_is_set(clock):
    api = BackendRevenueAPI(lambda d: PAYMENTS, token="backend-secret", clock=clock)
    with responses.RequestsMock() as mock:
        mount(mock, BASE, api)
        assert revenue().status_code == 401
        assert revenue(headers={"Authorization": "Bearer nope"}).status_code == 401
        assert revenue(headers={"Authorization": "Bearer backend-secret"}).status_code == 200
    assert api.log.statuses() == [401, 401, 200]


# -- faults -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_on_revenue_then_recovery(rsps, api, status):
    api.inject("server_error", path="/revenue", status=status)
    assert revenue().status_code == status
    assert revenue().json(parse_float=Decimal)["payment_count"] == 1234


def test_timeout_on_a_payments_page_then_recovery(rsps, api):
    api.inject("timeout", path="/payments", page=2)
    first = requests.get(f"{BASE}/payments", params={"date": "2024-03-01"}, timeout=30).json()
    assert revenue().status_code == 200  # a page-2 fault never matches /revenue
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{BASE}/payments", params={"cursor": first["next_cursor"]}, timeout=30)
    again = requests.get(f"{BASE}/payments", params={"cursor": first["next_cursor"]}, timeout=30)
    assert again.json()["page"] == 2
    assert [(e.path, e.status, e.fault) for e in api.log] == [
        ("/payments", 200, None),
        ("/revenue", 200, None),
        ("/payments", None, "timeout"),
        ("/payments", 200, None),
    ]


def test_malformed_json_on_revenue_is_unparseable(rsps, api):
    api.inject("malformed_json", path="/revenue", times=2)
    for _ in range(2):
        r = revenue()
        assert r.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            json.loads(r.text)
    assert revenue().json()["currency"] == "USD"
    summary = api.log.summary()
    assert summary == {"requests": 3, "ok": 3, "by_status": {200: 3}, "faults": {"malformed_json": 2}}


def test_inject_rejects_unknown_kinds(api):
    for kind in ("duplicate_records", "rate_limit_storm", "boom"):
        with pytest.raises(ValueError):
            api.inject(kind)


def test_urllib3_retry_recovers_from_a_503_on_revenue(rsps, api, clock):
    api.inject("server_error", path="/revenue", status=503, times=2)
    s = requests.Session()
    retry = Retry(total=3, status_forcelist=[500, 503], backoff_factor=0)
    s.mount("https://", HTTPAdapter(max_retries=retry))
    assert s.get(f"{BASE}/revenue", params={"date": "2024-03-01"}, timeout=30).status_code == 200
    # Retry-After: 1 was honoured in spirit only: responses never sleeps for urllib3 Retry.
    assert api.log.statuses() == [503, 503, 200] and clock.sleeps == []


def test_request_log_and_unknown_routes(rsps, api, clock):
    clock.advance(2.5)
    revenue()
    requests.get(f"{BASE}/refunds", timeout=30)
    requests.post(f"{BASE}/revenue", json={}, timeout=30)
    assert [(e.time, e.method, e.path, e.params, e.status) for e in api.log] == [
        (2.5, "GET", "/revenue", {"date": "2024-03-01"}, 200),
        (2.5, "GET", "/refunds", {}, 404),
        (2.5, "POST", "/revenue", {}, 405),
    ]
