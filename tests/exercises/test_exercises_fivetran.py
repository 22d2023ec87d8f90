"""The notebook 23 graders accept the reference answers and correct alternatives, and reject the plausible wrong
ones for the reason they are wrong (a status-only check, string-compared timestamps, no Retry-After, no timeout)."""

from __future__ import annotations

import datetime as dt

import pendulum
import pytest

from exercises import fivetran as ex
from exercises.grading import failed_exactly


def not_attempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_sync_outcome, ex.grade_trigger_and_wait])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- sync_outcome --------------------------------------------------------------------------------------------


def outcome_with_pendulum(before, after):
    """Correct: pendulum parses Fivetran's timestamps (the provider does the same)."""
    def t(value):
        return pendulum.parse(value) if value else pendulum.from_timestamp(0)
    moved = {"succeeded": t(after["succeeded_at"]) > t(before["succeeded_at"]),
             "failed": t(after["failed_at"]) > t(before["failed_at"])}
    if all(moved.values()):
        return "succeeded" if t(after["succeeded_at"]) > t(after["failed_at"]) else "failed"
    return next((name for name, did in moved.items() if did), "running")


def outcome_latest_event(before, after):
    """Correct: the newest event after the request decides."""
    def t(value):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    since = max(x for x in (t(before["succeeded_at"]), t(before["failed_at"]),
                            dt.datetime.min.replace(tzinfo=dt.timezone.utc)) if x is not None)
    events = [(t(after[k]), k) for k in ("succeeded_at", "failed_at") if t(after[k]) and t(after[k]) > since]
    if not events:
        return "running"
    return "succeeded" if max(events)[1] == "succeeded_at" else "failed"


def outcome_from_state(before, after):
    """Wrong: sync_state says nothing about how the sync ended (and is 'scheduled' before it starts)."""
    return "running" if after["status"]["sync_state"] == "syncing" else "succeeded"


def outcome_ignores_before(before, after):
    """Wrong: the newest of the two timestamps, whenever it happened."""
    def t(value):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else dt.datetime.min.replace(
            tzinfo=dt.timezone.utc)
    if after["status"]["sync_state"] == "syncing":
        return "running"
    return "failed" if t(after["failed_at"]) > t(after["succeeded_at"]) else "succeeded"


def outcome_as_strings(before, after):
    """Wrong: compares ISO strings, which breaks as soon as one timestamp has no milliseconds."""
    s_moved = (after["succeeded_at"] or "") > (before["succeeded_at"] or "")
    f_moved = (after["failed_at"] or "") > (before["failed_at"] or "")
    if s_moved and f_moved:
        return "succeeded" if after["succeeded_at"] > after["failed_at"] else "failed"
    return "succeeded" if s_moved else "failed" if f_moved else "running"


@pytest.mark.parametrize("fn", [ex.sync_outcome, outcome_with_pendulum, outcome_latest_event])
def test_sync_outcome_accepts_correct_answers(fn):
    g = ex.grade_sync_outcome(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (outcome_from_state, ["just requested", "failed_at moved", "an old failure", "both moved"]),
    (outcome_ignores_before, ["just requested", "an old failure"]),
    (outcome_as_strings, ["both moved"]),
])
def test_sync_outcome_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_sync_outcome(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- trigger_and_wait ----------------------------------------------------------------------------------------


def wait_with_force_and_elapsed(session, base_url, connector_id, *, clock, poll_seconds=15, timeout_seconds=3600):
    """Correct: the legacy /force endpoint, sleep first, elapsed time measured from the start."""
    def call(method, path):
        for _ in range(100):
            answer = session.request(method, base_url + path, timeout=30)
            if answer.status_code == 429:
                clock.sleep(int(answer.headers["Retry-After"]))
                continue
            answer.raise_for_status()
            return answer.json()["data"] if method == "GET" else answer.json()
        raise RuntimeError("still rate limited")

    start = clock.monotonic()
    before = call("GET", f"/connectors/{connector_id}")
    call("POST", f"/connectors/{connector_id}/force")
    while clock.monotonic() - start < timeout_seconds:
        clock.sleep(poll_seconds)
        now = call("GET", f"/connectors/{connector_id}")
        outcome = ex.sync_outcome(before, now)
        if outcome == "failed":
            raise RuntimeError("sync failed")
        if outcome == "succeeded":
            return now
    raise TimeoutError(connector_id)


def wait_with_urllib3_retry(session, base_url, connector_id, *, clock, poll_seconds=15, timeout_seconds=3600):
    """Correct: 429 handled in one place, a polling budget counted in polls."""
    def get():
        answer = session.get(f"{base_url}/connectors/{connector_id}", timeout=30)
        while answer.status_code == 429:
            clock.sleep(float(answer.headers["Retry-After"]))
            answer = session.get(f"{base_url}/connectors/{connector_id}", timeout=30)
        answer.raise_for_status()
        return answer.json()["data"]

    before = get()
    started = session.post(f"{base_url}/connectors/{connector_id}/sync", json={"force": False}, timeout=30)
    started.raise_for_status()
    for _ in range(int(timeout_seconds // poll_seconds) + 1):
        now = get()
        outcome = ex.sync_outcome(before, now)
        if outcome != "running":
            if outcome == "failed":
                raise ValueError(f"failed at {now['failed_at']}")
            return now
        clock.sleep(poll_seconds)
    raise TimeoutError


def wait_ignoring_retry_after(session, base_url, connector_id, *, clock, poll_seconds=15, timeout_seconds=3600):
    """Wrong: raise_for_status on a 429."""
    before = session.get(f"{base_url}/connectors/{connector_id}", timeout=30)
    before.raise_for_status()
    before = before.json()["data"]
    session.post(f"{base_url}/connectors/{connector_id}/sync", timeout=30).raise_for_status()
    deadline = clock.monotonic() + timeout_seconds
    while clock.monotonic() < deadline:
        now = session.get(f"{base_url}/connectors/{connector_id}", timeout=30)
        now.raise_for_status()
        outcome = ex.sync_outcome(before, now.json()["data"])
        if outcome == "failed":
            raise RuntimeError("failed")
        if outcome == "succeeded":
            return now.json()["data"]
        clock.sleep(poll_seconds)
    raise TimeoutError


def wait_for_scheduled_state(session, base_url, connector_id, *, clock, poll_seconds=15, timeout_seconds=3600):
    """Wrong: 'back to scheduled' is how a failed sync ends too."""
    def get():
        while (answer := session.get(f"{base_url}/connectors/{connector_id}", timeout=30)).status_code == 429:
            clock.sleep(float(answer.headers["Retry-After"]))
        return answer.json()["data"]

    session.post(f"{base_url}/connectors/{connector_id}/sync", timeout=30)
    deadline = clock.monotonic() + timeout_seconds
    while clock.monotonic() < deadline:
        now = get()
        if now["status"]["sync_state"] == "scheduled":
            return now
        clock.sleep(poll_seconds)
    raise TimeoutError


def wait_without_timeout(session, base_url, connector_id, *, clock, poll_seconds=15, timeout_seconds=3600):
    """Wrong: waits for ever on a sync that never finishes."""
    def get():
        while (answer := session.get(f"{base_url}/connectors/{connector_id}", timeout=30)).status_code == 429:
            clock.sleep(float(answer.headers["Retry-After"]))
        return answer.json()["data"]

    before = get()
    session.post(f"{base_url}/connectors/{connector_id}/sync", timeout=30)
    while True:
        now = get()
        outcome = ex.sync_outcome(before, now)
        if outcome == "failed":
            raise RuntimeError("failed")
        if outcome == "succeeded":
            return now
        clock.sleep(poll_seconds)


def wait_in_a_tight_loop(session, base_url, connector_id, *, clock, poll_seconds=15, timeout_seconds=3600):
    """Wrong: never sleeps, so on the sim's clock (as on Fivetran's rate limit) time never passes for it."""
    before = session.get(f"{base_url}/connectors/{connector_id}", timeout=30).json()["data"]
    session.post(f"{base_url}/connectors/{connector_id}/sync", timeout=30)
    while True:
        now = session.get(f"{base_url}/connectors/{connector_id}", timeout=30).json()["data"]
        if ex.sync_outcome(before, now) == "succeeded":
            return now


@pytest.mark.parametrize("fn", [ex.trigger_and_wait, wait_with_force_and_elapsed, wait_with_urllib3_retry])
def test_trigger_and_wait_accepts_correct_answers(fn):
    g = ex.grade_trigger_and_wait(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (wait_ignoring_retry_after, ["429 with Retry-After"]),
    (wait_for_scheduled_state, ["a failed sync raises"]),
    (wait_without_timeout, ["a sync that never finishes"]),
    (wait_in_a_tight_loop, ["a 45 s sync", "polls every", "a failed sync", "a sync that never", "429 with"]),
])
def test_trigger_and_wait_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_trigger_and_wait(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_an_endless_loop_is_cut_off_with_a_message():
    g = ex.grade_trigger_and_wait(wait_without_timeout, show=False)
    assert any("more than 400 requests" in line for line in g.lines), g.lines
