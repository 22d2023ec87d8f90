"""A fake Slack incoming webhook: where the pipeline's alerts go, recorded so a test can read them.

Slack's incoming webhooks take ``POST <webhook url>`` with a JSON body ``{"text": ...}`` (or ``blocks``)
and answer with plain-text bodies rather than JSON: ``200 ok``, ``400 invalid_payload`` (body is not a
JSON object), ``400 no_text`` (neither ``text`` nor ``blocks``), ``404 no_service`` (unknown webhook path).
A client should check the status, not just catch exceptions: ``requests.post`` does not raise on a 400.

    hook = SlackWebhook()
    mount(rsps, hook.base_url, hook)
    requests.post(hook.url, json={"text": "Revenue reconciliation failed"}, timeout=10)
    hook.messages   # [{"text": "Revenue reconciliation failed"}]

``inject("server_error")`` (or ``"timeout"``) makes the alert path itself fail, for testing what a DAG
does when it cannot even complain.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from sim.clock import Clock, FakeClock
from sim.faults import Fault, FaultPlan, fault_response
from sim.http import FakeRequest, FakeResponse, RequestLog


class SlackWebhook:
    """One incoming webhook. ``messages`` holds every accepted payload, in order."""

    DEFAULT_URL = "https://hooks.slack.com/services/T000/B000/XXXX"
    FAULT_KINDS = {"server_error", "timeout"}

    def __init__(self, url: str = DEFAULT_URL, *, clock: Clock | None = None) -> None:
        parts = urlsplit(url)
        self.url = url
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        self.path = parts.path
        self.clock = clock or FakeClock()
        self.messages: list[dict[str, Any]] = []
        self.faults = FaultPlan(self.FAULT_KINDS)
        self.log = RequestLog()

    @property
    def texts(self) -> list[str]:
        """The ``text`` of every accepted message ("" for blocks-only messages)."""
        return [str(m.get("text", "")) for m in self.messages]

    def inject(self, kind: str, *, times: int = 1, status: int = 500) -> Fault:
        """Make the next ``times`` posts fail: ``server_error`` (500/503) or ``timeout``."""
        if kind == "server_error" and status not in (500, 503):
            raise ValueError("server_error status must be 500 or 503")
        return self.faults.add(Fault(kind, times=times, options={"status": status}))

    def handle(self, request: FakeRequest) -> FakeResponse:
        now = self.clock.monotonic()
        if request.path != self.path:
            return self.log.record(now, request, FakeResponse.with_text(404, "no_service"))
        if request.method != "POST":
            answer = FakeResponse.with_text(405, "invalid_method", {"Allow": "POST"})
            return self.log.record(now, request, answer)
        fault = self.faults.take(self.FAULT_KINDS, self.path, None)
        if fault:
            answer = fault_response(fault, FakeResponse())
            if fault.kind == "server_error":  # Slack's error bodies are plain text too
                retry = {k: v for k, v in answer.headers.items() if k == "Retry-After"}
                answer = FakeResponse.with_text(answer.status, "internal_error", retry)
            return self.log.record(now, request, answer, fault)
        try:
            payload = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            payload = None
        if not isinstance(payload, dict):
            return self.log.record(now, request, FakeResponse.with_text(400, "invalid_payload"))
        if not payload.get("text") and not payload.get("blocks"):
            return self.log.record(now, request, FakeResponse.with_text(400, "no_text"))
        self.messages.append(payload)
        return self.log.record(now, request, FakeResponse.with_text(200, "ok"))
