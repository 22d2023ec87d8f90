"""The plumbing the HTTP fakes share: request/response types, exact JSON, a request log, the transport.

Each fake service (partner API, backend API, Slack) is a plain object with
``handle(request: FakeRequest) -> FakeResponse``: no sockets, no ``requests``, no ``responses``. A transport
adapts it to the outside world. :func:`mount` is the in-process one: it registers the service with a
``responses.RequestsMock`` so that ``requests.get("https://api.partner.com/v1/...")`` reaches ``handle``.
Because the logic never sees the transport, the very same object can later be served over loopback HTTP.

Also here: :func:`json_body` (JSON with ``Decimal`` written exactly, never via float), the small
request checks every fake repeats (bearer auth, dates, integers, error bodies), an opaque,
tamper-evident cursor codec, and :class:`RequestLog` (what the server saw, for tests to assert on).
Injected failures live in :mod:`sim.faults`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:  # the transport imports responses lazily; the service classes never import it
    import responses

    from sim.faults import Fault


@dataclass
class FakeRequest:
    """What a service sees: ``path`` is relative to the service's base URL (``/appointments``)."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup, as HTTP requires."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


@dataclass
class FakeResponse:
    """What a service answers. ``timeout=True`` means "never answer": the transport raises a read timeout."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    timeout: bool = False

    @classmethod
    def with_json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> FakeResponse:
        return cls(status, {"Content-Type": "application/json", **(headers or {})}, json_body(payload))

    @classmethod
    def with_text(cls, status: int, text: str, headers: dict[str, str] | None = None) -> FakeResponse:
        return cls(status, {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}, text.encode())

    @classmethod
    def timed_out(cls) -> FakeResponse:
        return cls(status=0, timeout=True)


class Service(Protocol):
    def handle(self, request: FakeRequest) -> FakeResponse: ...


# -- JSON with exact decimals ---------------------------------------------------------------------------


def json_body(payload: Any) -> bytes:
    """Serialise to compact JSON bytes; ``Decimal`` becomes a JSON number with exactly its digits.

    ``json.dumps(Decimal("0.30"))`` raises, and the usual ``default=float`` turns 0.1 + 0.2 into
    0.30000000000000004. A money API must not: clients parse with ``json.loads(s, parse_float=Decimal)``
    and get back the exact value. Dates and datetimes become ISO strings.
    """
    return _dump(payload).encode()


def _dump(value: Any) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"JSON has no number for {value}")
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{_dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    return json.dumps(value, allow_nan=False)


# -- shared request checks --------------------------------------------------------------------------------


def bearer_ok(request: FakeRequest, token: str | None) -> bool:
    """True when no token is required or ``Authorization: Bearer <token>`` matches (constant-time)."""
    if token is None:
        return True
    scheme, _, given = (request.header("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def unauthorized() -> FakeResponse:
    return FakeResponse.with_json(
        401,
        {"error": "unauthorized", "message": "missing or invalid bearer token"},
        {"WWW-Authenticate": "Bearer"},
    )


def not_found(path: str) -> FakeResponse:
    return FakeResponse.with_json(404, {"error": "not_found", "message": f"no route for {path}"})


def method_not_allowed(allowed: str) -> FakeResponse:
    payload = {"error": "method_not_allowed", "message": f"use {allowed}"}
    return FakeResponse.with_json(405, payload, {"Allow": allowed})


def bad_request(message: str) -> FakeResponse:
    return FakeResponse.with_json(400, {"error": "bad_request", "message": message})


def parse_date(value: str | None, name: str) -> dt.date:
    """``YYYY-MM-DD`` or ``ValueError`` with a message fit for a 400."""
    if not value:
        raise ValueError(f"missing required parameter {name!r} (YYYY-MM-DD)")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{name}={value!r} is not a date in YYYY-MM-DD form")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a valid calendar date") from None


def parse_timestamp(value: str | None, name: str = "updated_since") -> dt.datetime:
    """``YYYY-MM-DDTHH:MM:SS`` (naive, the source's own clock) or ``ValueError`` with a message fit for a 400."""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}", value):
        raise ValueError(f"{name}={value!r} is not a timestamp in YYYY-MM-DDTHH:MM:SS form")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a valid timestamp") from None


def parse_int(value: str | None, name: str, default: int, lo: int, hi: int | None = None) -> int:
    """An integer parameter within [lo, hi], or ``ValueError`` with a message fit for a 400."""
    if value is None:
        return default
    if not re.fullmatch(r"-?\d+", value):
        raise ValueError(f"{name}={value!r} is not an integer")
    number = int(value)
    if number < lo or (hi is not None and number > hi):
        raise ValueError(f"{name}={number} is out of range ({lo}..{hi if hi is not None else ''})")
    return number


# -- opaque cursors ---------------------------------------------------------------------------------------

_CURSOR_KEY = b"sim-cursor-v1"


def encode_cursor(scope: str, state: dict[str, Any]) -> str:
    """Opaque to clients, deterministic, and signed so that an invented or edited cursor is rejected.

    ``scope`` names the endpoint, so a cursor from one listing is not accepted by another.
    """
    raw = json.dumps({"scope": scope, **state}, sort_keys=True, separators=(",", ":")).encode()
    sig = hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:6]
    return base64.urlsafe_b64encode(sig + raw).decode().rstrip("=")


def decode_cursor(scope: str, token: str) -> dict[str, Any] | None:
    """The state inside a cursor issued for ``scope``, or ``None`` for anything else."""
    try:
        blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sig, raw = blob[:6], blob[6:]
        if not hmac.compare_digest(sig, hmac.new(_CURSOR_KEY, raw, hashlib.sha256).digest()[:6]):
            return None
        state = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return state if isinstance(state, dict) and state.get("scope") == scope else None


def too_many_requests(retry_after: int) -> FakeResponse:
    return FakeResponse.with_json(
        429,
        {"error": "rate_limited", "message": f"too many requests; retry after {retry_after}s"},
        {"Retry-After": str(retry_after)},
    )


# -- request log ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogEntry:
    """One request as the server saw it. ``status`` is ``None`` when the server never answered (timeout)."""

    time: float
    method: str
    path: str
    params: dict[str, str]
    status: int | None
    fault: str | None = None


class RequestLog(list[LogEntry]):
    """A list of :class:`LogEntry` plus the counters a test or notebook usually wants."""

    def record(
        self, time: float, request: FakeRequest, response: FakeResponse, fault: Fault | None = None
    ) -> FakeResponse:
        """Append what happened and hand the response back, so a handler can ``return log.record(...)``."""
        status = None if response.timeout else response.status
        kind = fault.kind if fault else None
        self.append(LogEntry(time, request.method, request.path, dict(request.params), status, kind))
        return response

    def statuses(self) -> list[int | None]:
        return [entry.status for entry in self]

    def summary(self) -> dict[str, Any]:
        """``{"requests": n, "ok": n, "by_status": {...}, "faults": {...}}``.

        ``ok`` counts HTTP 2xx answers, so a 200 with a truncated body still counts: look at ``faults``.
        Counters keep first-seen order; a timeout is counted under status ``None``.
        """
        return {
            "requests": len(self),
            "ok": sum(1 for e in self if e.status is not None and 200 <= e.status < 300),
            "by_status": dict(Counter(e.status for e in self)),
            "faults": dict(Counter(e.fault for e in self if e.fault)),
        }


# -- the in-process transport -----------------------------------------------------------------------------


def to_fake_request(
    method: str, url: str, headers: dict[str, str], body: bytes | str | None, base_path: str
) -> FakeRequest:
    """Build a :class:`FakeRequest` from raw parts; ``base_path`` (``/v1``) is stripped from the path."""
    parts = urlsplit(url)
    path = parts.path
    if base_path and path.startswith(base_path):
        path = path[len(base_path):]
    if isinstance(body, str):
        body = body.encode()
    params = dict(parse_qsl(parts.query, keep_blank_values=True))  # a repeated key keeps its last value
    return FakeRequest(method.upper(), path or "/", params, dict(headers), body or b"")


def mount(rsps: responses.RequestsMock, base_url: str, service: Service) -> None:
    """Route every method and path under ``base_url`` to ``service.handle`` inside ``rsps``.

    A single callback matches any method (so ``RequestsMock``'s assert-all-requests-fired check does
    not trip over methods nobody used). A timeout answer raises ``requests.exceptions.ReadTimeout``, which
    ``responses`` re-raises to the caller as a real socket timeout would surface. Two differences from a
    socket: urllib3's ``Retry`` is replayed for status codes but never sleeps, and it is not applied to
    the timeout at all (a real ``Retry(read=n)`` would retry it).
    """
    import requests
    from responses import CallbackResponse

    base_url = base_url.rstrip("/")
    base_path = urlsplit(base_url).path
    pattern = re.compile(re.escape(base_url) + r"(?:[/?#].*)?$")

    def callback(prepared: requests.PreparedRequest) -> Any:
        fake = to_fake_request(
            prepared.method or "GET", prepared.url or "", dict(prepared.headers), prepared.body, base_path
        )
        answer = service.handle(fake)
        if answer.timeout:
            return requests.exceptions.ReadTimeout(f"simulated read timeout: {fake.method} {prepared.url}")
        return answer.status, answer.headers, answer.body

    class AnyMethodCallback(CallbackResponse):
        def matches(self, request: Any) -> tuple[bool, str]:
            if self._url_matches(self.url, str(request.url)):
                return True, ""
            return False, "URL does not match"

    rsps.add(AnyMethodCallback("GET", pattern, callback, content_type=None))
