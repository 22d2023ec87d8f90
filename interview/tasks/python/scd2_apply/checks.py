"""Hidden checks of apply_snapshot: nightly snapshots of the sim's clients while the backend moves, renames and
deletes them (``sim.history``), plus a client that appears late and one that comes back after a delete. After
each night the candidate's history is compared with what the sequence of snapshots implies, key by key."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import sim
from interview.checking_data import Board, Candidate

CHECKS = ("first snapshot opens every key", "changed rows get a new version", "old version closed at the change",
          "unchanged rows untouched", "deleted keys closed", "returning key reopened", "rerun is idempotent",
          "late snapshot refused", "input left as it was", "time budget")
BUDGET = 3.0
NIGHTS = [date(2025, 9, d) for d in (2, 4, 6, 8, 10, 13, 16, 21)]
RATES = {"client_move": 0.15, "client_rename": 0.1, "client_delete": 0.06}
NEWCOMER = {"client_id": 100901, "client_name": "Client 901", "state": "WA"}  # appears from the third night
FIELDS = ("client_id", "client_name", "state", "valid_from", "valid_to")
KEY_CHECKS = CHECKS[:6]


def snapshots() -> list[tuple[date, dict[int, dict]]]:
    """Each night's clients, from a world whose backend changes them; the newcomer and a client deleted on the 5th
    who is restored on the 13th are planted on top."""
    with sim.running(seed=29, appointments=300, days=14, history=RATES) as world:
        nights = []
        for night in NIGHTS:
            world.history.as_of(night)
            rows = world.warehouse.query("SELECT CLIENT_ID, CLIENT_NAME, STATE FROM BACKEND.PUBLIC.CLIENTS")
            nights.append((night, {int(i): {"client_id": int(i), "client_name": n, "state": s} for i, n, s in rows}))
        deleted = sorted(int(c.key) for c in world.history.of_kind("client_delete"))
    first = nights[0][1]
    back = next(i for i in deleted if i in first and i not in nights[3][1] and i not in nights[5][1])
    for n, (_, clients) in enumerate(nights):
        if n >= 2:
            clients[NEWCOMER["client_id"]] = dict(NEWCOMER)
        if n >= 5:
            clients[back] = dict(first[back])
    return nights


def normalise(rows: Any) -> list[tuple]:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise TypeError(f"returned {type(rows).__name__}, expected a list of dicts")
    missing = {f for r in rows for f in FIELDS if f not in r}
    if missing:
        raise TypeError(f"rows lack the fields {sorted(missing)}")
    return sorted((tuple(r[f] for f in FIELDS) for r in rows), key=repr)


def by_key(rows: list[tuple]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for row in rows:
        out.setdefault(row[0], []).append(row)
    return out


def show(rows: list[tuple]) -> str:
    return "; ".join(f"{r[1]}, {r[2]}, valid {r[3]} to {r[4]}" for r in rows) or "no rows"


def judge(board: Board, night: date, first: bool, before: dict[int, list[tuple]], after: dict[int, list[tuple]],
          previous: dict[int, dict], today: dict[int, dict], ever: set[int]) -> None:
    for ident in sorted(set(previous) | set(today)):
        had, has = before.get(ident, []), after.get(ident, [])
        now = today.get(ident)
        opened = [r for r in has if r[4] is None]
        was_open = [r for r in had if r[4] is None]
        want = (ident, now["client_name"], now["state"]) if now else None
        if now and ident not in ever:
            name = "first snapshot opens every key" if first else "changed rows get a new version"
            board.expect(name, has == [(*want, night, None)],
                         f"{night}: client {ident} appears for the first time; expected one version valid from "
                         f"{night} (open), got {show(has)}")
        elif now and ident not in previous:
            board.expect("returning key reopened",
                         opened == [(*want, night, None)] and len(has) == len(had) + 1,
                         f"{night}: client {ident} was deleted and is back; expected its closed versions kept and a "
                         f"new one from {night}, got {show(has)}")
        elif now and (previous[ident]["client_name"], previous[ident]["state"]) != want[1:]:
            board.expect("changed rows get a new version", opened == [(*want, night, None)],
                         f"{night}: client {ident} changed; expected one current version {want[1:]} from {night}, "
                         f"got {show(opened)}")
            ended = [r for r in has if was_open and r[3] == was_open[0][3] and r[1:3] == was_open[0][1:3]]
            board.expect("old version closed at the change", [r[4] for r in ended] == [night],
                         f"{night}: client {ident} changed; its old version should end on {night} (half-open: "
                         f"valid_to of the old = valid_from of the new), got {show(ended)}")
        elif now:
            board.expect("unchanged rows untouched", has == had,
                         f"{night}: client {ident} did not change, yet its rows went from {show(had)} to {show(has)}")
        else:
            ended = [r for r in has if was_open and r[3] == was_open[0][3] and r[1:3] == was_open[0][1:3]]
            board.expect("deleted keys closed", not opened and [r[4] for r in ended] == [night]
                         and len(has) == len(had),
                         f"{night}: client {ident} is gone from the snapshot; its current version should end on "
                         f"{night} and its history stay; got {show(has)}")


def check(solution: Path) -> list:
    board = Board(CHECKS)
    candidate = Candidate(solution, "apply_snapshot", BUDGET)
    if not candidate.ready(board):
        return board.checks()
    nights = snapshots()
    history: list[dict] = []
    previous: dict[int, dict] = {}
    ever: set[int] = set()
    for n, (night, clients) in enumerate(nights):
        given = copy.deepcopy(history)
        snapshot = [dict(r) for r in clients.values()]
        outcome = candidate.call(given, snapshot, night, label=f"the snapshot of {night}")
        if not board.ran(CHECKS[:7], outcome, f"the snapshot of {night}"):
            break
        board.expect("input left as it was", given == history,
                     f"{night}: the history passed in was modified; build new rows (dict(row)) instead of "
                     "changing the caller's, or a refused or failed apply leaves it half-changed")
        try:
            after = normalise(outcome.value)
        except TypeError as error:
            for name in KEY_CHECKS:
                board.expect(name, False, f"{night}: {error}")
            break
        judge(board, night, n == 0, by_key(normalise(history)), by_key(after), previous, clients, ever)
        again = candidate.call(copy.deepcopy(outcome.value), [dict(r) for r in clients.values()], night,
                               label=f"the snapshot of {night}, again")
        if board.ran("rerun is idempotent", again, f"the snapshot of {night} applied twice"):
            try:
                same = normalise(again.value) == after
            except TypeError as error:
                same, after = False, str(error)
            board.expect("rerun is idempotent", same,
                         f"{night}: applying the same snapshot a second time changed the history (a retry must be "
                         "a no-op): compare with the current version before opening a new one")
        history, previous = [dict(r) for r in outcome.value], clients
        ever |= set(clients)
    if len(history):
        late_night, late_clients = nights[2]
        given = copy.deepcopy(history)
        late = candidate.call(given, [dict(r) for r in late_clients.values()], late_night, label="a late snapshot")
        board.expect("late snapshot refused", late.raised(ValueError),
                     lambda: f"the snapshot of {late_night} arrived after {nights[-1][0]} was applied; it should "
                             "raise ValueError, it " + ("returned a history: versions out of order, intervals that "
                                                        "overlap" if late.ok else late.error))
        board.expect("input left as it was", given == history,
                     "a refused late snapshot still modified the history passed in")
    candidate.judge_budget(board)
    return board.checks()
