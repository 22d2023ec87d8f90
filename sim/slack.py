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

from sim.clock import FakeClock
from sim.faults import Fault, FaultPlan, fault_response
from sim.http import FakeRequest, FakeResponse, RequestLog
from solutions.clock import Clock


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


class SlackChannel:
    """The channel a webhook posts into, made visible: the loopback twin of opening Slack.

    ``make airflow`` serves it on the webhook's own port: ``GET /`` is a page listing every accepted message
    (newest first, refreshing itself), ``GET /messages.json`` the same as JSON; every other request goes to
    the webhook unchanged (a ``GET`` on the webhook URL stays Slack's ``405``). ``listeners`` are called with
    each accepted payload, e.g. to echo alerts in a terminal.
    """

    PAGE, JSON = "/", "/messages.json"

    def __init__(self, hook: SlackWebhook, *, title: str = "#data-alerts (sim)") -> None:
        self.hook = hook
        self.title = title
        self.listeners: list[Any] = []
        self.received: dict[int, str] = {}  # message index -> when it arrived (wall clock, for people)

    def handle(self, request: FakeRequest) -> FakeResponse:
        if request.method == "GET" and request.path in (self.PAGE, self.JSON):
            if request.path == self.JSON:
                return FakeResponse.with_json(200, {"channel": self.title, "messages": self.entries()})
            return FakeResponse(200, {"Content-Type": "text/html; charset=utf-8"}, self.page().encode())
        import datetime as dt  # here, not at the top: only the served sim needs the channel

        before = len(self.hook.messages)
        answer = self.hook.handle(request)
        for index in range(before, len(self.hook.messages)):
            self.received[index] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            for listener in self.listeners:
                listener(self.hook.messages[index])
        return answer

    def entries(self) -> list[dict[str, Any]]:
        """Every accepted message, oldest first: ``n`` (from 1), ``received`` (or None), ``text``, payload."""
        return [{"n": i + 1, "received": self.received.get(i), "text": str(m.get("text", "")), "payload": m}
                for i, m in enumerate(self.hook.messages)]

    def page(self) -> str:
        import html

        items = "".join(
            f"<li class='{'failed' if e['text'].startswith('FAILED') else 'ok'}'><div class='meta'>#{e['n']} "
            f"&middot; {html.escape(e['received'] or 'received in-process')}</div>"
            f"<pre>{html.escape(e['text'] or json.dumps(e['payload'], indent=2))}</pre></li>"
            for e in reversed(self.entries()))
        body = f"<ol reversed>{items}</ol>" if items else "<p>No messages yet.</p>"
        return (f"<!doctype html><html><head><meta charset='utf-8'><meta http-equiv='refresh' content='5'>"
                f"<title>{html.escape(self.title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
                "ol{list-style:none;padding:0}"
                "li{border-left:4px solid #8c959f;margin:0 0 1em;padding:.3em 1em}"
                "li.failed{border-left-color:#cf222e}"
                ".meta{color:#57606a;font-size:.9em}pre{white-space:pre-wrap;word-break:normal;margin:.3em 0}"
                f"</style></head><body><h1>{html.escape(self.title)}</h1>"
                f"<p>{len(self.hook.messages)} message(s) posted to the fake Slack webhook; this page "
                f"refreshes every 5 s (JSON: <a href='{self.JSON}'>{self.JSON}</a>).</p>{body}</body></html>")
