"""The source's change history: deterministic, the manifest matches the tables, the partner's updated_since feed
(boundaries included), and off unless asked for."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
import requests

import sim
from sim import history as changes

URL = "https://api.partner.com/v1/appointments"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("history"), history=True, requests_per_second=1000)
    yield world
    world.stop()


@pytest.fixture(autouse=True)
def settled(world):
    """Every test starts from the settled source."""
    world.history.as_of(world.history.settled)
    yield


def feed(world, **params) -> list[dict]:
    """Walk the change feed with cursor paging."""
    auth = {"Authorization": f"Bearer {world.partner.token}"}
    params = {"mode": "cursor", "per_page": "100", **params}
    out = []
    while True:
        body = requests.get(URL, params=params, headers=auth, timeout=5).json()
        out += body["appointments"]
        if not body["next_cursor"]:
            return out
        params = {"cursor": body["next_cursor"]}


def table_hash(world, table: str) -> str:
    rows = world.warehouse.duckdb().execute(f"SELECT * FROM BACKEND.PUBLIC.{table} ORDER BY ALL").fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# -- the manifest --------------------------------------------------------------------------------------------


def test_every_kind_happens_and_changes_come_after_the_fact(world):
    h = world.history
    assert {c.kind for c in h.changes} == set(changes.KINDS)
    assert [c.change_id for c in h.changes] == list(range(1, len(h.changes) + 1))
    assert [c.changed_at for c in h.changes] == sorted(c.changed_at for c in h.changes)
    ended = dict(world.warehouse.duckdb().execute(
        "SELECT APPOINTMENT_ID, UPDATED_AT FROM BACKEND.HISTORY.APPOINTMENTS_ORIGINAL").fetchall())
    for c in h.changes:
        if c.entity == "appointment":
            lag = dt.datetime.fromisoformat(c.changed_at) - ended[c.key]
            assert dt.timedelta(days=1) <= lag < dt.timedelta(days=7), c
    assert h.now == h.settled > h.last_change


def test_the_manifest_matches_the_settled_tables(world):
    duck = world.warehouse.duckdb()
    appts = {r[0]: r[1:] for r in duck.execute(
        "SELECT APPOINTMENT_ID, STATUS, IS_NO_SHOW, UPDATED_AT FROM BACKEND.PUBLIC.APPOINTMENTS").fetchall()}
    pays = {r[0]: r[1:] for r in duck.execute(
        "SELECT PAYMENT_ID, PAYMENT_AMOUNT, PAYMENT_DATE, UPDATED_AT FROM BACKEND.PUBLIC.PAYMENTS").fetchall()}
    clients = {r[0]: r[1:] for r in duck.execute(
        "SELECT CLIENT_ID, CLIENT_NAME, STATE, UPDATED_AT FROM BACKEND.PUBLIC.CLIENTS").fetchall()}
    for c in world.history.changes:
        at = dt.datetime.fromisoformat(c.changed_at)
        if c.op == "delete":
            assert c.key not in {"appointment": appts, "payment": pays, "client": clients}[c.entity], c
        elif c.entity == "appointment":
            assert appts[c.key] == (c.after["STATUS"], c.after["IS_NO_SHOW"], at)
        elif c.op == "insert":  # a refund: the negative of the original payment, dated the day it was made
            original = pays["pay_" + c.key[4:]]
            assert pays[c.key] == (-original[0], at.date(), at)
            assert c.after["PAYMENT_AMOUNT"] == f"{-original[0]:.2f}"
        elif c.entity == "payment":
            assert pays[c.key][0] == Decimal(c.after["PAYMENT_AMOUNT"]) != Decimal(c.before["PAYMENT_AMOUNT"])
            assert pays[c.key][2] == at
        else:
            (column, value), = c.after.items()
            assert clients[c.key][{"CLIENT_NAME": 0, "STATE": 1}[column]] == value
    changed = {str(c.key) for c in world.history.changes}
    assert sum(1 for k in appts if str(k) not in changed) > 1000  # the rest is untouched
    moved_and_renamed = {c.key for c in world.history.of_kind("client_move")} & {
        c.key for c in world.history.of_kind("client_rename")}
    for key in moved_and_renamed:  # two changes: UPDATED_AT is the later one
        last = max(c.changed_at for c in world.history.changes if c.key == key)
        assert clients[key][2] == dt.datetime.fromisoformat(last)


def test_the_changes_table_holds_the_manifest(world):
    rows = world.warehouse.query(
        "SELECT CHANGE_ID, KIND, ENTITY_KEY, OP, COLUMN_NAME, AFTER_VALUE FROM BACKEND.HISTORY.CHANGES "
        "ORDER BY CHANGE_ID, COLUMN_NAME")
    expected = []
    for c in world.history.changes:
        if c.op == "update":
            expected += [(c.change_id, c.kind, str(c.key), c.op, col, str(c.after[col])) for col in sorted(c.after)]
        else:
            expected.append((c.change_id, c.kind, str(c.key), c.op, None, rows[len(expected)][5]))
    assert rows == expected


def test_same_seed_same_history_other_seed_other_history(world):
    first = world.history.to_json()
    world.generate(history=True)
    assert world.history.to_json() == first
    world.generate(seed=8, history=True)
    assert world.history.to_json() != first
    world.generate(history=True)


# -- as_of: the source at any time -------------------------------------------------------------------------


def test_as_of_hides_what_was_not_yet_written_and_goes_both_ways(world):
    h = world.history
    settled = {t: table_hash(world, t) for t in ("APPOINTMENTS", "PAYMENTS", "CLIENTS")}
    h.as_of("2025-09-10")  # a date: the end of that day
    assert h.now == "2025-09-10 23:59:59"
    latest = world.warehouse.query("SELECT MAX(UPDATED_AT), MAX(APPOINTMENT_DATE) FROM BACKEND.PUBLIC.APPOINTMENTS")
    assert latest[0][0] <= dt.datetime(2025, 9, 10, 23, 59, 59) and latest[0][1] == dt.date(2025, 9, 10)
    made = h.between("2025-01-01", h.now)
    statuses = dict(world.warehouse.query("SELECT APPOINTMENT_ID, STATUS FROM BACKEND.PUBLIC.APPOINTMENTS"))
    for c in made:
        if c.entity == "appointment" and c.op == "update":
            assert statuses[c.key] == c.after["STATUS"]
    later = [c for c in h.changes if c.changed_at > h.now and c.entity == "appointment" and c.op == "update"]
    assert later and all(statuses.get(c.key, c.before["STATUS"]) == c.before["STATUS"] for c in later)
    h.as_of(h.settled)
    assert {t: table_hash(world, t) for t in settled} == settled


def test_a_change_is_visible_from_its_second_on(world):
    change = world.history.of_kind("no_show_after_all")[0]
    at = dt.datetime.fromisoformat(change.changed_at)
    query = "SELECT STATUS FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_ID = %s"
    world.history.as_of(at - dt.timedelta(seconds=1))
    assert world.warehouse.query(query, (change.key,)) == [("completed",)]
    world.history.as_of(at)
    assert world.warehouse.query(query, (change.key,)) == [("no_show",)]


def test_the_partner_date_range_serves_the_source_as_of_now(world):
    change = world.history.of_kind("late_cancellation")[0]
    day = world.warehouse.query("SELECT APPOINTMENT_DATE FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_ID = %s",
                                (change.key,))[0][0]
    auth = {"Authorization": f"Bearer {world.partner.token}"}
    params = {"start_date": day.isoformat(), "end_date": day.isoformat()}

    def status() -> str:
        records = requests.get(URL, params=params, headers=auth, timeout=5).json()["appointments"]
        return next(r["status"] for r in records if r["appointment_id"] == change.key)

    assert status() == "cancelled"
    world.history.as_of(dt.datetime.fromisoformat(change.changed_at) - dt.timedelta(minutes=1))
    assert status() == "completed"  # the cached pages were dropped when the source moved


# -- the partner's updated_since feed ------------------------------------------------------------------------


def test_updated_since_is_inclusive_ordered_and_carries_tombstones(world):
    h = world.history
    deleted = h.of_kind("appointment_delete")[0]
    records = feed(world, updated_since=deleted.changed_at.replace(" ", "T"))
    assert records[0] == {"appointment_id": deleted.key, "deleted": True,
                          "updated_at": deleted.changed_at.replace(" ", "T")}
    assert [(r["updated_at"], r["appointment_id"]) for r in records] == sorted(
        (r["updated_at"], r["appointment_id"]) for r in records)
    one_second_later = (dt.datetime.fromisoformat(deleted.changed_at) + dt.timedelta(seconds=1)).isoformat()
    assert deleted.key not in {r["appointment_id"] for r in feed(world, updated_since=one_second_later)}


def test_updated_since_gives_exactly_the_changed_and_new_records(world):
    h = world.history
    since = dt.datetime(2025, 9, 20, 2, 0)
    h.as_of("2025-09-25 02:00:00")
    got = {r["appointment_id"]: r for r in feed(world, updated_since=since.isoformat())}
    changed = {c.key for c in h.between(since - dt.timedelta(seconds=1), h.now) if c.entity == "appointment"}
    written = {k for (k,) in world.warehouse.query(
        "SELECT APPOINTMENT_ID FROM BACKEND.HISTORY.APPOINTMENTS_ORIGINAL WHERE UPDATED_AT >= %s "
        "AND UPDATED_AT <= %s", (since, dt.datetime(2025, 9, 25, 2, 0)))}
    deleted_before = {c.key for c in h.changes if c.op == "delete" and c.changed_at < since.isoformat(sep=" ")}
    assert set(got) == (changed | written) - deleted_before
    assert all(r["updated_at"] <= "2025-09-25T02:00:00" for r in got.values())


def test_a_watermark_walk_misses_nothing(world):
    """Pull twice a day from the last high-water mark, merge by key: the result equals the settled source."""
    h = world.history
    mirror: dict[int, dict] = {}
    mark = "2025-08-31T00:00:00"
    when = dt.datetime(2025, 9, 1, 6)
    while True:
        h.as_of(when)
        for r in feed(world, updated_since=mark):
            if r["deleted"]:
                mirror.pop(r["appointment_id"], None)
            else:
                mirror[r["appointment_id"]] = r
            mark = max(mark, r["updated_at"])
        if h.now >= h.settled:
            break
        when += dt.timedelta(hours=12)
    truth = dict(world.warehouse.query("SELECT APPOINTMENT_ID, STATUS FROM BACKEND.PUBLIC.APPOINTMENTS"))
    assert {k: r["status"] for k, r in mirror.items()} == truth


@pytest.mark.parametrize("params, message", [
    ({"updated_since": "2025-09-20"}, "not a timestamp"),
    ({"updated_since": "2025-09-31T00:00:00"}, "not a valid timestamp"),
    ({"updated_since": "2025-09-20T00:00:00", "start_date": "2025-09-20"}, "either start_date/end_date"),
])
def test_bad_updated_since_is_a_400_that_says_why(world, params, message):
    auth = {"Authorization": f"Bearer {world.partner.token}"}
    answer = requests.get(URL, params=params, headers=auth, timeout=5)
    assert answer.status_code == 400 and message in answer.json()["message"]


def test_bad_knobs_name_what_is_wrong(world):
    with pytest.raises(ValueError, match="unknown change kind"):
        changes.validate_rates({"client_moves": 0.1})
    with pytest.raises(ValueError, match="rate of client_move"):
        changes.validate_rates({"client_move": 2})
    with pytest.raises(ValueError, match="when must be"):
        world.history.as_of("yesterday")
    world.generate(history={"client_move": 0, "client_delete": 0})
    assert {c.kind for c in world.history.changes} == set(changes.KINDS) - {"client_move", "client_delete"}
    world.generate(history=True)
