"""Backfills in Airflow 3, driven by Airflow's own code: its REST API, its backfill model, its scheduler.

    register_dags()                      # the DAG processor's step: the dags folder's DAGs into the metadata DB
    add_runs("kit_tour", {"2025-09-03T02:00Z": "success"})   # runs the scheduler made earlier, in given states
    api = BackfillAPI.in_process()       # Airflow's REST API app, in this process (TestClient)
    backfill = api.create("kit_tour", "2025-09-02", "2025-09-08T02:00:00Z", max_active_runs=2)
    scheduler_pass()                     # the scheduler's own step that starts queued runs
    api = BackfillAPI.remote(url, token) # the same calls against `make airflow` over HTTP
    api.wait(backfill["id"])             # poll until every run of the backfill has finished

A backfill in Airflow 3 is a row in the ``backfill`` table plus one queued DagRun (``run_type`` ``backfill``)
per logical date, created at once by ``_create_backfill`` (what ``airflow backfill create`` and
``POST /api/v2/backfills`` call). The scheduler then starts them: ``SchedulerJobRunner._start_queued_dagruns``
picks queued runs in the backfill's ``sort_ordinal`` order and starts at most the backfill's
``max_active_runs``. No separate process runs a backfill any more (Airflow 2's ``airflow dags backfill`` did).
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

UTC = dt.timezone.utc
FINISHED = ("success", "failed")


class BackfillError(RuntimeError):
    """The API refused a request; the message carries its status and Airflow's reason."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def register_dags() -> list[str]:
    """Write the DAGs of the configured dags folder to the metadata DB, as the DAG processor does (Airflow's
    ``sync_bag_to_db``); returns their ids. Needs the sim's Airflow home (``sim.start()`` first)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.utils.session import create_session

    manager = DagBundlesManager()
    with create_session() as session:
        manager.sync_bundles_to_db(session=session)
    ids: list[str] = []
    for bundle in manager.get_all_dag_bundles():
        if not bundle.is_initialized:
            bundle.initialize()
        with warnings.catch_warnings():  # providers' own deprecation notices at import: not the DAGs' doing
            warnings.simplefilter("ignore")
            bag = BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name)
        sync_bag_to_db(bag, bundle.name, bundle.version)
        ids += bag.dags
    return sorted(ids)


def _when(value: str | dt.datetime) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"{value!r}: give a timezone (e.g. 'Z'); a run's logical date is an instant")
    return moment.astimezone(UTC)


def add_runs(dag_id: str, states: Mapping[str | dt.datetime, str]) -> None:
    """Create scheduled runs of ``dag_id`` at the given logical dates in the given states (``success``,
    ``failed``, ``running``, ``queued``): the history a backfill meets. Its task instances are not run."""
    from airflow.models.dagrun import DagRun
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType

    with create_session() as session:
        serialized = session.scalar(SerializedDagModel.latest_item_select_object(dag_id))
        if serialized is None:
            raise LookupError(f"no DAG {dag_id!r} in the metadata DB: register_dags() first")
        dag = serialized.dag
        for when, state in states.items():
            logical = _when(when)
            dag.create_dagrun(
                run_id=DagRun.generate_run_id(run_type=DagRunType.SCHEDULED, logical_date=logical,
                                              run_after=logical),
                logical_date=logical, data_interval=dag.timetable.infer_manual_data_interval(run_after=logical),
                run_after=logical, run_type=DagRunType.SCHEDULED, triggered_by=DagRunTriggeredByType.TIMETABLE,
                state=DagRunState(state), session=session)


def set_paused(dag_id: str, paused: bool) -> None:
    """Pause or unpause a DAG (what the UI's toggle and ``PATCH /api/v2/dags/{dag_id}`` do)."""
    from sqlalchemy import update

    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session

    with create_session() as session:
        session.execute(update(DagModel).where(DagModel.dag_id == dag_id).values(is_paused=paused))


def scheduler_pass() -> list[str]:
    """Two steps of the scheduler's loop: ``_start_queued_dagruns`` (queued runs to running, honouring
    ``max_active_runs``, backfill order and paused DAGs) and ``_mark_backfills_complete`` (a backfill whose
    runs all finished gets its ``completed_at``); returns the run ids it started, in the order it started them."""
    from sqlalchemy import select

    from airflow.jobs.job import Job
    from airflow.jobs.scheduler_job_runner import SchedulerJobRunner
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    def running() -> set[str]:
        with create_session() as session:
            return set(session.scalars(select(DagRun.run_id).where(DagRun.state == "running")))

    before = running()
    scheduler = SchedulerJobRunner(job=Job())
    with create_session() as session:
        scheduler._start_queued_dagruns(session)
    scheduler._mark_backfills_complete()
    with create_session() as session:
        started = session.scalars(select(DagRun.run_id).where(DagRun.state == "running")
                                  .order_by(DagRun.start_date, DagRun.logical_date))
        return [run_id for run_id in started if run_id not in before]


def finish_runs(run_ids: Iterable[str], state: str = "success") -> None:
    """Mark runs finished, standing in for their tasks (a real scheduler would run them on workers)."""
    from sqlalchemy import update

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        session.execute(update(DagRun).where(DagRun.run_id.in_(list(run_ids))).values(state=state))


def runs_table(dag_id: str) -> list[dict[str, Any]]:
    """Every run of ``dag_id`` in logical-date order: its id, type, state and backfill."""
    from sqlalchemy import select

    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        found = session.scalars(select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.logical_date))
        return [{"logical_date": f"{r.logical_date:%Y-%m-%d %H:%M}", "run_id": r.run_id,
                 "run_type": r.run_type, "state": r.state, "backfill_id": r.backfill_id} for r in found]


def backfill_rows(backfill_id: int) -> list[dict[str, Any]]:
    """The backfill's ``backfill_dag_run`` rows in ``sort_ordinal`` order: each logical date it covers, the
    run it created or took over, or why it made none (``already exists``, ``in flight``)."""
    from sqlalchemy import select

    from airflow.models.backfill import BackfillDagRun
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.scalars(select(BackfillDagRun).where(BackfillDagRun.backfill_id == backfill_id)
                               .order_by(BackfillDagRun.sort_ordinal))
        return [{"sort_ordinal": r.sort_ordinal, "logical_date": f"{r.logical_date:%Y-%m-%d %H:%M}",
                 "run_id": r.dag_run.run_id if r.dag_run else None,
                 "not created because": r.exception_reason} for r in rows]


def max_overlap(intervals: Iterable[tuple[dt.datetime, dt.datetime]]) -> int:
    """The largest number of (start, end) intervals open at one moment: how many runs ran at once."""
    events = sorted((moment, step) for start, end in intervals for moment, step in ((start, 1), (end, -1)))
    open_now = peak = 0
    for _, step in events:  # at a tie the end (-1) sorts first: a run that ends as another starts is not overlap
        open_now += step
        peak = max(peak, open_now)
    return peak


class BackfillAPI:
    """Airflow 3's backfill endpoints (``/api/v2/backfills``) through any requests-like client."""

    def __init__(self, http: Any, base_url: str = "", headers: Mapping[str, str] | None = None,
                 timeout: float | None = None) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.headers = dict(headers or {})
        self.options = {"timeout": timeout} if timeout else {}  # TestClient takes none: no network to wait on

    @classmethod
    def in_process(cls) -> BackfillAPI:
        """Airflow's own API server app in this process (FastAPI's ``TestClient``: no port, no server), on this
        process's metadata DB. Every caller is an admin (``simple_auth_manager_all_admins``)."""
        import os
        import secrets

        os.environ.setdefault("AIRFLOW__API_AUTH__JWT_SECRET", secrets.token_urlsafe(64))
        os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS"] = "True"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # starlette's notice that its TestClient moves to httpx2
            from fastapi.testclient import TestClient

            from airflow.api_fastapi.app import create_app

            return cls(TestClient(create_app("core")))  # the public API and UI routes, no task execution API

    @classmethod
    def remote(cls, url: str, token: str) -> BackfillAPI:
        """A running api-server (``make airflow``) with a JWT from ``POST /auth/token``."""
        import requests

        return cls(requests.Session(), url, {"Authorization": f"Bearer {token}"}, timeout=30)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.http.request(method, f"{self.base_url}/api/v2{path}", headers=self.headers,
                                   **self.options, **kwargs)
        if answer.status_code >= 300:
            raise BackfillError(f"{method} {path}: HTTP {answer.status_code}: {answer.text[:400]}",
                                answer.status_code)
        return answer.json()

    @staticmethod
    def body(dag_id: str, from_date: str, to_date: str, **options: Any) -> dict[str, Any]:
        """The JSON body of ``POST /api/v2/backfills`` (options: ``reprocess_behavior``, ``max_active_runs``,
        ``run_backwards``, ``dag_run_conf``); the API's defaults are ``none``, 10 and false."""
        return {"dag_id": dag_id, "from_date": from_date, "to_date": to_date, **options}

    def dry_run(self, dag_id: str, from_date: str, to_date: str, **options: Any) -> list[str]:
        """The logical dates the backfill would create runs for (existing runs and options considered)."""
        found = self.call("POST", "/backfills/dry_run", json=self.body(dag_id, from_date, to_date, **options))
        return [item["logical_date"] for item in found["backfills"]]

    def create(self, dag_id: str, from_date: str, to_date: str, **options: Any) -> dict[str, Any]:
        return self.call("POST", "/backfills", json=self.body(dag_id, from_date, to_date, **options))

    def create_on_sqlite(self, dag_id: str, from_date: str, to_date: str, *, attempts: int = 5,
                         **options: Any) -> dict[str, Any]:
        """``create`` for an Airflow on SQLite (``make airflow``), where the API answers 503 ("Backfill creation
        is not supported on SQLite under concurrent access") while the scheduler holds the database lock.

        Airflow then deletes the partial backfill, and in Airflow 3.3.2 that can delete runs the scheduler has
        already started (its loop then fails on them and the scheduler exits). So the DAG is paused while the
        backfill is created (the scheduler starts no run of a paused DAG), the request is repeated on 503, and
        the DAG's pause state is restored."""
        paused = self.call("GET", f"/dags/{dag_id}")["is_paused"]
        self.call("PATCH", f"/dags/{dag_id}", json={"is_paused": True})
        try:
            for attempt in range(1, attempts + 1):
                try:
                    return self.create(dag_id, from_date, to_date, **options)
                except BackfillError as error:
                    if error.status != 503 or attempt == attempts:
                        raise
                    time.sleep(2.0 * attempt)
            raise AssertionError("unreachable")
        finally:
            self.call("PATCH", f"/dags/{dag_id}", json={"is_paused": paused})

    def get(self, backfill_id: int) -> dict[str, Any]:
        return self.call("GET", f"/backfills/{backfill_id}")

    def runs(self, backfill: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The backfill's runs, oldest logical date first: the DAG's runs of type ``backfill`` between its
        from and to dates (a run's JSON does not carry its backfill's id)."""
        listed = self.call("GET", f"/dags/{backfill['dag_id']}/dagRuns",
                           params={"run_type": "backfill", "order_by": "logical_date", "limit": 100,
                                   "logical_date_gte": backfill["from_date"],
                                   "logical_date_lte": backfill["to_date"]})
        return list(listed["dag_runs"])

    def wait(self, backfill: Mapping[str, Any], timeout: float = 300.0, poll: float = 3.0) -> dict[str, Any]:
        """Poll until every run of the backfill has finished and the scheduler marked it complete; returns
        ``{"backfill": ..., "runs": [...]}``. A poll that times out is repeated; raises ``TimeoutError`` naming
        the runs still going once ``timeout`` has passed."""
        deadline = time.monotonic() + timeout
        runs: list[dict[str, Any]] = []
        while True:
            try:
                runs = self.runs(backfill)
                current = self.get(backfill["id"])
            except OSError:  # a busy api-server's read timeout (requests' errors are OSErrors): ask again
                current = {"completed_at": None}
            if runs and all(run["state"] in FINISHED for run in runs) and current["completed_at"]:
                return {"backfill": current, "runs": runs}
            if time.monotonic() > deadline:
                going = {run["dag_run_id"]: run["state"] for run in runs if run["state"] not in FINISHED}
                raise TimeoutError(f"backfill {backfill['id']} of {backfill['dag_id']} not finished after "
                                   f"{timeout:.0f} s: {going or 'not marked complete'}")
            time.sleep(poll)
