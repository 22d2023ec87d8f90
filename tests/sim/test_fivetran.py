"""The Fivetran REST API fake, end to end: requests -> responses -> sim.http.mount -> the service; and the
same object over loopback HTTP."""

from __future__ import annotations

import secrets

import pytest
import requests
import responses

from sim.clock import FakeClock
from sim.fivetran import EPOCH, FivetranAPI, timestamp
from sim.http import mount

BASE = FivetranAPI.BASE_URL
AUTH = ("key", secrets.token_urlsafe(12))  # Fivetran's API key and secret (HTTP Basic), random per run


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def landed() -> list[tuple[str, list[dict], str]]:
    return []


@pytest.fixture
def api(clock: FakeClock, landed: list) -> FivetranAPI:
    def land(table: str, rows: list[dict], key: str) -> int:
        landed.append((table, rows, key))
        return len(rows)

    api = FivetranAPI(api_key=AUTH[0], api_secret=AUTH[1], clock=clock, land=land, requests_per_hour=100)
    api.add_connector("backend_postgres", tables={"CLIENTS": "CLIENT_ID"}, sync_seconds=30)
    return api


@pytest.fixture
def http(api: FivetranAPI):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(rsps, BASE, api)
        yield rsps


def connector(auth=AUTH) -> dict:
    answer = requests.get(f"{BASE}/connectors/backend_postgres", auth=auth, timeout=5)
    answer.raise_for_status()
    return answer.json()["data"]


def test_connector_details_have_fivetrans_shape(http):
    answer = requests.get(f"{BASE}/connectors/backend_postgres", auth=AUTH, timeout=5)
    body = answer.json()
    assert answer.status_code == 200 and body["code"] == "Success"
    data = body["data"]
    assert data["succeeded_at"] == "2025-10-01T02:00:00.000Z"  # a day before the clock's 0.0
    assert data["failed_at"] is None
    assert data["status"]["sync_state"] == "scheduled" and data["status"]["setup_state"] == "connected"
    assert answer.headers["X-Rate-Limit"] == "100" and answer.headers["X-Rate-Limit-Remaining"] == "99"
    # the newer name of the same resource
    assert requests.get(f"{BASE}/connections/backend_postgres", auth=AUTH, timeout=5).json()["data"] == data


def test_wrong_credentials_and_unknown_connector(http):
    assert requests.get(f"{BASE}/connectors/backend_postgres", auth=("key", "nope"), timeout=5).status_code == 401
    assert requests.get(f"{BASE}/connectors/backend_postgres", timeout=5).json()["code"] == "AuthFailed"
    missing = requests.get(f"{BASE}/connectors/nope", auth=AUTH, timeout=5)
    assert missing.status_code == 404 and missing.json()["code"] == "NotFound_Connector"


def test_a_sync_takes_time_on_the_clock_then_lands_the_sources_changes(http, api, clock, landed):
    api.source_write("backend_postgres", "CLIENTS", [{"CLIENT_ID": 1, "CLIENT_NAME": "A"}])
    before = connector()["succeeded_at"]
    started = requests.post(f"{BASE}/connectors/backend_postgres/sync", json={}, auth=AUTH, timeout=5)
    assert started.json()["message"].startswith("Sync has been successfully triggered")
    assert connector()["status"]["sync_state"] == "syncing" and connector()["succeeded_at"] == before
    clock.advance(29.9)
    assert connector()["status"]["sync_state"] == "syncing" and landed == []
    clock.advance(0.1)
    after = connector()
    assert after["status"]["sync_state"] == "scheduled"
    assert after["succeeded_at"] == timestamp(30.0) == "2025-10-02T02:00:30.000Z"
    assert landed == [("CLIENTS", [{"CLIENT_ID": 1, "CLIENT_NAME": "A"}], "CLIENT_ID")]
    assert api.history_rows() == [{"connector": "backend_postgres", "outcome": "succeeded", "started": 0.0,
                                   "finished": 30.0, "rows": {"CLIENTS": 1}}]


def test_a_failed_sync_moves_failed_at_and_keeps_the_changes_for_the_next_sync(http, api, clock, landed):
    api.source_write("backend_postgres", "CLIENTS", [{"CLIENT_ID": 1}])
    api.inject("sync_failure", connector_id="backend_postgres")
    requests.post(f"{BASE}/connectors/backend_postgres/sync", auth=AUTH, timeout=5)
    clock.advance(30)
    failed = connector()
    assert failed["failed_at"] == timestamp(30) and failed["succeeded_at"] == timestamp(-86_400)
    assert landed == []
    requests.post(f"{BASE}/connectors/backend_postgres/sync", auth=AUTH, timeout=5)  # heals after one
    clock.advance(30)
    assert connector()["succeeded_at"] == timestamp(60) and [t for t, _, _ in landed] == ["CLIENTS"]
    assert [s["outcome"] for s in api.history_rows()] == ["failed", "succeeded"]


def test_a_hung_sync_never_finishes_until_forced(http, api, clock):
    api.inject("sync_hangs")
    requests.post(f"{BASE}/connectors/backend_postgres/sync", auth=AUTH, timeout=5)
    clock.advance(86_400)
    assert connector()["status"]["sync_state"] == "syncing"
    again = requests.post(f"{BASE}/connectors/backend_postgres/sync", auth=AUTH, timeout=5)
    assert "already running" in again.json()["message"]  # without force, the running sync is left alone
    requests.post(f"{BASE}/connectors/backend_postgres/force", auth=AUTH, timeout=5)  # the legacy endpoint
    clock.advance(30)
    assert connector()["status"]["sync_state"] == "scheduled"
    assert [s["outcome"] for s in api.history_rows()] == ["cancelled", "succeeded"]


def test_patch_sets_schedule_type_and_a_paused_connector_refuses_to_sync(http):
    patched = requests.patch(f"{BASE}/connectors/backend_postgres", json={"schedule_type": "manual",
                                                                        "paused": True}, auth=AUTH, timeout=5)
    assert patched.json()["data"]["schedule_type"] == "manual"
    assert patched.json()["data"]["status"]["sync_state"] == "paused"
    refused = requests.post(f"{BASE}/connectors/backend_postgres/sync", auth=AUTH, timeout=5)
    assert refused.status_code == 400 and "paused" in refused.json()["message"]
    bad = requests.patch(f"{BASE}/connectors/backend_postgres", json={"schedule_type": "hourly"}, auth=AUTH,
                         timeout=5)
    assert bad.status_code == 400


def test_the_rolling_hour_limit_answers_429_with_retry_after_then_recovers(http, api, clock):
    for _ in range(100):
        assert requests.get(f"{BASE}/connectors/backend_postgres", auth=AUTH, timeout=5).status_code == 200
        clock.advance(1)
    limited = requests.get(f"{BASE}/connectors/backend_postgres", auth=AUTH, timeout=5)
    assert limited.status_code == 429 and limited.json()["code"] == "TooManyRequests"
    assert limited.headers["Retry-After"] == "3500"  # the first admission leaves the hour at 3600 s
    clock.advance(3500)
    assert requests.get(f"{BASE}/connectors/backend_postgres", auth=AUTH, timeout=5).status_code == 200


def test_injected_storms_and_server_errors_heal(http, api):
    api.inject("rate_limit_storm", times=2, retry_after=7)
    api.inject("server_error", status=503)
    statuses = [requests.get(f"{BASE}/connectors/backend_postgres", auth=AUTH, timeout=5) for _ in range(4)]
    assert [s.status_code for s in statuses] == [429, 429, 503, 200]
    assert statuses[0].headers["Retry-After"] == "7"
    assert api.log.summary()["faults"] == {"rate_limit_storm": 2, "server_error": 1}


def test_groups_list_the_connectors_as_the_provider_pages_them(http):
    groups = requests.get(f"{BASE}/groups", auth=AUTH, timeout=5).json()["data"]
    assert groups == {"items": [{"id": "warehouse", "name": "SNOWFLAKE_RAW"}], "next_cursor": None}
    items = requests.get(f"{BASE}/groups/warehouse/connectors", auth=AUTH, timeout=5).json()["data"]["items"]
    assert [c["id"] for c in items] == ["backend_postgres"]


def test_bad_arguments_name_what_is_wrong(api):
    with pytest.raises(ValueError, match="does not sync 'PAYMENTS'"):
        api.source_write("backend_postgres", "PAYMENTS", [])
    with pytest.raises(KeyError, match="no connector 'nope'"):
        api.inject("sync_failure", connector_id="nope")
    with pytest.raises(ValueError, match="unknown fault kind"):
        api.inject("meteor")
    with pytest.raises(ValueError, match="letters, digits"):
        api.add_connector("a/b", tables={})


def test_timestamps_are_fivetrans_utc_format():
    assert timestamp(0.0) == EPOCH.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert timestamp(1.2345) == "2025-10-02T02:00:01.234Z"
    assert timestamp(None) is None


def test_the_same_object_over_loopback_http(api, clock):
    from sim.services import HttpTransport, WsgiServer

    server = WsgiServer(HttpTransport(api, base_path="/v1"))
    try:
        base = server.url + "/v1"
        assert requests.post(f"{base}/connectors/backend_postgres/sync", json={"force": True}, auth=AUTH,
                             timeout=5).status_code == 200
        clock.advance(30)
        data = requests.get(f"{base}/connectors/backend_postgres", auth=AUTH, timeout=5).json()["data"]
        assert data["succeeded_at"] == timestamp(30)
    finally:
        server.stop()


def test_the_world_lands_a_sync_into_the_backend_copy(tmp_path):
    import sim

    with sim.running(appointments=200, days=3, clock=FakeClock(), state=tmp_path) as world:
        count = "SELECT COUNT(*) FROM BACKEND.PUBLIC.CLIENTS"
        before = world.warehouse.query(count)[0][0]
        top = world.warehouse.query("SELECT MAX(CLIENT_ID) FROM BACKEND.PUBLIC.CLIENTS")[0][0]
        rows = [{"CLIENT_ID": top + 1, "CLIENT_NAME": "New Client", "STATE": "CA", "CREATED_DATE": "2025-10-01"},
                {"CLIENT_ID": top, "CLIENT_NAME": "Renamed", "STATE": "CA", "CREATED_DATE": "2025-10-01"}]
        world.fivetran.source_write("backend_postgres", "CLIENTS", rows)
        world.fivetran.start_sync("backend_postgres")
        world.clock.advance(2)
        world.fivetran.advance()
        assert world.warehouse.query(count)[0][0] == before + 1  # one new, one updated in place (upsert)
        name = world.warehouse.query("SELECT CLIENT_NAME FROM BACKEND.PUBLIC.CLIENTS WHERE CLIENT_ID = %s",
                                     (top,))
        assert name == [("Renamed",)]


def test_the_fivetran_provider_imports_on_this_airflow_without_a_warning():
    """Airflow 3 moved BaseOperator/BaseHook to airflow.sdk; a provider on the old paths would warn here."""
    import subprocess
    import sys

    modules = ", ".join(f"fivetran_provider_async.{m}" for m in ("hooks", "operators", "sensors", "triggers"))
    done = subprocess.run([sys.executable, "-W", "error", "-c", f"import {modules}"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_lander_refuses_names_it_cannot_quote():
    from sim.fivetran import warehouse_lander

    land = warehouse_lander(warehouse=None)
    with pytest.raises(ValueError, match="invalid identifier 'CLIENTS; DROP TABLE X'"):
        land("CLIENTS; DROP TABLE X", [{"CLIENT_ID": 1}], "CLIENT_ID")
    with pytest.raises(ValueError, match="including 'CLIENT_ID'"):
        land("CLIENTS", [{"ID": 1}], "CLIENT_ID")
