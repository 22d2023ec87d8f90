"""The single entry point: everything reachable while running, nothing left behind after stop."""

from __future__ import annotations

import json
import os

import pytest
import requests
import snowflake.connector

import sim


def test_syllabus_connect_call_reaches_the_sim_verbatim(world):
    conn = snowflake.connector.connect(
        user='airflow_user',
        password='{{ var.value.snowflake_password }}',  # From Airflow variables
        account='simplepractice',
        warehouse='ANALYTICS_WH',
        database='ANALYTICS',
        schema='MARTS'
    )
    cursor = conn.cursor()
    cursor.execute("SELECT COUNT(*) FROM fct_appointments")
    assert cursor.fetchone()[0] == 1500
    conn.close()


def test_connections_share_data(world):
    a = world.warehouse.connect(database="RAW", schema="STAGING")
    a.cursor().execute("INSERT INTO api_appointments (raw_data) SELECT PARSE_JSON(%s)", ('{"appointment_id": 1}',))
    a.close()
    b = snowflake.connector.connect(account="other", user="someone", password="x", database="ANALYTICS")
    cur = b.cursor()
    cur.execute("SELECT raw_data:appointment_id::int FROM raw.staging.api_appointments")
    assert cur.fetchall() == [(1,)]


def test_http_fakes_and_secrets_from_environment(world):
    token = os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
    r = requests.get(f"{world.partner.BASE_URL}/appointments", timeout=5,
                     params={"start_date": "2025-09-30", "end_date": "2025-09-30"},
                     headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    expected = world.warehouse.query("SELECT COUNT(*) FROM backend.public.appointments "
                                     "WHERE appointment_date = '2025-09-30'")[0][0]
    assert len(r.json()["appointments"]) == min(100, expected)
    conn = json.loads(os.environ["AIRFLOW_CONN_SNOWFLAKE_DEFAULT"])
    assert conn["conn_type"] == "snowflake" and conn["password"] == os.environ["AIRFLOW_VAR_SNOWFLAKE_PASSWORD"]
    assert requests.post(os.environ["AIRFLOW_VAR_SLACK_WEBHOOK_URL"], json={"text": "hi"}, timeout=5).text == "ok"
    assert world.slack.texts == ["hi"]


def test_unknown_urls_never_leave_the_machine(world):
    with pytest.raises(requests.exceptions.ConnectionError, match="doesn't match"):
        requests.get("https://example.com/", timeout=5)


def test_stop_restores_everything(start_world):
    world = start_world()
    run_dir = world.run_dir
    assert run_dir.exists()
    sim.stop()
    assert not run_dir.exists()
    assert "AIRFLOW_VAR_PARTNER_API_KEY" not in os.environ
    assert not hasattr(snowflake.connector.connect, "assert_called")  # the mock is gone
    with pytest.raises(RuntimeError, match="no sim is running"):
        sim.current()


def test_restart_replaces_the_previous_world(start_world):
    first = start_world()
    second = start_world(appointments=300)
    assert not first.run_dir.exists() and first.run_dir != second.run_dir
    assert sim.current() is second
    assert second.warehouse.query("SELECT COUNT(*) FROM fct_appointments") == [(300,)]


def test_a_kit_dag_runs_against_every_simulated_system(world):
    world.s3.drop("appointments/2025-09-30/data.csv", "appointment_id\n1\n")
    summary = world.run_dag("kit_tour", "2025-10-01", expect="success")
    day_count = world.warehouse.query("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = '2025-09-30'")
    assert summary.states == {"count_appointments": "success", "list_landing_files": "success", "notify": "success"}
    assert summary["count_appointments"].xcoms["return_value"] == day_count[0][0]
    assert summary["list_landing_files"].xcoms["return_value"] == ["appointments/2025-09-30/data.csv"]
    assert world.slack.texts == [f"kit_tour: {day_count[0][0]} appointments, 1 landing file(s)"]


def test_partner_api_follows_a_regenerated_warehouse(world):
    def day_count():
        token = os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
        r = requests.get(f"{world.partner.BASE_URL}/appointments", timeout=5, headers={"Authorization": f"Bearer {token}"},
                         params={"start_date": "2025-09-30", "end_date": "2025-09-30", "per_page": 100})
        return len(r.json()["appointments"])

    before = day_count()
    world.clock.sleep(1)
    world.generate(appointments=300)
    truth = world.warehouse.query("SELECT COUNT(*) FROM backend.public.appointments WHERE appointment_date = '2025-09-30'")
    assert day_count() == truth[0][0] != before


def test_state_folders_of_dead_processes_are_reaped_and_live_ones_kept(tmp_path):
    import subprocess
    import sys

    from sim.paths import reap_stale

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid now names no process (reuse within the test is vanishingly unlikely)
    names = [f"run-{gone.pid}", f"airflow-{gone.pid}", f"services-{gone.pid}", f"run-{os.getpid()}",
             "run-1", "run-notes"]  # pid 1 is alive
    for name in names:
        (tmp_path / name).mkdir()
    reap_stale(tmp_path, "run-*", "airflow-*")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"services-{gone.pid}", f"run-{os.getpid()}", "run-1", "run-notes"])


# -- a stale handle, a failed start, bad arguments -----------------------------------------------------------


def test_a_stale_handle_cannot_delete_the_running_world(start_world):
    first = start_world()
    second = start_world()
    first.stop()  # already stopped by the second start; must not touch the second world's folder
    assert second.run_dir.exists() and sim.current() is second
    assert second.warehouse.query("SELECT COUNT(*) FROM fct_appointments") == [(1500,)]


def test_starting_inside_running_keeps_the_new_world(tmp_path):
    with sim.running(state=tmp_path):
        inner = sim.start(state=tmp_path)
    try:
        assert inner.run_dir.exists() and sim.current() is inner
        assert inner.warehouse.query("SELECT COUNT(*) FROM dim_clinicians") == [(10,)]
    finally:
        sim.stop()
    assert not inner.run_dir.exists()


def test_a_failed_start_leaves_no_folder_behind(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("generation failed")

    monkeypatch.setattr(sim.world.data, "generate", broken)
    with pytest.raises(RuntimeError, match="generation failed"):
        sim.start(state=tmp_path)
    assert list(tmp_path.glob("run-*")) == []
    assert "AIRFLOW_VAR_PARTNER_API_KEY" not in os.environ


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"seed": "abc"}, "seed must be an integer"), ({"seed": 1.5}, "seed must be an integer"),
    ({"seed": True}, "seed must be an integer"), ({"start_date": 20241001}, "start_date must be a date"),
    ({"start_date": "01/10/2024"}, "start_date must be a date"), ({"days": "30"}, "days must be an integer"),
    ({"defect_day": "yesterday"}, "defect_day must be a date"),
])
def test_bad_start_arguments_fail_clearly_before_any_work(tmp_path, kwargs, says):
    with pytest.raises(ValueError, match=says):
        sim.start(state=tmp_path, **kwargs)
    assert list(tmp_path.glob("run-*")) == []


def test_dates_may_be_iso_strings(start_world):
    world = start_world(start_date="2024-10-01", days=30, appointments=300, defect_day="2024-10-15")
    assert (world.manifest.start, world.manifest.defect_day) == ("2024-10-01", "2024-10-15")


# -- the default clock keeps real time -----------------------------------------------------------------------


@pytest.fixture
def driven_time(monkeypatch):
    """``time.monotonic``/``time.sleep`` on a fake clock: real-time code runs unchanged, without waiting."""
    import time

    from sim.clock import FakeClock

    fake = FakeClock(start=time.monotonic())
    monkeypatch.setattr(time, "monotonic", fake.monotonic)
    monkeypatch.setattr(time, "sleep", fake.sleep)
    return fake


def _syllabus_pages(token: str, day: str) -> int:
    """The syllabus's page loop: one GET per page, ``time.sleep(0.5)`` between pages, raise on non-200."""
    import time

    page, has_more = 1, True
    while has_more:
        response = requests.get("https://api.partner.com/v1/appointments", timeout=30,
                                headers={"Authorization": f"Bearer {token}"},
                                params={"start_date": day, "end_date": day, "page": page, "per_page": 100})
        if response.status_code != 200:
            raise Exception(f"API error: {response.status_code} - {response.text}")
        has_more = response.json()["has_more"]
        page += 1
        time.sleep(0.5)
    return page - 1


def test_the_default_clock_sees_client_code_sleep_in_real_time(start_world, driven_time):
    from solutions.extraction import PartnerExtractor

    world = start_world(appointments=18000)  # ~600 a day: 6 or 7 pages
    day = "2025-09-10"
    token = os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
    served = world.warehouse.query("SELECT COUNT(*) FROM backend.public.appointments "
                                   "WHERE appointment_date = %s", (day,))[0][0]
    assert _syllabus_pages(token, day) == -(-served // 100) >= 6  # 2 requests a second: never a 429
    result = PartnerExtractor(token).extract(day, day)  # as its docstring builds it: real time, real sleeps
    assert len(result.records) == served and result.metrics.rate_limited == 0
    log = world.partner.log
    assert log[5].time - log[0].time == pytest.approx(2.5)  # the partner saw the syllabus's sleeps pass
    assert 429 not in [e.status for e in log]


def test_the_world_clock_skips_its_own_sleeps_instantly(driven_time):
    from sim.clock import WorldClock

    clock = WorldClock()
    before = clock.monotonic()
    clock.sleep(8)  # the kit's code sleeping on the world's clock: no wait, 8 s pass for the fakes
    assert clock.sleeps == [8] and clock.monotonic() - before == 8
    driven_time.sleep(0.5)  # and real time counts too
    assert clock.monotonic() - before == 8.5


# -- secrets: random per run, gone from disk after stop ------------------------------------------------------


def test_every_secret_is_random_per_run(start_world):
    from urllib.parse import urlsplit

    from sim.world import _SECRET_NAMES as names

    start_world()
    first = {n: os.environ[n] for n in names}
    second_world = start_world()
    second = {n: os.environ[n] for n in names}
    assert all(first[n] != second[n] for n in names)
    assert second["AIRFLOW_VAR_SLACK_WEBHOOK_URL"] == second_world.slack.url
    parts = urlsplit(second_world.slack.url)
    assert parts.netloc == "hooks.slack.com" and parts.path.startswith("/services/T")
    assert requests.post(second_world.slack.url, json={"text": "hi"}, timeout=5).text == "ok"
    old_url = first["AIRFLOW_VAR_SLACK_WEBHOOK_URL"]
    assert requests.post(old_url, json={"text": "hi"}, timeout=5).status_code == 404


def test_no_secret_of_a_world_stays_in_the_airflow_log_after_stop(start_world, tmp_path):
    """Even one a task printed from os.environ (which Airflow's masker cannot know) is scrubbed on stop."""
    world = start_world()
    dag_file = tmp_path / "env_leak.py"
    dag_file.write_text(
        "import datetime as dt, os, sys\n"
        "from airflow.sdk import DAG, task\n"
        "with DAG('env_leak', schedule=None, start_date=dt.datetime(2024, 1, 1)):\n"
        "    @task\n"
        "    def leak():\n"
        "        print(os.environ['AIRFLOW_VAR_SNOWFLAKE_PASSWORD'], file=sys.stderr)\n"
        "        print(os.environ['AIRFLOW_VAR_SLACK_WEBHOOK_URL'], file=sys.stderr)\n"
        "    leak()\n")
    secrets = [os.environ["AIRFLOW_VAR_SNOWFLAKE_PASSWORD"], os.environ["AIRFLOW_VAR_SLACK_WEBHOOK_URL"]]
    world.run_dag(dag_file, "2024-01-02", expect="success")
    log = world.airflow.log_file
    assert all(s in log.read_text() for s in secrets)  # stderr goes to the log; Airflow would not mask these
    sim.stop()
    text = log.read_text()
    assert not any(s in text for s in secrets) and text.count("***") >= 2
