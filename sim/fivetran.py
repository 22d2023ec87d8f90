"""A stateful fake of Fivetran's REST API: connectors, syncs that take time, land rows, fail or hang.

Step 1 of the syllabus's Scenario 1 ("Fivetran pulls from the backend database to Snowflake raw") is a sync
that Airflow starts and waits for. The fake answers the endpoints an orchestrator uses, in Fivetran's shapes
(``{"code": "Success", "data": {...}}``, HTTP Basic auth with an API key and secret):

* ``GET /v1/connectors/{id}`` (also ``/v1/connections/{id}``, the newer name): the connector, with
  ``succeeded_at``, ``failed_at``, ``paused``, ``schedule_type`` and ``status.sync_state``
  (``scheduled`` / ``syncing`` / ``paused``) and ``status.setup_state``.
* ``PATCH /v1/connectors/{id}`` with ``paused`` and/or ``schedule_type`` (``auto`` / ``manual``).
* ``POST /v1/connectors/{id}/sync`` (body ``{"force": true}`` restarts a running sync; without it a running
  sync is left alone) and the legacy ``POST /v1/connectors/{id}/force``, which the Astronomer provider calls.
* ``GET /v1/groups`` and ``GET /v1/groups/{id}/connectors`` (``{"items": [...], "next_cursor": null}``).

A sync runs on the injected clock: it starts ``syncing`` and finishes ``sync_seconds`` later, when any request
looks. Then, as on Fivetran, the only trace of the outcome is a timestamp: ``succeeded_at`` or ``failed_at``
moves forward, ``sync_state`` is ``scheduled`` again. There is no sync id: a client learns that *its* sync
finished by comparing those timestamps with the ones it saw before it asked. A successful sync lands the
rows written to the source since the last successful one (:meth:`FivetranAPI.source_write`) through the
``land`` callback (the sim's warehouse upserts them); a failed sync lands nothing and keeps them for the next.
``history`` records every sync, which real Fivetran shows in its dashboard and ``sync_end`` webhooks, not here.

Rate limit as Fivetran documents it: a rolling window per account (default 20,000 requests an hour),
``X-Rate-Limit`` / ``X-Rate-Limit-Remaining`` headers, and ``429`` with ``Retry-After`` (seconds) and
``{"code": "TooManyRequests"}`` past it. Faults (:meth:`FivetranAPI.inject`): ``sync_failure``,
``sync_hangs`` (a sync that never finishes), ``rate_limit_storm`` (429s), ``server_error`` (500/503).

Nothing here imports ``requests``: :func:`sim.http.mount` serves it in-process, ``sim.services`` over HTTP.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import math
import re
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from sim.faults import Fault, FaultPlan
from sim.http import FakeRequest, FakeResponse, RequestLog
from sim.partner_api import SlidingWindowLimiter
from solutions.clock import Clock

#: ``land(table, rows, primary_key) -> rows landed``: what a successful sync does with the source's changes
Lander = Callable[[str, list[dict[str, Any]], str], int]

EPOCH = dt.datetime(2025, 10, 2, 2, 0, tzinfo=dt.timezone.utc)  # clock 0.0 is 02:00 UTC, the 2 AM run
_ROUTE = re.compile(r"^/(?:connectors|connections)/(?P<id>[A-Za-z0-9_]+)(?:/(?P<action>sync|force))?$")
_GROUP_ROUTE = re.compile(r"^/groups(?:/(?P<id>[A-Za-z0-9_]+)(?P<sub>/connectors|/connections)?)?$")


def timestamp(seconds: float | None, epoch: dt.datetime = EPOCH) -> str | None:
    """A clock reading as Fivetran writes times: ISO 8601 in UTC, milliseconds, ``Z``."""
    if seconds is None:
        return None
    moment = epoch + dt.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def answer(status: int, code: str, message: str | None = None, data: Any = None,
           headers: dict[str, str] | None = None) -> FakeResponse:
    """Fivetran's envelope: ``{"code", "message"?, "data"?}``."""
    payload: dict[str, Any] = {"code": code}
    if message is not None:
        payload["message"] = message
    if data is not None:
        payload["data"] = data
    return FakeResponse.with_json(status, payload, headers)


class RollingWindowLimit(SlidingWindowLimiter):
    """At most ``limit`` requests in any ``window`` seconds (Fivetran: 20,000 an hour, rolling): the partner
    API's sliding window, sized by a count per window instead of a rate."""

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit, self.window, self.clock = limit, window, clock
        self._admitted: deque[float] = deque()

    @property
    def remaining(self) -> int:
        return self.limit - len(self._admitted)


@dataclass
class Sync:
    """One sync, as the fake remembers it: started/finished on the clock, outcome, rows landed per table."""

    connector_id: str
    started: float
    finish_at: float | None  # None: never finishes
    outcome: str = "running"  # running, succeeded, failed, cancelled
    finished: float | None = None
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class Connector:
    """A connector and its source: ``tables`` maps a destination table to its primary key."""

    id: str
    group_id: str
    service: str
    schema: str
    tables: dict[str, str]
    sync_seconds: float = 2.0
    paused: bool = False
    schedule_type: str = "auto"
    succeeded_at: float | None = None
    failed_at: float | None = None
    running: Sync | None = None
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class FivetranAPI:
    """Fivetran's REST API for one account. Mount it with ``mount(rsps, FivetranAPI.BASE_URL, api)``."""

    BASE_URL = "https://api.fivetran.com/v1"
    FAULT_KINDS = {"sync_failure", "sync_hangs", "rate_limit_storm", "server_error"}

    def __init__(self, *, api_key: str, api_secret: str, clock: Clock, land: Lander | None = None,
                 requests_per_hour: int = 20_000, epoch: dt.datetime = EPOCH) -> None:
        self.api_key, self.api_secret = api_key, api_secret
        self.clock = clock
        self.land = land
        self.epoch = epoch
        self.limiter = RollingWindowLimit(requests_per_hour, 3600.0, clock)
        self.connectors: dict[str, Connector] = {}
        self.groups: dict[str, str] = {}  # id -> name (Fivetran names a destination's group after it)
        self.faults = FaultPlan(self.FAULT_KINDS)
        self.log = RequestLog()
        self.history: list[Sync] = []

    # -- setting the world up ------------------------------------------------------------------------------

    def add_connector(self, connector_id: str, *, tables: dict[str, str], service: str = "postgres",
                      schema: str = "backend_public", group_id: str = "warehouse",
                      group_name: str = "SNOWFLAKE_RAW", sync_seconds: float = 2.0,
                      last_success_seconds_ago: float = 86_400.0) -> Connector:
        """A connected connector whose last sync succeeded ``last_success_seconds_ago`` before now."""
        if not re.fullmatch(r"[A-Za-z0-9_]+", connector_id):
            raise ValueError(f"connector id {connector_id!r}: letters, digits and _ only")
        if sync_seconds < 0:
            raise ValueError("sync_seconds must be >= 0")
        now = self.clock.monotonic()
        connector = Connector(connector_id, group_id, service, schema, dict(tables), sync_seconds,
                              succeeded_at=now - last_success_seconds_ago)
        self.connectors[connector_id] = connector
        self.groups.setdefault(group_id, group_name)
        return connector

    def source_write(self, connector_id: str, table: str, rows: list[dict[str, Any]]) -> None:
        """The source database changed: the next successful sync of ``connector_id`` lands ``rows``."""
        connector = self._connector(connector_id)
        if table not in connector.tables:
            raise ValueError(f"connector {connector_id!r} does not sync {table!r}; it syncs "
                             f"{sorted(connector.tables)}")
        connector.pending.setdefault(table, []).extend(dict(row) for row in rows)

    def inject(self, kind: str, *, connector_id: str | None = None, times: int = 1, status: int = 500,
               retry_after: int = 60) -> Fault:
        """Schedule a fault; it fires ``times`` times, then the API behaves again.

        * ``sync_failure``: the next sync of ``connector_id`` (None: any) ends with ``failed_at``.
        * ``sync_hangs``: the next sync stays ``syncing`` for ever (until a forced restart).
        * ``rate_limit_storm``: ``429`` with ``Retry-After: retry_after``, whatever the real budget.
        * ``server_error``: ``status`` 500 or 503.
        """
        if kind == "server_error" and status not in (500, 503):
            raise ValueError("server_error status must be 500 or 503")
        if connector_id is not None:
            self._connector(connector_id)
        options = {"status": status, "retry_after": max(1, retry_after)}
        return self.faults.add(Fault(kind, path=connector_id, times=times, options=options))

    def _connector(self, connector_id: str) -> Connector:
        if connector_id not in self.connectors:
            raise KeyError(f"no connector {connector_id!r}; known: {sorted(self.connectors)}")
        return self.connectors[connector_id]

    # -- time passes: finish what is due -------------------------------------------------------------------

    def advance(self) -> None:
        """Finish every sync whose time has come (each request does this first)."""
        now = self.clock.monotonic()
        for connector in self.connectors.values():
            sync = connector.running
            if sync is None or sync.finish_at is None or sync.finish_at > now:
                continue
            connector.running = None
            sync.finished = sync.finish_at
            if sync.outcome == "failing":
                sync.outcome = "failed"
                connector.failed_at = sync.finished
                continue
            sync.rows = self._land(connector)
            sync.outcome = "succeeded"
            connector.succeeded_at = sync.finished

    def _land(self, connector: Connector) -> dict[str, int]:
        landed = {}
        for table, rows in connector.pending.items():
            if rows:
                key = connector.tables[table]
                landed[table] = self.land(table, rows, key) if self.land else len(rows)
        connector.pending = {}
        return landed

    def start_sync(self, connector_id: str, *, force: bool = False) -> str:
        """What ``POST .../sync`` does; returns the message. Usable directly by tests."""
        self.advance()
        connector = self._connector(connector_id)
        now = self.clock.monotonic()
        if connector.running is not None:
            if not force:
                return f"Sync is already running for connector with id '{connector_id}'"
            connector.running.outcome, connector.running.finished = "cancelled", now
            connector.running = None
        sync = Sync(connector_id, now, now + connector.sync_seconds)
        fault = self.faults.take({"sync_hangs", "sync_failure"}, connector_id, None)
        if fault and fault.kind == "sync_hangs":
            sync.finish_at = None
        elif fault:
            sync.outcome = "failing"
        connector.running = sync
        self.history.append(sync)
        self.advance()  # a zero-second sync is done at once
        return f"Sync has been successfully triggered for connector with id '{connector_id}'"

    # -- the wire ------------------------------------------------------------------------------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        now = self.clock.monotonic()
        if not self._authorised(request):
            return self.log.record(now, request, answer(
                401, "AuthFailed", "Missing or invalid API key and secret (HTTP Basic auth)"))
        storm = self.faults.take({"rate_limit_storm", "server_error"}, None, None)
        if storm and storm.kind == "rate_limit_storm":
            return self.log.record(now, request, self._too_many(storm.options["retry_after"]), storm)
        wait = self.limiter.try_acquire()
        if wait > 0:
            return self.log.record(now, request, self._too_many(max(1, math.ceil(wait))))
        if storm:
            status = storm.options["status"]
            return self.log.record(now, request, answer(status, "ServerError", "simulated server error",
                                                        headers={"Retry-After": "1"} if status == 503 else None),
                                   storm)
        self.advance()
        response = self._route(request)
        response.headers.update({"X-Rate-Limit": str(self.limiter.limit),
                                 "X-Rate-Limit-Remaining": str(self.limiter.remaining)})
        return self.log.record(now, request, response)

    def _too_many(self, retry_after: int) -> FakeResponse:
        return answer(429, "TooManyRequests", f"API rate limit exceeded; retry after {retry_after} seconds",
                      headers={"Retry-After": str(retry_after), "X-Rate-Limit": str(self.limiter.limit),
                               "X-Rate-Limit-Remaining": "0"})

    def _authorised(self, request: FakeRequest) -> bool:
        scheme, _, token = (request.header("Authorization") or "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(token.strip(), validate=True)
        except ValueError:
            return False
        expected = f"{self.api_key}:{self.api_secret}".encode()
        return hmac.compare_digest(given, expected)

    def _route(self, request: FakeRequest) -> FakeResponse:
        path = request.path.rstrip("/")
        if match := _GROUP_ROUTE.match(path):
            if request.method != "GET":
                return answer(405, "MethodNotAllowed", "use GET")
            return self._groups(match["id"], bool(match["sub"]))
        match = _ROUTE.match(path)
        if not match:
            return answer(404, "NotFound", f"no route for {path}")
        connector = self.connectors.get(match["id"])
        if connector is None:
            return answer(404, "NotFound_Connector", f"Connector with id '{match['id']}' doesn't exist")
        action = match["action"]
        if action is None and request.method == "GET":
            return answer(200, "Success", data=self.details(connector))
        if action is None and request.method == "PATCH":
            return self._patch(connector, request)
        if action in ("sync", "force") and request.method == "POST":
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return answer(400, "InvalidInput", "request body is not JSON")
            force = action == "force" or (isinstance(body, dict) and body.get("force") is True)
            if connector.paused:
                return answer(400, "InvalidState", f"Connector with id '{connector.id}' is paused")
            return answer(200, "Success", self.start_sync(connector.id, force=force))
        allowed = "POST" if action else "GET, PATCH"
        return answer(405, "MethodNotAllowed", f"use {allowed}", headers={"Allow": allowed})

    def _patch(self, connector: Connector, request: FakeRequest) -> FakeResponse:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return answer(400, "InvalidInput", "request body is not JSON")
        if not isinstance(body, dict):
            return answer(400, "InvalidInput", "request body must be a JSON object")
        if "schedule_type" in body:
            if body["schedule_type"] not in ("auto", "manual"):
                return answer(400, "InvalidInput", "schedule_type must be 'auto' or 'manual'")
            connector.schedule_type = body["schedule_type"]
        if "paused" in body:
            if not isinstance(body["paused"], bool):
                return answer(400, "InvalidInput", "paused must be true or false")
            connector.paused = body["paused"]
        return answer(200, "Success", "Connector has been updated", self.details(connector))

    def _groups(self, group_id: str | None, connectors: bool) -> FakeResponse:
        if group_id is None:
            items = [{"id": gid, "name": name} for gid, name in self.groups.items()]
            return answer(200, "Success", data={"items": items, "next_cursor": None})
        if group_id not in self.groups:
            return answer(404, "NotFound_Group", f"Group with id '{group_id}' doesn't exist")
        if not connectors:
            return answer(200, "Success", data={"id": group_id, "name": self.groups[group_id]})
        items = [self.details(c) for c in self.connectors.values() if c.group_id == group_id]
        return answer(200, "Success", data={"items": items, "next_cursor": None})

    def details(self, connector: Connector) -> dict[str, Any]:
        """The connector object as ``GET /v1/connectors/{id}`` returns it (the fields orchestrators read)."""
        if connector.paused:
            sync_state = "paused"
        else:
            sync_state = "syncing" if connector.running is not None else "scheduled"
        return {
            "id": connector.id, "group_id": connector.group_id, "service": connector.service,
            "service_version": 1, "schema": connector.schema, "paused": connector.paused,
            "schedule_type": connector.schedule_type, "sync_frequency": 1440,
            "succeeded_at": timestamp(connector.succeeded_at, self.epoch),
            "failed_at": timestamp(connector.failed_at, self.epoch),
            "status": {"setup_state": "connected", "sync_state": sync_state, "update_state": "on_schedule",
                       "is_historical_sync": False, "tasks": [], "warnings": []},
            "config": {"schema_prefix": connector.schema},
        }

    def history_rows(self) -> list[dict[str, Any]]:
        """``history`` as plain rows (durations in clock seconds), for a table in a notebook."""
        return [{"connector": s.connector_id, "outcome": s.outcome, "started": round(s.started, 3),
                 "finished": None if s.finished is None else round(s.finished, 3), "rows": dict(s.rows)}
                for s in self.history]


def _quoted(name: str) -> str:
    """A plain identifier, upper-cased and double-quoted, or ``ValueError`` (names cannot be bound)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]{0,254}", name):
        raise ValueError(f"invalid identifier {name!r}: letters, digits, _ and $ only")
    return f'"{name.upper()}"'


def warehouse_lander(warehouse: Any, database: str = "BACKEND", schema: str = "PUBLIC") -> Lander:
    """Land a sync's rows the way Fivetran does, as an upsert on the primary key: delete then insert.

    ``BACKEND.PUBLIC`` is the kit's replicated copy of the backend database (dbt's ``backend`` source),
    the raw layer that step 1 of Scenario 1 fills. Names are validated and quoted; values are bound.
    Fivetran would also add ``_FIVETRAN_SYNCED`` (and ``_FIVETRAN_DELETED``) columns; the sim does not.
    """
    def land(table: str, rows: list[dict[str, Any]], primary_key: str) -> int:
        if not rows:
            return 0
        target = ".".join(_quoted(part) for part in (database, schema, table))
        columns = list(rows[0])
        if primary_key not in columns or any(list(row) != columns for row in rows):
            raise ValueError(f"rows for {table}: every row needs the same columns, including {primary_key!r}")
        names = ", ".join(_quoted(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        keys = [row[primary_key] for row in rows]
        with warehouse.cursor(database=database, schema=schema) as cur:
            cur.execute(f"DELETE FROM {target} WHERE {_quoted(primary_key)} IN "
                        f"({', '.join(['%s'] * len(keys))})", keys)
            cur.executemany(f"INSERT INTO {target} ({names}) VALUES ({marks})",
                            [tuple(row[c] for c in columns) for row in rows])
        return len(rows)

    return land


def fivetran_env(api: FivetranAPI) -> dict[str, str]:
    """``AIRFLOW_CONN_FIVETRAN_DEFAULT`` for ``api``: the provider's hook reads key and secret as login/password."""
    return {"AIRFLOW_CONN_FIVETRAN_DEFAULT": json.dumps(
        {"conn_type": "fivetran", "login": api.api_key, "password": api.api_secret})}


@contextmanager
def provider_on_loopback(api: FivetranAPI, http_mock: Any = None) -> Iterator[str]:
    """Serve ``api`` over HTTP on 127.0.0.1 and point the Fivetran provider's hooks at it; yields the base URL.

    The provider builds every URL from the class attributes ``FivetranHook.api_protocol`` (``https``) and
    ``api_host`` (``api.fivetran.com``), not from the Airflow connection, and its trigger polls with aiohttp,
    which ``responses`` cannot intercept. So for the length of the block both attributes are patched to this
    loopback server (``http_mock``: the world's ``responses`` mock, told to let the loopback URL through).
    """
    from fivetran_provider_async.hooks import FivetranHook

    from sim.services import HttpTransport, WsgiServer

    server = WsgiServer(HttpTransport(api, base_path="/v1"))
    try:
        if http_mock is not None:
            http_mock.add_passthru(server.url)
        with mock.patch.object(FivetranHook, "api_protocol", "http"), \
                mock.patch.object(FivetranHook, "api_host", f"{server.host}:{server.port}"):
            yield server.url + "/v1"
    finally:
        server.stop()
