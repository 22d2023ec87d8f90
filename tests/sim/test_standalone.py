"""`python -m sim airflow` (what `make airflow` runs): a real Airflow against the sim served on loopback.

One Airflow for the module (a minute or two to become healthy on a loaded 2-core machine): every kit DAG is
listed through the REST API with no import errors and no next run, the daily pipeline triggered through the
REST API succeeds with every task in its own process, the defective day fails dbt_test and quality_checks and
both alerts reach the fake Slack (its page and the terminal), an asset event starts its consumers, the
Fivetran sync defers to the triggerer before dbt runs, a week backfilled through the REST API runs in order
two at a time, one file awaited by a poke, a reschedule and a
deferrable sensor shows only the poke sensor holding a worker while the deferrable one waits in the triggerer,
Airflow's log carries none of the warnings the kit used to cause, and stopping leaves no process behind.
Deselect with ``-m "not standalone"``.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sim.paths import DAGS_DIR, KIT_ROOT
from sim.services import free_port
from sim.standalone import processes_of

START_DEADLINE = 240.0  # seconds for the sim and Airflow to be up and healthy
RUN_DEADLINE = 300.0  # seconds for the triggered run to finish
STOP_DEADLINE = 90.0
LOGICAL_DATE = "2025-09-11T02:00:00Z"  # processes 2025-09-10, inside the sim's data
RED_DATE = "2025-09-21T00:00:00Z"  # processes 2025-09-20, the day `python -m sim airflow` damages

try:
    STANDALONE = pytest.mark.standalone  # registered in pyproject.toml
except pytest.fail.Exception:  # an older pyproject without the marker (--strict-markers refuses it)
    STANDALONE = pytest.mark.slow
pytestmark = STANDALONE  # slow too: tests/conftest.py SLOW_MODULES


def pipeline_dag() -> str:
    """The daily pipeline once its file exists; the three-task tour before."""
    pipeline = "clinic_appointments_pipeline"
    return pipeline if (DAGS_DIR / f"{pipeline}.py").exists() else "kit_tour"


class Running:
    """`python -m sim airflow` in a process group of its own, and how to reach the Airflow it started."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.ready_file = state / "airflow-standalone" / "kit-standalone.json"
        self.output = state / "sim-airflow.out"
        self.process: subprocess.Popen | None = None
        self.info: dict = {}
        self.token = ""

    def start(self) -> float:
        started = time.monotonic()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        with open(self.output, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sim", "airflow", "--state", str(self.state),
                 "--port", str(free_port()), "--timeout", str(START_DEADLINE)],
                cwd=KIT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        while not self.ready_file.exists():
            if self.process.poll() is not None or time.monotonic() - started > START_DEADLINE + 15:
                pytest.fail(f"python -m sim airflow did not get ready:\n{self.tail()}")
            time.sleep(1)
        self.info = json.loads(self.ready_file.read_text())
        password = json.loads(Path(self.info["password_file"]).read_text())[self.info["username"]]
        answer = requests.post(f"{self.info['url']}/auth/token", timeout=30,
                               json={"username": self.info["username"], "password": password})
        answer.raise_for_status()
        self.token = answer.json()["access_token"]
        return time.monotonic() - started

    def api(self, method: str, path: str, **kwargs) -> dict:
        answer = requests.request(method, f"{self.info['url']}/api/v2{path}", timeout=30,
                                  headers={"Authorization": f"Bearer {self.token}"}, **kwargs)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text[:500]}"
        return answer.json()

    def tail(self, lines: int = 40) -> str:
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        return "\n".join(line for line in text.splitlines()[-lines:] if "login:" not in line)

    def stop(self) -> float:
        """Ctrl-C, as a person would; returns the seconds it took. Kills the groups if that did not work."""
        if self.process is None:
            return 0.0
        started = time.monotonic()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            for group in (self.process.pid, self.info.get("airflow_pgid")):
                if group:
                    try:
                        os.killpg(group, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            self.process.wait(timeout=10)
            pytest.fail(f"python -m sim airflow did not stop within {STOP_DEADLINE:.0f} s:\n{self.tail()}")
        finally:
            self.process = None
        return time.monotonic() - started


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    missing = [m for m in ("flask", "flask_cors") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"moto's server mode needs moto[server] ({', '.join(missing)} not installed): S3 "
                    "cannot be served on loopback for a real Airflow")
    running = Running(tmp_path_factory.mktemp("standalone"))
    try:
        running.seconds_to_start = running.start()
        yield running
    finally:
        running.stop()


def listed_dags(airflow, expected: set[str]) -> set[str]:
    """The dag ids the REST API lists, once ``expected`` are among them or two minutes passed (the
    dag-processor may still be on its first pass)."""
    deadline = time.monotonic() + 120
    while True:
        listed = {dag["dag_id"] for dag in airflow.api("GET", "/dags", params={"limit": 100})["dags"]}
        if expected <= listed or time.monotonic() > deadline:
            return listed
        time.sleep(1)


@pytest.fixture(scope="module")
def week_backfill(airflow):
    """A week of kit_tour backfilled, two runs at a time, created as soon as the DAG is listed: its runs go
    on while the tests before its own run theirs (the first test asks for it), and its test only waits."""
    from solutions.backfills import BackfillAPI

    listed_dags(airflow, {"kit_tour"})
    api = BackfillAPI.remote(airflow.info["url"], airflow.token)
    backfill = api.create_on_sqlite("kit_tour", "2025-09-02T02:00:00Z", "2025-09-08T02:00:00Z", max_active_runs=2)
    return api, backfill, time.monotonic()


def test_every_kit_dag_is_listed_without_import_errors(airflow, week_backfill):
    from airflow.dag_processing.dagbag import DagBag

    expected = set(DagBag(dag_folder=DAGS_DIR, bundle_path=DAGS_DIR, safe_mode=False).dag_ids)
    listed = listed_dags(airflow, expected)
    errors = airflow.api("GET", "/importErrors")
    assert errors["total_entries"] == 0, errors["import_errors"]
    assert expected and expected <= listed, sorted(expected - listed)
    dags = airflow.api("GET", "/dags", params={"limit": 100})["dags"]
    scheduled = {d["dag_id"]: d["next_dagrun_run_after"] for d in dags if d["next_dagrun_run_after"]}
    assert not scheduled, f"nothing is scheduled here, yet the UI would show a next run: {scheduled}"


def test_the_pipeline_triggered_through_the_rest_api_succeeds(airflow):
    dag_id = pipeline_dag()
    run = airflow.api("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": LOGICAL_DATE})
    started, state = time.monotonic(), run["state"]
    while state not in ("success", "failed") and time.monotonic() - started < RUN_DEADLINE:
        time.sleep(1)
        state = airflow.api("GET", f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}")["state"]
    tasks = airflow.api("GET", f"/dags/{dag_id}/dagRuns/{run['dag_run_id']}/taskInstances")["task_instances"]
    summary = {t["task_id"]: (t["state"], t["try_number"]) for t in tasks}
    took = time.monotonic() - started
    assert state == "success", f"{dag_id} {LOGICAL_DATE}: {state} after {took:.0f} s: {summary}"
    assert all(task_state == "success" for task_state, _ in summary.values()), summary
    print(f"{dag_id} succeeded in {took:.0f} s (Airflow up in {airflow.seconds_to_start:.0f} s)")


def run_to_the_end(airflow, dag_id: str, logical_date: str, run_id: str) -> tuple[str, dict]:
    body = {"logical_date": logical_date, "dag_run_id": run_id}
    run = airflow.api("POST", f"/dags/{dag_id}/dagRuns", json=body)
    started, state = time.monotonic(), run["state"]
    while state not in ("success", "failed") and time.monotonic() - started < RUN_DEADLINE:
        time.sleep(1)
        state = airflow.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]
    tasks = airflow.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]
    return state, {t["task_id"]: t["state"] for t in tasks}


def test_the_defective_day_goes_red_and_both_failures_reach_slack(airflow):
    dag_id = pipeline_dag()
    if dag_id != "clinic_appointments_pipeline":
        pytest.skip("the daily pipeline DAG is not there yet")
    state, tasks = run_to_the_end(airflow, dag_id, RED_DATE, "defective-day")
    assert state == "failed", tasks
    assert tasks["dbt_test"] == tasks["quality_checks"] == "failed", tasks
    assert tasks["notify_slack"] == "upstream_failed", tasks

    channel = requests.get(airflow.info["slack_channel"] + "messages.json", timeout=10).json()["messages"]
    alerts = [m["text"] for m in channel if m["text"].startswith("FAILED")]
    failed = sorted(a.split(" ")[1] for a in alerts)
    assert failed == [f"{dag_id}.dbt_test", f"{dag_id}.quality_checks"], alerts
    assert all("2025-09-20" in a for a in alerts), alerts
    page = requests.get(airflow.info["slack_channel"], timeout=10)
    assert page.status_code == 200 and all(html.escape(a.splitlines()[0]) in page.text for a in alerts)
    echoed = airflow.output.read_text()
    assert echoed.count("Slack message:") >= 2 and all(a.splitlines()[0] in echoed for a in alerts)


def test_an_asset_event_starts_the_consumers(airflow):
    """appointments_extract, triggered through the REST API, records an asset event for the day; the scheduler
    starts appointments_marts from it, whose event starts customer_metrics_refresh. Nobody triggers those two."""
    state, tasks = run_to_the_end(airflow, "appointments_extract", LOGICAL_DATE, "assets-producer")
    assert state == "success", tasks
    for consumer, asset in (("appointments_marts", "raw_partner_appointments"),
                            ("customer_metrics_refresh", "fct_appointments")):
        started, runs = time.monotonic(), []
        while time.monotonic() - started < RUN_DEADLINE:
            runs = airflow.api("GET", f"/dags/{consumer}/dagRuns")["dag_runs"]
            if runs and runs[0]["state"] in ("success", "failed"):
                break
            time.sleep(1)
        assert len(runs) == 1, f"{consumer}: {runs}"
        run = runs[0]
        assert (run["run_type"], run["state"]) == ("asset_triggered", "success"), run
        events = airflow.api("GET", f"/dags/{consumer}/dagRuns/{run['dag_run_id']}/upstreamAssetEvents")
        assert [(e["name"], e["extra"]["day"]) for e in events["asset_events"]] == [(asset, "2025-09-10")]


def test_a_week_backfilled_through_the_rest_api(week_backfill):
    """A week of kit_tour, two runs at a time (notebook 18 makes the same calls in-process): seven backfill runs,
    all green, started in logical-date order, never more than two at once, the backfill marked complete."""
    from solutions.backfills import max_overlap

    api, backfill, started = week_backfill
    runs = api.wait(backfill, timeout=3 * RUN_DEADLINE, poll=1)["runs"]
    assert [run["logical_date"][:10] for run in runs] == [f"2025-09-0{day}" for day in range(2, 9)]
    assert {(run["run_type"], run["state"]) for run in runs} == {("backfill", "success")}, runs
    moments = [(dt.datetime.fromisoformat(run["start_date"]), dt.datetime.fromisoformat(run["end_date"]))
               for run in runs]
    assert [start for start, _ in moments] == sorted(start for start, _ in moments)
    assert max_overlap(moments) <= 2
    print(f"a week of kit_tour backfilled in {time.monotonic() - started:.0f} s, "
          f"{max_overlap(moments)} runs at once at most")


def test_one_wait_three_ways_only_the_poke_sensor_holds_a_worker(airflow):
    """sensor_modes: one file awaited in poke, reschedule and deferrable mode at once. Sampled about every
    second while the file is missing, the poke sensor is `running` (a worker slot), the deferrable one `deferred`
    (its trigger in the triggerer); when the file lands, all three succeed."""
    from collections import Counter

    landing, run_id, sample_seconds = Path(airflow.info["landing"]), "sensor-modes", 20
    tasks = ("wait_poke", "wait_reschedule", "wait_deferrable")

    def patient(method: str, path: str, **kwargs) -> dict:
        for _ in range(4):  # a loaded machine's api-server may miss one 30 s read
            try:
                return airflow.api(method, path, **kwargs)
            except requests.RequestException:
                time.sleep(2)
        return airflow.api(method, path, **kwargs)

    def states() -> dict[str, str]:
        tis = patient("GET", f"/dags/sensor_modes/dagRuns/{run_id}/taskInstances")["task_instances"]
        return {t["task_id"]: t["state"] for t in tis}

    patient("POST", "/dags/sensor_modes/dagRuns", json={"logical_date": "2025-09-11T00:00:00Z", "dag_run_id": run_id})
    started = time.monotonic()
    while (now := states()).get("wait_deferrable") != "deferred" or now.get("wait_poke") != "running":
        assert time.monotonic() - started < RUN_DEADLINE, now
        time.sleep(1)
    samples, sampling_ends = [], time.monotonic() + sample_seconds
    while time.monotonic() < sampling_ends:
        samples.append(states())
        time.sleep(1)
    (landing / "appointments_2025-09-11.ready").write_text("closed")
    while (state := patient("GET", f"/dags/sensor_modes/dagRuns/{run_id}")["state"]) not in ("success", "failed"):
        assert time.monotonic() - started < 2 * RUN_DEADLINE, states()
        time.sleep(2)
    seen = {task: Counter(sample.get(task) for sample in samples) for task in tasks}
    print(f"{len(samples)} samples: " + "; ".join(f"{task} {dict(counts)}" for task, counts in seen.items()))
    assert state == "success", states()
    assert len(samples) >= 3, seen
    assert seen["wait_poke"]["running"] >= 0.8 * len(samples), seen
    assert seen["wait_deferrable"]["deferred"] >= 0.8 * len(samples), seen
    assert seen["wait_reschedule"]["up_for_reschedule"] >= 1, seen  # gave its slot back between checks


def test_the_fivetran_sync_defers_to_the_triggerer_then_dbt_runs(airflow):
    """The provider's deferrable FivetranOperator against the sim's Fivetran on loopback: the task defers, the
    triggerer polls (the local settings point the provider's hooks there in every process), dbt runs."""
    state, tasks = run_to_the_end(airflow, "fivetran_then_dbt", LOGICAL_DATE, "fivetran-then-dbt")
    assert state == "success" and set(tasks.values()) == {"success"}, tasks
    logs = Path(airflow.info["home"]) / "logs" / "dag_id=fivetran_then_dbt" / "run_id=fivetran-then-dbt"
    sync = logs / "task_id=fivetran_sync"
    assert "Pausing task as DEFERRED" in (sync / "attempt=1.log").read_text(errors="replace")
    triggered = "".join(p.read_text(errors="replace") for p in sync.glob("attempt=1.log.trigger.*.log"))
    assert "Connector backend_postgres: succeeded_at" in triggered


def test_airflows_log_has_none_of_the_warnings_the_kit_caused(airflow):
    log = Path(airflow.info["log_file"]).read_text(errors="replace")
    assert "InsecureKeyLengthWarning" not in log  # JWT keys of the length HS512 asks for
    assert "install `httpx2` instead" not in log


def test_stopping_leaves_no_process_behind(airflow):
    home = Path(airflow.info["home"])
    seconds = airflow.stop()
    left = processes_of(home, airflow.info["pid"]) + processes_of(home, airflow.info["airflow_pgid"])
    assert not left, f"still running after stop: {left}"
    assert not airflow.ready_file.exists()
    assert seconds < STOP_DEADLINE
    print(f"stopped in {seconds:.0f} s")
