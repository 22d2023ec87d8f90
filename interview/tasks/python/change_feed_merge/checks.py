"""Hidden checks of ``change_feed_merge``: the candidate syncs a replica from the simulated partner's change feed
(a source with a seeded change history: late no-shows, cancellations, deletes) in two syncs while the source
moves on, then reruns and replays; one change committed late carries the first sync's newest timestamp."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

from interview.checking_api import NOT_ATTEMPTED, Candidate, Outcome, not_run, sim_world, time_budget_check
from interview.tasks import Check

NAMES = ["no lost changes", "applies deletes", "high-water mark", "idempotent rerun", "empty feed",
         "time budget"]
START = "2025-09-01T00:00:00"
FUTURE = "2026-01-01T00:00:00"
FIRST_SYNC_FROM = "2025-09-12T00:00:00"  # the first sync sees the source as of the first tied instant after this
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def check(solution: Path) -> list[Check]:
    candidate = Candidate(solution)
    why = candidate.missing("sync_changes")
    if why:
        return not_run(NAMES, why)
    calls: dict[str, Outcome] = {}
    with sim_world(appointments=1500, history=True, requests_per_second=1000) as world:
        partner, history = world.partner, world.history
        feed = partner.feed
        url, token = partner.BASE_URL, partner.token

        def sync(name: str, replica: dict, since: str) -> Outcome:
            calls[name] = candidate.call("sync_changes", url, token, replica, since)
            return calls[name]

        settled = _live(feed)
        first_at, late_id = _late_write(settled)
        history.as_of(first_at.replace("T", " "))
        partner.feed = lambda since: [r for r in feed(since) if r["appointment_id"] != late_id]
        shown = [r for r in feed(dt.datetime.fromisoformat(START)) if r["appointment_id"] != late_id]
        replica: dict = {}
        first = sync("the first sync", replica, START)
        if first.not_attempted:
            return not_run(NAMES, NOT_ATTEMPTED)
        partner.feed = feed
        history.as_of(history.settled)
        truth = _live(feed)
        newest = max(r["updated_at"] for r in feed(dt.datetime.fromisoformat(START)))
        second = sync("the second sync", replica, first.value) if first.ok and isinstance(first.value, str) \
            else None
        after_second = copy.deepcopy(replica)
        rerun = replay = None
        if second is not None and second.ok and isinstance(second.value, str):
            rerun = sync("a rerun", replica, second.value)
            replay = sync("a replay from the first mark", replica, first.value)
        empty_replica = copy.deepcopy(truth)
        empty = sync("an empty feed", empty_replica, FUTURE)
    broken = _broken(first, second)
    if broken:
        return [Check(name, False, broken) for name in NAMES[:4]] + [
            _empty(empty, empty_replica, truth, after_second), time_budget_check(calls, candidate.budget)]
    return [
        _lost(after_second, truth),
        _deletes(after_second, truth),
        _mark(first, second, shown, newest),
        _rerun(rerun, replay, replica, after_second),
        _empty(empty, empty_replica, truth, after_second),
        time_budget_check(calls, candidate.budget),
    ]


def _live(feed) -> dict:
    """The source's live appointments now, by id (the feed from the beginning, tombstones left out)."""
    return {r["appointment_id"]: r for r in feed(dt.datetime.fromisoformat(START)) if not r.get("deleted")}


def _late_write(settled: dict) -> tuple[str, int]:
    """An instant after FIRST_SYNC_FROM stamped on two or more live records that never change again: the first
    sync sees the source as of that instant minus one of them (committed late), which a later sync must fetch."""
    by_stamp: dict[str, list[int]] = {}
    for key, record in settled.items():
        by_stamp.setdefault(record["updated_at"], []).append(key)
    stamp = min(s for s, keys in by_stamp.items() if s >= FIRST_SYNC_FROM and len(keys) >= 2)
    return stamp, max(by_stamp[stamp])


def _broken(first: Outcome, second: Outcome | None) -> str | None:
    """Why the checks that need both syncs cannot judge them (one did not run cleanly), or None."""
    for name, outcome in (("the first sync", first), ("the second sync", second)):
        if outcome is None:
            return (f"{name} did not run: the first sync returned {first.value!r} as the high-water mark; "
                    "return the next since as a string")
        if not outcome.ok:
            return f"{name}: {outcome.why}"
    return None


def _lost(replica: dict, truth: dict) -> Check:
    missing = [k for k in truth if k not in replica]
    stale = [k for k in truth if k in replica and isinstance(replica[k], dict)
             and (replica[k].get("updated_at"), replica[k].get("status"))
             != (truth[k]["updated_at"], truth[k]["status"])]
    if missing or stale:
        return Check("no lost changes", False, (
            f"after two syncs the replica lacks {len(missing)} live appointments and holds {len(stale)} in an "
            "older version than the source's. Did a sync skip a change stamped with the previous high-water "
            "mark (the feed is inclusive for a reason: writes become visible late), or a later page?"))
    return Check("no lost changes", True)


def _deletes(replica: dict, truth: dict) -> Check:
    ghosts = [k for k in replica if k not in truth]
    tombstones = [k for k, v in replica.items() if isinstance(v, dict) and v.get("deleted")]
    if ghosts or tombstones:
        return Check("applies deletes", False, (
            f"after two syncs the replica holds {len(ghosts)} appointments the source has deleted "
            f"({len(tombstones)} of them stored as tombstone records). A tombstone removes its key; and a key "
            "the replica never held must not crash the delete."))
    return Check("applies deletes", True)


def _mark(first: Outcome, second: Outcome, shown: list[dict], newest: str) -> Check:
    seen_first = max(r["updated_at"] for r in shown)
    for name, outcome, since, ceiling in (("the first sync", first, START, seen_first),
                                          ("the second sync", second, first.value, newest)):
        mark = outcome.value
        if not isinstance(mark, str) or not STAMP.fullmatch(mark):
            return Check("high-water mark", False, (
                f"{name} returned {mark!r}; expected a timestamp 'YYYY-MM-DDTHH:MM:SS' in the source's clock"))
        if mark > ceiling:
            return Check("high-water mark", False, (
                f"{name} returned {mark}, later than the newest change it was shown ({ceiling}). A mark from "
                "your own clock (or any time past what you have seen) skips changes written in between."))
        if mark < since or (mark == since and ceiling > since):
            return Check("high-water mark", False, (
                f"{name} returned {mark} from since={since} after being shown changes up to {ceiling}: the mark "
                "does not move forward, so every sync re-reads everything"))
    return Check("high-water mark", True)


def _rerun(rerun: Outcome | None, replay: Outcome | None, replica: dict, before: dict) -> Check:
    for name, outcome in (("a rerun with the returned mark", rerun), ("a replay from the first mark", replay)):
        if outcome is None or not outcome.ok:
            return Check("idempotent rerun", False, f"{name}: {outcome.why if outcome else 'did not run'}")
    if replica != before:
        changed = sorted(set(replica) ^ set(before)) + sorted(k for k in set(replica) & set(before)
                                                               if replica[k] != before[k])
        return Check("idempotent rerun", False, (
            f"nothing changed at the source, yet a rerun and a replay changed {len(changed)} appointments of the "
            "replica. Applying the same changes twice must give the same replica (merge by key, newest wins)."))
    return Check("idempotent rerun", True)


def _empty(outcome: Outcome, replica: dict, truth: dict, synced: dict) -> Check:
    if not synced:
        return Check("empty feed", False, "cannot be judged: your syncs never put anything in the replica")
    if not outcome.ok:
        return Check("empty feed", False, f"a sync with nothing new (since={FUTURE}): {outcome.why}")
    if replica != truth:
        return Check("empty feed", False, (
            f"a sync with nothing new (since={FUTURE}) changed the replica; a feed with no changes must leave "
            "it untouched"))
    return Check("empty feed", True)
