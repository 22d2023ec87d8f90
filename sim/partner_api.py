"""A stateful fake of the partner scheduling API that the syllabus's ``SimplePracticeAPIExtractor`` calls.

``GET https://api.partner.com/v1/appointments?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD`` answers
``{"appointments": [...], "has_more": bool, "page": n, "next_cursor": str | null}`` and behaves like a
real partner would:

* **Pagination**, two styles. Page: ``page`` (from 1) and ``per_page`` (default 100, max 100).
  Cursor: send ``mode=cursor`` for the first page, then the ``next_cursor`` you were given (the cursor
  carries the query, so dates may be omitted; if sent they must match). A cursor walk and a page walk
  serve the same pages: the cursor walk's n-th response *is* page n, and says so in ``"page"``.
* **Bearer auth**: a missing or wrong ``Authorization: Bearer <token>`` gets 401 and uses no rate budget.
* **A real rate limit** on the injected clock: at most N admitted requests in any sliding 1-second window.
  The excess gets 429 with ``Retry-After`` (whole seconds, rounded up, at least 1); honour it and the
  next request succeeds. Requests rejected before the limiter (401, 400) and 429s use no budget.
  The syllabus's ``time.sleep(0.5)`` only *hopes* to stay under the limit; the server decides.
* **Injectable faults** (:meth:`PartnerSchedulingAPI.inject`) that fire ``times`` times and then heal, so
  a client with retries recovers, and a **request log** (``api.log``) to assert on.

* **A change feed** when the source keeps a history (``sim.start(history=True)``):
  ``GET /appointments?updated_since=YYYY-MM-DDTHH:MM:SS`` instead of the date range answers every record whose
  ``updated_at`` is at or after ``updated_since`` (inclusive: a client that passes its last high-water mark
  gets the records at that instant again, and must merge by key), oldest change first, ties by id, with the
  same paging. A deleted record arrives as a tombstone ``{"appointment_id", "deleted": true, "updated_at"}``.
  Without a history the parameter is a 400.

Nothing here imports ``requests`` or ``responses``: :func:`sim.http.mount` wires it into ``responses``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.faults import Fault, FaultPlan, fault_response
from sim.http import (
    FakeRequest,
    FakeResponse,
    RequestLog,
    bad_request,
    bearer_ok,
    decode_cursor,
    encode_cursor,
    method_not_allowed,
    not_found,
    parse_date,
    parse_int,
    parse_timestamp,
    too_many_requests,
    unauthorized,
)
from solutions.clock import Clock

Records = Callable[[dt.date, dt.date], list[dict[str, Any]]]
Feed = Callable[[dt.datetime], list[dict[str, Any]]]


class SlidingWindowLimiter:
    """At most ``limit`` admissions in any window of ``window`` seconds, kept as a log of admission times.

    ``requests_per_second=5`` gives 5 per 1.0 s. A fractional rate keeps the average: 2.5/s becomes
    2 per 0.8 s, 0.5/s becomes 1 per 2 s. (Servers usually do this in a gateway, often a token bucket in
    Redis; clients throttle themselves with a library such as ``pyrate-limiter``.)
    """

    def __init__(self, requests_per_second: float, clock: Clock) -> None:
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        self.limit = max(1, math.floor(requests_per_second))
        self.window = self.limit / requests_per_second
        self.clock = clock
        self._admitted: deque[float] = deque()

    def try_acquire(self) -> float:
        """Admit now and return 0.0, or return how many seconds until a slot frees up (not admitted).

        An admission expires exactly ``window`` seconds later, to within a nanosecond so that float
        rounding (1.2 - 1.0 == 0.19999999999999996) cannot keep a slot shut.
        """
        now = self.clock.monotonic()
        while self._admitted and now - self._admitted[0] >= self.window - 1e-9:
            self._admitted.popleft()
        if len(self._admitted) < self.limit:
            self._admitted.append(now)
            return 0.0
        return self._admitted[0] + self.window - now


@dataclass(frozen=True)
class _Query:
    start: dt.date
    end: dt.date
    per_page: int
    page: int
    cursor_mode: bool
    updated_since: dt.datetime | None = None


class PartnerSchedulingAPI:
    """The partner's scheduling service. Mount it with ``mount(rsps, PartnerSchedulingAPI.BASE_URL, api)``."""

    BASE_URL = "https://api.partner.com/v1"
    PATH = "/appointments"
    MAX_PER_PAGE = 100
    FAULT_KINDS = {"server_error", "timeout", "malformed_json", "duplicate_records", "rate_limit_storm"}

    def __init__(
        self, records: Records, *, token: str, requests_per_second: float = 5.0, clock: Clock
    ) -> None:
        self.records = records
        self.token = token
        self.clock = clock
        self.limiter = SlidingWindowLimiter(requests_per_second, clock)
        self.faults = FaultPlan(self.FAULT_KINDS)
        self.log = RequestLog()
        #: optional ``records -> records`` applied to every date range before paging: what the partner's
        #: feed carries when its data (not its transport) is wrong; see :func:`sim.feed.damage`
        self.transform: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None
        #: ``updated_since -> records`` in change order, set when the source keeps a history
        self.feed: Feed | None = None

    def inject(
        self, kind: str, *, page: int | None = None, times: int = 1, status: int = 500, count: int = 3,
        retry_after: int = 1,
    ) -> Fault:
        """Schedule a fault for page ``page`` (``None``: whichever page is requested next).

        * ``server_error``: ``status`` 500 or 503 (503 carries ``Retry-After: 1``).
        * ``timeout``: the server never answers; the client sees ``requests.exceptions.ReadTimeout``.
        * ``malformed_json``: 200 whose body is the first half of the real JSON.
        * ``rate_limit_storm``: 429 with ``Retry-After: retry_after`` regardless of the real limit.
        * ``duplicate_records``: page ``page`` (>= 2) starts with the last ``count`` records of the page
          before, and every later page shifts back by ``count``, as when rows vanish under offset
          pagination. Nothing is lost, ``count`` records arrive twice. Part of the data: it never heals.

        The first four fire on ``times`` matching requests, then the page is served normally. In cursor
        mode ``page`` is the position in the cursor walk: the first request (no cursor) is page 1, the
        request carrying the first ``next_cursor`` is page 2, and so on.
        """
        if kind == "duplicate_records":
            if page is None or page < 2 or count < 1:
                raise ValueError("duplicate_records needs page >= 2 (it repeats the page before), count >= 1")
            return self.faults.add(Fault(kind, page=page, times=None, options={"count": count}))
        if kind == "server_error" and status not in (500, 503):
            raise ValueError("server_error status must be 500 or 503")
        options = {"status": status} if kind == "server_error" else {"retry_after": max(1, retry_after)}
        return self.faults.add(Fault(kind, page=page, times=times, options=options))

    # -- the request pipeline: route, auth, validate, storm, rate limit, faults, serve -----------------------

    def handle(self, request: FakeRequest) -> FakeResponse:
        now = self.clock.monotonic()
        if request.path.rstrip("/") != self.PATH:
            return self.log.record(now, request, not_found(request.path))
        if request.method != "GET":
            return self.log.record(now, request, method_not_allowed("GET"))
        if not bearer_ok(request, self.token):
            return self.log.record(now, request, unauthorized())
        try:
            query = self._parse(request.params)
        except ValueError as exc:
            return self.log.record(now, request, bad_request(str(exc)))

        storm = self.faults.take({"rate_limit_storm"}, self.PATH, query.page)
        if storm:
            return self.log.record(now, request, fault_response(storm, FakeResponse()), storm)
        wait = self.limiter.try_acquire()
        if wait > 0:
            return self.log.record(now, request, too_many_requests(max(1, math.ceil(wait))))

        healthy, duplicated = self._page(query)
        fault = self.faults.take({"server_error", "timeout", "malformed_json"}, self.PATH, query.page)
        if fault:
            return self.log.record(now, request, fault_response(fault, healthy), fault)
        return self.log.record(now, request, healthy, duplicated)

    def _parse(self, params: dict[str, str]) -> _Query:
        mode = params.get("mode", "cursor" if "cursor" in params else "page")
        if mode not in ("page", "cursor"):
            raise ValueError(f"mode={mode!r}: expected 'page' or 'cursor'")
        if (mode == "cursor" and "page" in params) or (mode == "page" and "cursor" in params):
            raise ValueError("use either page or cursor pagination, not both")
        if "cursor" in params:
            state = decode_cursor(self.PATH, params["cursor"])
            if state is None:
                raise ValueError("unknown or invalid cursor")
            if "since" in state:
                return self._parse_feed(params, state)
            start, end = dt.date.fromisoformat(state["start"]), dt.date.fromisoformat(state["end"])
            for name, value in (("start_date", start), ("end_date", end)):
                if name in params and parse_date(params[name], name) != value:
                    raise ValueError(f"{name} does not match the query this cursor belongs to")
            per_page = parse_int(params.get("per_page"), "per_page", state["per_page"], 1, self.MAX_PER_PAGE)
            if per_page != state["per_page"]:
                raise ValueError("per_page cannot change in the middle of a cursor walk")
            return _Query(start, end, per_page, state["page"], True)
        if "updated_since" in params:
            return self._parse_feed(params, None)
        start = parse_date(params.get("start_date"), "start_date")
        end = parse_date(params.get("end_date"), "end_date")
        if start > end:
            raise ValueError(f"start_date {start} is after end_date {end}")
        per_page = parse_int(params.get("per_page"), "per_page", self.MAX_PER_PAGE, 1, self.MAX_PER_PAGE)
        page = parse_int(params.get("page"), "page", 1, 1)
        return _Query(start, end, per_page, page, mode == "cursor")

    def _parse_feed(self, params: dict[str, str], state: dict[str, Any] | None) -> _Query:
        """``updated_since`` (first page, page or cursor paging) or a cursor of a change-feed walk."""
        if self.feed is None:
            raise ValueError("updated_since: this partner keeps no change history "
                             "(start the sim with history=True)")
        if "start_date" in params or "end_date" in params:
            raise ValueError("use either start_date/end_date or updated_since, not both")
        if state is not None:
            since = dt.datetime.fromisoformat(state["since"])
            if "updated_since" in params and parse_timestamp(params["updated_since"]) != since:
                raise ValueError("updated_since does not match the query this cursor belongs to")
            per_page = parse_int(params.get("per_page"), "per_page", state["per_page"], 1, self.MAX_PER_PAGE)
            if per_page != state["per_page"]:
                raise ValueError("per_page cannot change in the middle of a cursor walk")
            return _Query(since.date(), since.date(), per_page, state["page"], True, since)
        since = parse_timestamp(params["updated_since"])
        mode = params.get("mode", "page")
        per_page = parse_int(params.get("per_page"), "per_page", self.MAX_PER_PAGE, 1, self.MAX_PER_PAGE)
        page = parse_int(params.get("page"), "page", 1, 1)
        return _Query(since.date(), since.date(), per_page, page, mode == "cursor", since)

    def _page(self, query: _Query) -> tuple[FakeResponse, Fault | None]:
        """Serve one page; returns the response and the duplicates fault that shaped it, if any."""
        if query.updated_since is not None:
            rows = self.feed(query.updated_since)
        else:
            rows = self.records(query.start, query.end)
        if self.transform is not None:
            rows = self.transform(rows)
        shifts = [f for f in self.faults.pending("duplicate_records") if (f.page or 0) <= query.page]
        offset = max(0, (query.page - 1) * query.per_page - sum(f.options["count"] for f in shifts))
        chunk = rows[offset : offset + query.per_page]
        has_more = offset + query.per_page < len(rows)
        next_cursor = None
        if query.cursor_mode and has_more:
            where = ({"since": query.updated_since.isoformat()} if query.updated_since is not None
                     else {"start": query.start.isoformat(), "end": query.end.isoformat()})
            next_cursor = encode_cursor(
                self.PATH, {**where, "per_page": query.per_page, "page": query.page + 1})
        payload = {
            "appointments": chunk, "has_more": has_more, "page": query.page, "next_cursor": next_cursor,
        }
        duplicated = next((f for f in shifts if f.page == query.page), None)
        return FakeResponse.with_json(200, payload), duplicated
