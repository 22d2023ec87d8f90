"""sim.services: the sim's fakes served on loopback, reached with plain requests, boto3 and the Snowflake
connector."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
import requests

from solutions.clock import SystemClock
from solutions.dbt_runner import remote_release
from sim.partner_api import SlidingWindowLimiter
from sim.services import AWS_TEST_CREDENTIALS, HOST, Gate, port_is_free, serve

DAY = "2025-09-10"

needs_moto_server = pytest.mark.skipif(
    not all(__import__("importlib").util.find_spec(m) for m in ("flask", "flask_cors")),
    reason="moto's server mode needs moto[server] (flask, flask-cors), which is not installed")


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("services"), timeout_hold=1.5, requests_per_second=100) as running:
        yield running


def bearer(services) -> dict[str, str]:
    return {"Authorization": f"Bearer {services.partner.token}"}


@needs_moto_server
def test_every_service_listens_on_loopback_only(services):
    urls = [services.partner_url, services.backend_url, services.slack_url, services.control_url,
            services.s3_url]
    assert all(url.startswith(f"http://{HOST}:") for url in urls)
    assert services.fakesnow.host == HOST
    env = services.airflow_env()
    assert json.loads(env["AIRFLOW_CONN_SNOWFLAKE_DEFAULT"])["extra"]["host"] == HOST
    assert json.loads(env["AIRFLOW_CONN_AWS_DEFAULT"])["extra"]["endpoint_url"] == services.s3_url
    assert env["AIRFLOW_VAR_PARTNER_API_BASE_URL"] == services.partner_url


@needs_moto_server
def test_partner_pages_and_cursor_over_http(services):
    truth = services.warehouse.query(
        "SELECT APPOINTMENT_ID FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s ORDER BY 1",
        (DAY,))
    expected = [row[0] for row in truth]
    seen, page = [], 1
    while True:
        answer = requests.get(f"{services.partner_url}/appointments", headers=bearer(services), timeout=10,
                              params={"start_date": DAY, "end_date": DAY, "per_page": 10, "page": page})
        assert answer.status_code == 200
        body = answer.json()
        seen += [a["appointment_id"] for a in body["appointments"]]
        if not body["has_more"]:
            break
        page += 1
    assert seen == expected and page == -(-len(expected) // 10) > 1

    cursor_seen, params = [], {"start_date": DAY, "end_date": DAY, "per_page": 10, "mode": "cursor"}
    while params:
        body = requests.get(f"{services.partner_url}/appointments", headers=bearer(services), params=params,
                            timeout=10).json()
        cursor_seen += [a["appointment_id"] for a in body["appointments"]]
        params = {"cursor": body["next_cursor"]} if body["next_cursor"] else None
    assert cursor_seen == expected


@needs_moto_server
def test_partner_refuses_a_missing_token_and_enforces_its_real_rate_limit(services):
    url, params = f"{services.partner_url}/appointments", {"start_date": DAY, "end_date": DAY}
    refused = requests.get(url, params=params, timeout=10)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    services.partner.limiter = SlidingWindowLimiter(1, SystemClock())  # one request per real second
    try:
        first = requests.get(url, params=params, headers=bearer(services), timeout=10)
        second = requests.get(url, params=params, headers=bearer(services), timeout=10)
        assert (first.status_code, second.status_code) == (200, 429)
        assert second.headers["Retry-After"] == "1"
        time.sleep(1.05)
        assert requests.get(url, params=params, headers=bearer(services), timeout=10).status_code == 200
    finally:
        services.partner.limiter = SlidingWindowLimiter(100, SystemClock())


@needs_moto_server
def test_a_timeout_fault_is_a_real_read_timeout_then_a_504(services):
    url, params = f"{services.partner_url}/appointments", {"start_date": DAY, "end_date": DAY}
    services.partner.inject("timeout", times=2)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(url, params=params, headers=bearer(services), timeout=(3, 0.3))
    started = time.monotonic()
    held = requests.get(url, params=params, headers=bearer(services), timeout=10)  # no read timeout to trip
    assert held.status_code == 504 and 1.0 < time.monotonic() - started < 8
    assert requests.get(url, params=params, headers=bearer(services), timeout=10).status_code == 200


@needs_moto_server
def test_backend_revenue_is_exact_over_http(services):
    rows = services.warehouse.query(
        "SELECT PAYMENT_AMOUNT FROM BACKEND.PUBLIC.PAYMENTS WHERE PAYMENT_DATE = %s", (DAY,))
    answer = requests.get(f"{services.backend_url}/revenue", params={"date": DAY}, timeout=10)
    body = answer.json(parse_float=Decimal)
    assert answer.status_code == 200
    assert body["total_revenue"] == sum(Decimal(r[0]) for r in rows).quantize(Decimal("0.01"))
    assert body["payment_count"] == len(rows)


@needs_moto_server
def test_slack_records_what_is_posted_over_http(services):
    ok = requests.post(services.slack_url, json={"text": "clinic_appointments_pipeline failed"}, timeout=10)
    bad = requests.post(services.slack_url, data=b"not json", timeout=10)
    assert (ok.status_code, ok.text, bad.status_code, bad.text) == (200, "ok", 400, "invalid_payload")
    assert services.slack.texts[-1] == "clinic_appointments_pipeline failed"


@needs_moto_server
def test_s3_served_by_moto_is_the_sims_bucket(services):
    import boto3

    services.s3.put("partner/appointments/2025-09-10/ready.json", b'{"day": "2025-09-10"}')
    client = boto3.client("s3", endpoint_url=services.s3_url, region_name="us-east-1",
                          aws_access_key_id=AWS_TEST_CREDENTIALS["login"],
                          aws_secret_access_key=AWS_TEST_CREDENTIALS["password"])
    assert client.get_object(Bucket=services.s3.bucket, Key="partner/appointments/2025-09-10/ready.json")[
        "Body"].read() == b'{"day": "2025-09-10"}'
    client.put_object(Bucket=services.s3.bucket, Key="from/client.txt", Body=b"x")
    assert "from/client.txt" in services.s3.keys("from/")


@needs_moto_server
def test_another_process_reaches_the_warehouse_and_s3_through_their_servers(services):
    """What an Airflow task does: the real connector (TLS, trusted through REQUESTS_CA_BUNDLE) and boto3."""
    script = """
import json, sys, boto3, snowflake.connector
kwargs, s3_url, bucket = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
conn = snowflake.connector.connect(**kwargs)
cur = conn.cursor()
cur.execute("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS")
count = cur.fetchone()[0]
cur.execute("CREATE OR REPLACE TABLE RAW.STAGING.FROM_ANOTHER_PROCESS (N INT)")
cur.execute("INSERT INTO RAW.STAGING.FROM_ANOTHER_PROCESS VALUES (%s)", (41,))
conn.close()
s3 = boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1")  # keys from the environment
print(json.dumps({"count": count, "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]]}))
"""
    env = {**os.environ, "REQUESTS_CA_BUNDLE": str(services.ca_bundle),
           "AWS_ACCESS_KEY_ID": AWS_TEST_CREDENTIALS["login"],
           "AWS_SECRET_ACCESS_KEY": AWS_TEST_CREDENTIALS["password"]}
    done = subprocess.run([sys.executable, "-c", script, json.dumps(services.snowflake_kwargs()),
                           services.s3_url, services.s3.bucket],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    here = services.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS")[0][0]
    assert seen["count"] == here
    assert seen["buckets"] == [services.s3.bucket]
    assert services.warehouse.query("SELECT N FROM RAW.STAGING.FROM_ANOTHER_PROCESS") == [(41,)]


@needs_moto_server
def test_release_lends_the_files_and_warehouse_requests_wait_for_them(services):
    import duckdb

    answers: list[int] = []
    with remote_release(services.control_url) as files:
        assert set(files) == {"RAW", "ANALYTICS", "BACKEND"}
        with duckdb.connect(str(files["ANALYTICS"])) as duck:  # another DuckDB may open the file now
            assert duck.execute("SELECT COUNT(*) FROM MARTS.FCT_APPOINTMENTS").fetchone()[0] > 0
        waiting = threading.Thread(target=lambda: answers.append(
            requests.get(f"{services.backend_url}/revenue", params={"date": DAY}, timeout=30).status_code))
        waiting.start()
        time.sleep(0.5)
        assert answers == []  # held at the gate while the files are out
    waiting.join(timeout=30)
    assert answers == [200]
    assert not services.gate.closed
    assert services.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS")[0][0] > 0


def test_gate_close_waits_for_requests_in_flight():
    gate = Gate()
    assert gate.enter(timeout=1)
    assert not gate.close(timeout=0.2)  # one request still inside: the release gives up, the gate reopens
    assert gate.enter(timeout=0.2)
    gate.leave()
    gate.leave()
    assert gate.close(timeout=1) and not gate.enter(timeout=0.1)
    gate.open()
    assert gate.enter(timeout=0.1)


@needs_moto_server
def test_stop_frees_every_port(services):
    """Last in this file: it stops the module's services (stopping twice is harmless)."""
    urls = (services.partner_url, services.backend_url, services.slack_url, services.control_url,
            services.s3_url)
    ports = [services.fakesnow.port, *(int(u.rsplit(":", 1)[1].split("/")[0]) for u in urls)]
    assert not any(port_is_free(p) for p in ports)
    services.partner.inject("timeout")  # a request held when the services stop is let go at once
    held = threading.Thread(target=lambda: requests.get(
        f"{services.partner_url}/appointments", params={"start_date": DAY, "end_date": DAY},
        headers=bearer(services), timeout=30))
    held.start()
    time.sleep(0.3)
    started = time.monotonic()
    services.stop()
    assert time.monotonic() - started < 15
    held.join(timeout=10)
    assert not held.is_alive()
    assert all(port_is_free(p) for p in ports)
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex((HOST, port)) != 0
    assert not services.run_dir.exists()
    assert not [t for t in threading.enumerate() if t.name.startswith(("sim http", "fakesnow server"))]
