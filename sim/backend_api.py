"""A fake of the backend billing system: the source of truth in the syllabus's revenue reconciliation.

``GET https://api.backend.com/revenue?date=YYYY-MM-DD`` answers
``{"date": "...", "total_revenue": 1234.50, "payment_count": n, "currency": "USD"}``. The total is the
exact ``Decimal`` sum of the day's payments, rounded half-up to cents and written as a JSON number with
exactly two decimals, never through ``float``. Read it back exactly with
``response.json(parse_float=Decimal)``; plain ``response.json()`` hands you a float, and comparing
that with Snowflake's ``NUMBER`` sum is the first bug an interviewer looks for in the seed's script.

``GET /payments?date=...`` lists the day's payments for investigation (missing ids, duplicates, wrong
amounts), paginated by an opaque cursor: ``{"date", "payments": [...], "page", "has_more",
"next_cursor"}``, page size ``limit`` (default 100, max 1000).

Optional bearer auth (when ``token`` is set), the shared faults (server_error, timeout, malformed_json)
and a request log (``api.log``), exactly as in :mod:`sim.partner_api`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
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
    unauthorized,
)
from solutions.clock import Clock

Payments = Callable[[dt.date], list[dict[str, Any]]]
CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    """A payment amount as ``Decimal``. Floats are refused: once money is a float it is already wrong."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"amount must be Decimal, int or str, not {type(value).__name__}")


class BackendRevenueAPI:
    """The billing backend. Mount it with ``mount(rsps, BackendRevenueAPI.BASE_URL, api)``."""

    BASE_URL = "https://api.backend.com"
    MAX_LIMIT = 1000
    FAULT_KINDS = {"server_error", "timeout", "malformed_json"}

    def __init__(self, payments: Payments, *, token: str | None = None, clock: Clock) -> None:
        self.payments = payments
        self.token = token
        self.clock = clock
        self.faults = FaultPlan(self.FAULT_KINDS)
        self.log = RequestLog()

    def inject(
        self,
        kind: str,
        *,
        path: str | None = None,
        page: int | None = None,
        times: int = 1,
        status: int = 500,
    ) -> Fault:
        """Schedule a fault on ``path`` (``"/revenue"``, ``"/payments"``, ``None`` for either).

        ``page`` counts the ``/payments`` cursor walk from 1 (first request, no cursor); a fault with a
        page never matches ``/revenue``. Kinds behave as in :meth:`PartnerSchedulingAPI.inject`.
        """
        if kind == "server_error" and status not in (500, 503):
            raise ValueError("server_error status must be 500 or 503")
        options = {"status": status} if kind == "server_error" else {}
        return self.faults.add(Fault(kind, page=page, path=path, times=times, options=options))

    def handle(self, request: FakeRequest) -> FakeResponse:
        now = self.clock.monotonic()
        path = request.path.rstrip("/")
        if path not in ("/revenue", "/payments"):
            return self.log.record(now, request, not_found(request.path))
        if request.method != "GET":
            return self.log.record(now, request, method_not_allowed("GET"))
        if not bearer_ok(request, self.token):
            return self.log.record(now, request, unauthorized())
        try:
            if path == "/revenue":
                page, healthy = None, self._revenue(parse_date(request.params.get("date"), "date"))
            else:
                page, healthy = self._payments(request.params)
        except ValueError as exc:
            return self.log.record(now, request, bad_request(str(exc)))
        fault = self.faults.take(self.FAULT_KINDS, path, page)
        if fault:
            return self.log.record(now, request, fault_response(fault, healthy), fault)
        return self.log.record(now, request, healthy)

    def _revenue(self, day: dt.date) -> FakeResponse:
        rows = self.payments(day)
        total = sum((money(row["amount"]) for row in rows), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
        payload = {
            "date": day.isoformat(), "total_revenue": total, "payment_count": len(rows), "currency": "USD",
        }
        return FakeResponse.with_json(200, payload)

    def _payments(self, params: dict[str, str]) -> tuple[int, FakeResponse]:
        if "cursor" in params:
            state = decode_cursor("/payments", params["cursor"])
            if state is None:
                raise ValueError("unknown or invalid cursor")
            day, limit, page = dt.date.fromisoformat(state["date"]), state["limit"], state["page"]
            if "date" in params and parse_date(params["date"], "date") != day:
                raise ValueError("date does not match the query this cursor belongs to")
        else:
            day = parse_date(params.get("date"), "date")
            limit, page = parse_int(params.get("limit"), "limit", 100, 1, self.MAX_LIMIT), 1
        rows = self.payments(day)
        offset = (page - 1) * limit
        has_more = offset + limit < len(rows)
        cursor = encode_cursor("/payments", {"date": day.isoformat(), "limit": limit, "page": page + 1})
        payload = {
            "date": day.isoformat(),
            "payments": [{**row, "amount": money(row["amount"])} for row in rows[offset : offset + limit]],
            "page": page,
            "has_more": has_more,
            "next_cursor": cursor if has_more else None,
        }
        return page, FakeResponse.with_json(200, payload)
