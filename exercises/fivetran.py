"""Exercises of notebook 23 (orchestrating Fivetran and dbt): the graders, and reference answers to read after.

1. ``sync_outcome(before, after)``: Fivetran gives a sync no id. Given the connector as it was when the sync was
   requested and as it is now (``GET /v1/connectors/{id}``'s ``data``), say ``"succeeded"``, ``"failed"`` or
   ``"running"``.
2. ``trigger_and_wait(session, base_url, connector_id, *, clock, poll_seconds, timeout_seconds)``: what a team
   writes when no provider fits: start a sync, poll until it ends, honour ``429 Retry-After``, give up after
   ``timeout_seconds`` (``TimeoutError``), raise on a failed sync; return the connector's final ``data``.

The graders run answers against the kit's Fivetran fake on a ``FakeClock``: no real waiting, and a wrong answer
that never stops is cut off after a few hundred requests instead of hanging the notebook.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade

BASE_URL = "https://fivetran.example.test/v1"  # the graders' own fake, apart from the world's api.fivetran.com
CONNECTOR = "backend_postgres"
MAX_REQUESTS = 400  # an answer that polls for ever is stopped here

# -- reference answers ---------------------------------------------------------------------------------------


def _moment(value: str | None) -> dt.datetime:
    """A Fivetran timestamp as an aware datetime; ``None`` (never happened) as the earliest moment."""
    if value is None:
        return dt.datetime.min.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def sync_outcome(before: dict[str, Any], after: dict[str, Any]) -> str:
    """``"succeeded"`` / ``"failed"`` when a timestamp moved past what it was before (the later one wins if
    both moved); ``"running"`` while neither has."""
    succeeded = _moment(after["succeeded_at"]) > _moment(before["succeeded_at"])
    failed = _moment(after["failed_at"]) > _moment(before["failed_at"])
    if succeeded and failed:
        return "succeeded" if _moment(after["succeeded_at"]) > _moment(after["failed_at"]) else "failed"
    return "succeeded" if succeeded else "failed" if failed else "running"


def trigger_and_wait(session: Any, base_url: str, connector_id: str, *, clock: Any, poll_seconds: float = 15,
                     timeout_seconds: float = 3600) -> dict[str, Any]:
    """Start a sync of ``connector_id`` and wait for its outcome; ``session`` carries the API key and secret."""

    def call(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        while True:
            answer = session.request(method, f"{base_url}{path}", timeout=30, **kwargs)
            if answer.status_code != 429:
                answer.raise_for_status()
                return answer.json()
            clock.sleep(float(answer.headers.get("Retry-After", poll_seconds)))

    url = f"/connectors/{connector_id}"
    before = call("GET", url)["data"]
    call("POST", f"{url}/sync", json={})
    deadline = clock.monotonic() + timeout_seconds
    while True:
        now = call("GET", url)["data"]
        outcome = sync_outcome(before, now)
        if outcome == "succeeded":
            return now
        if outcome == "failed":
            raise RuntimeError(f"Fivetran sync of {connector_id} failed at {now['failed_at']}")
        if clock.monotonic() >= deadline:
            raise TimeoutError(f"Fivetran sync of {connector_id} still running after {timeout_seconds} s")
        clock.sleep(poll_seconds)


# -- exercise 1 ----------------------------------------------------------------------------------------------


def _details(succeeded: str | None, failed: str | None, state: str = "scheduled") -> dict[str, Any]:
    return {"id": CONNECTOR, "succeeded_at": succeeded, "failed_at": failed, "status": {"sync_state": state}}


def grade_sync_outcome(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    ok, bad = "2025-10-01T02:05:00.000Z", "2025-10-01T03:00:00.000Z"  # yesterday: a success, then a failure
    later = "2025-10-02T02:00:31.250Z"
    before = _details(ok, None)

    def case(b: dict, a: dict, expected: str, what: str) -> Callable[[Any], None]:
        return lambda f: expect(f(b, a), expected, what)

    checks = [
        ("just requested, sync_state still 'scheduled': running",
         case(before, _details(ok, None), "running", "outcome")),
        ("syncing, nothing moved yet: running", case(before, _details(ok, None, "syncing"), "running", "outcome")),
        ("succeeded_at moved forward: succeeded",
         case(before, _details(later, None), "succeeded", "outcome")),
        ("failed_at moved forward (first failure ever): failed",
         case(before, _details(ok, later), "failed", "outcome")),
        ("an old failure newer than the last success is not this sync's outcome: running",
         case(_details(ok, bad), _details(ok, bad), "running", "outcome")),
        ("both moved, the later wins, compared as times ('…31Z' is before '…31.250Z', not as text): failed",
         case(before, _details("2025-10-02T02:00:31Z", later), "failed", "outcome")),
        ("failed, then a later sync succeeded: succeeded",
         case(before, _details("2025-10-02T02:10:00.000Z", later), "succeeded", "outcome")),
    ]
    return grade("sync_outcome", fn, checks, show=show)


# -- exercise 2 ----------------------------------------------------------------------------------------------


class TooManyRequests(RuntimeError):
    """Raised by the graders' transport when an answer keeps polling past ``MAX_REQUESTS``."""


@contextmanager
def _fivetran(clock: Any, **connector: Any) -> Iterator[tuple[Any, Any]]:
    """A fresh fake (FakeClock) mounted at ``BASE_URL`` and a session authenticated for it."""
    import requests
    import responses

    from sim.fivetran import FivetranAPI
    from sim.http import mount

    key, secret = secrets.token_hex(4), secrets.token_urlsafe(16)
    api = FivetranAPI(api_key=key, api_secret=secret, clock=clock)
    api.add_connector(CONNECTOR, tables={"CLIENTS": "CLIENT_ID"}, **connector)
    limited = _Limited(api)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mount(rsps, BASE_URL, limited)
        session = requests.Session()
        session.auth = (key, secret)
        yield api, session


class _Limited:
    """The fake, but a request past ``MAX_REQUESTS`` raises: an endless poll loop ends with a message."""

    def __init__(self, api: Any) -> None:
        self.api = api

    def handle(self, request: Any) -> Any:
        if len(self.api.log) >= MAX_REQUESTS:
            raise TooManyRequests(f"more than {MAX_REQUESTS} requests: does the loop sleep, stop and time out?")
        return self.api.handle(request)


def grade_trigger_and_wait(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    from sim.clock import FakeClock

    def run(setup: Callable[[Any], None] = lambda api: None, *, timeout: float = 600, **connector: Any):
        clock = FakeClock()
        with _fivetran(clock, **connector) as (api, session):
            setup(api)
            try:
                result = fn(session, BASE_URL, CONNECTOR, clock=clock, poll_seconds=10, timeout_seconds=timeout)
            except NotImplementedError:
                raise
            except Exception as error:  # noqa: BLE001 - the checks below judge what was raised
                return api, clock, error
            return api, clock, result

    def succeeds(_: Any) -> None:
        api, clock, result = run(sync_seconds=45)
        if isinstance(result, BaseException):
            raise Mismatch(f"a sync that succeeds after 45 s raised {type(result).__name__}: {result}")
        expect(isinstance(result, dict) and result.get("succeeded_at"), "2025-10-02T02:00:45.000Z",
               "the returned connector's succeeded_at")
        expect([s.outcome for s in api.history], ["succeeded"], "syncs started")

    def polls_gently(_: Any) -> None:
        api, clock, result = run(sync_seconds=45)
        gets = sum(1 for e in api.log if e.method == "GET")
        if gets > 8:
            raise Mismatch(f"{gets} status requests for a 45 s sync polled every 10 s: sleep between polls "
                           "(clock.sleep(poll_seconds))")

    def failure_raises(_: Any) -> None:
        api, clock, result = run(lambda api: api.inject("sync_failure"), sync_seconds=30)
        if not isinstance(result, Exception) or isinstance(result, (TimeoutError, TooManyRequests)):
            raise Mismatch(f"a failed sync must raise (failed_at moved), got {result!r:.120}")

    def times_out(_: Any) -> None:
        api, clock, result = run(lambda api: api.inject("sync_hangs"), timeout=300)
        if isinstance(result, TooManyRequests):
            raise Mismatch(str(result))
        if not isinstance(result, TimeoutError):
            raise Mismatch(f"a sync that never finishes must end in TimeoutError, got {result!r:.120}")
        if not 300 <= clock.monotonic() <= 300 + 10 + 1e-6:
            raise Mismatch(f"gave up after {clock.monotonic():g} s on the clock, expected 300 s (+ one poll)")

    def honours_retry_after(_: Any) -> None:
        api, clock, result = run(lambda api: api.inject("rate_limit_storm", times=2, retry_after=60),
                                 sync_seconds=30)
        if isinstance(result, BaseException):
            raise Mismatch(f"two 429s with Retry-After: 60 should be waited out, got {type(result).__name__}: "
                           f"{result}")
        if 60 not in clock.sleeps:
            raise Mismatch(f"slept {clock.sleeps}: wait the Retry-After header's 60 s after a 429")

    checks = [
        ("a 45 s sync: returns the connector once succeeded_at moves", succeeds),
        ("polls every poll_seconds, not in a tight loop", polls_gently),
        ("a failed sync raises", failure_raises),
        ("a sync that never finishes: TimeoutError at timeout_seconds", times_out),
        ("429 with Retry-After: waits that long and carries on", honours_retry_after),
    ]
    return grade("trigger_and_wait", fn, checks, show=show)
