"""Injected failures for the HTTP fakes: what goes wrong, on which request, and for how long.

A :class:`Fault` names a kind (``server_error``, ``timeout``, ``malformed_json``, ...), the request it
targets (``path`` and ``page``; ``None`` matches any) and how many times it fires (``times``). After
that the request is served normally, which is what lets a test show that a client's retries recover.
``times=None`` marks a fault that never heals, such as duplicated records, which are a property of the
data rather than of one response. Each service decides which kinds it supports and where in its
request pipeline it consults the plan; :func:`fault_response` is how the common kinds look on the wire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.http import FakeResponse, too_many_requests


@dataclass
class Fault:
    """One injected failure. ``page``/``path`` of ``None`` match any request; ``times=None`` never heals."""

    kind: str
    page: int | None = None
    path: str | None = None
    times: int | None = 1
    options: dict[str, Any] = field(default_factory=dict)
    fired: int = 0

    def matches(self, path: str, page: int | None) -> bool:
        return (self.path is None or self.path == path) and (self.page is None or self.page == page)


class FaultPlan:
    """The faults a service will play. ``take`` consumes one firing; ``pending`` only looks."""

    def __init__(self, kinds: set[str]) -> None:
        self.kinds = kinds
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in self.kinds:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {sorted(self.kinds)}")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be >= 1 (or None for a fault that never heals)")
        if fault.page is not None and fault.page < 1:
            raise ValueError("pages are numbered from 1")
        self.faults.append(fault)
        return fault

    def take(self, kinds: set[str], path: str, page: int | None) -> Fault | None:
        """The first pending fault of one of ``kinds`` matching this request, counted as fired."""
        for fault in self.faults:
            if fault.kind in kinds and fault.matches(path, page):
                if fault.times is not None and fault.fired >= fault.times:
                    continue
                fault.fired += 1
                return fault
        return None

    def pending(self, kind: str) -> list[Fault]:
        """Faults of ``kind`` that never heal (``times=None``) or have firings left; nothing is consumed."""
        return [f for f in self.faults if f.kind == kind and (f.times is None or f.fired < f.times)]

    def clear(self) -> None:
        self.faults.clear()


def fault_response(fault: Fault, healthy: FakeResponse) -> FakeResponse:
    """How the generic kinds look on the wire; ``healthy`` is what the server would have answered."""
    if fault.kind == "server_error":
        status = fault.options.get("status", 500)
        retry = {"Retry-After": "1"} if status == 503 else {}
        error = "service_unavailable" if status == 503 else "internal_error"
        return FakeResponse.with_json(status, {"error": error, "message": "simulated server error"}, retry)
    if fault.kind == "timeout":
        return FakeResponse.timed_out()
    if fault.kind == "malformed_json":  # a strict prefix of a JSON object is never valid JSON
        return FakeResponse(200, dict(healthy.headers), healthy.body[: len(healthy.body) // 2])
    if fault.kind == "rate_limit_storm":
        return too_many_requests(fault.options.get("retry_after", 1))
    raise ValueError(f"no generic response for fault kind {fault.kind!r}")
