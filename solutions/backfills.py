"""Backfills in Airflow 3 through its REST API (``/api/v2/backfills``).

    api = BackfillAPI.remote(url, token) # a running api-server, e.g. `make airflow`
    backfill = api.create("kit_tour", "2025-09-02T02:00:00Z", "2025-09-08T02:00:00Z", max_active_runs=2)
    api.wait(backfill)                   # poll until every run of the backfill has finished
    api = BackfillAPI.in_process()       # Airflow's own API app in this process (TestClient), for notebooks

A backfill in Airflow 3 is a row in the ``backfill`` table plus one queued DagRun (``run_type`` ``backfill``)
per logical date, created at once by ``_create_backfill`` (what ``airflow backfill create`` and
``POST /api/v2/backfills`` call). The scheduler then starts them: ``SchedulerJobRunner._start_queued_dagruns``
picks queued runs in the backfill's ``sort_ordinal`` order and starts at most the backfill's
``max_active_runs``. No separate process runs a backfill any more (Airflow 2's ``airflow dags backfill`` did).
Notebook 18 drives those scheduler steps by hand with ``exercises.backfill_lab``.
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
