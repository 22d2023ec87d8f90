"""Hidden checks of land_day: the partner's records of a few days of a sim world landed in moto's S3, landed
again with fewer records, with none, and with the process dying between two writes (on a first landing and on a
rerun over a complete day). Every S3 call goes through a spy that records the writes and can play the crash."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sim
from interview.checking_data import Board, Candidate

CHECKS = ("records land as JSON lines", "marker written last", "rerun replaces the day", "empty day gets its marker",
          "crash leaves no marker", "other days untouched", "time budget")
BUDGET = 8.0
PREFIX = "landing/appointments"
PER_PART = 20
WRITES = {"put_object", "upload_fileobj", "upload_file", "copy_object"}
DELETES = {"delete_object", "delete_objects"}


class ProcessDied(ConnectionError):
    """What the spy raises instead of a write: the worker was killed between two calls to S3."""


class SpyS3:
    """A boto3 client that records each write (method, keys) and, when told, dies before the n-th part write."""

    def __init__(self, client: Any, marker: str, die_at_part: int | None = None) -> None:
        self._client, self._marker, self._die_at = client, marker, die_at_part
        self.writes: list[tuple[str, list[str]]] = []
        self._parts = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in WRITES | DELETES:
            return method

        def spied(*args: Any, **kwargs: Any) -> Any:
            keys = _keys(name, args, kwargs)
            if name in WRITES and self._marker not in keys:
                self._parts += 1
                if self._die_at is not None and self._parts >= self._die_at:
                    raise ProcessDied("the worker process was killed here (injected by the grader)")
            self.writes.append((name, keys))
            return method(*args, **kwargs)

        return spied


def _keys(name: str, args: tuple, kwargs: dict) -> list[str]:
    if name == "delete_objects":
        return [o["Key"] for o in kwargs.get("Delete", {}).get("Objects", [])]
    if name in ("upload_fileobj", "upload_file"):
        return [kwargs.get("Key", args[2] if len(args) > 2 else "")]
    return [kwargs.get("Key", "")]


def folder(day: date) -> str:
    return f"{PREFIX}/dt={day.isoformat()}/"


def contents(world: Any, prefix: str) -> dict[str, bytes]:
    return {key: world.s3.read(key) for key in world.s3.keys(prefix)}


def landed(world: Any, day: date) -> tuple[list[Any] | str, dict | None | str, list[str]]:
    """(records read back from the parts in key order, or what is wrong; the marker's body; the part keys)."""
    objects = contents(world, folder(day))
    marker_key = folder(day) + "ready.json"
    marker = objects.pop(marker_key, None)
    parts = sorted(objects)
    try:
        body = json.loads(marker) if marker is not None else None
    except ValueError:
        body = f"unreadable marker {marker[:60]!r}"
    odd = [k for k in parts if not (k.rsplit("/", 1)[-1].startswith("part-") and k.endswith(".jsonl"))]
    if odd:
        return f"unexpected objects {odd[:2]}", body, parts
    records: list[Any] = []
    for key in parts:
        try:
            lines = objects[key].decode("utf-8").splitlines()
            records += [json.loads(line) for line in lines if line.strip()]
        except ValueError:  # UnicodeDecodeError too
            return f"{key} is not JSON lines (one UTF-8 JSON object per line)", body, parts
        if len(lines) > PER_PART:
            return f"{key} holds {len(lines)} lines, more than records_per_part={PER_PART}", body, parts
    return records, body, parts


def expect_day(board: Board, name: str, world: Any, day: date, records: list[dict], scenario: str) -> None:
    got, marker, parts = landed(world, day)
    if isinstance(got, str):
        board.expect(name, False, f"{scenario}: {got}")
        return
    lost = len([r for r in records if r not in got])
    extra = len(got) - len(records)
    board.expect(name, got == records,
                 f"{scenario}: the day's parts hold {len(got)} records for {len(records)} given ({lost} missing, "
                 f"{max(extra, 0)} too many: a part left over from an earlier landing, or written twice?)"
                 if got != records and (lost or extra) else f"{scenario}: the records are not in the order given")
    board.expect(name, marker == {"day": day.isoformat(), "records": len(records)},
                 f"{scenario}: the marker should read {{'day': '{day}', 'records': {len(records)}}}, found {marker}")


def check(solution: Path) -> list:
    board = Board(CHECKS)
    candidate = Candidate(solution, "land_day", BUDGET)
    if not candidate.ready(board):
        return board.checks()
    with sim.running(seed=41, appointments=1200, days=20) as world:
        days = [date(2025, 9, 1) + timedelta(days=n) for n in range(20)]
        records = {d: world.partner.records(d, d) for d in days}
        bucket = world.s3.bucket
        first, empty, crashed, neighbour = days[4], days[7], days[11], days[3]
        world.s3.put(folder(neighbour) + "part-00000.jsonl", "".join(json.dumps(r) + "\n" for r in records[neighbour]))
        world.s3.put(folder(neighbour) + "ready.json", json.dumps({"day": str(neighbour), "records": 1}))
        world.s3.put(f"{PREFIX}_corrections/dt={first}/part-00000.jsonl", '{"appointment_id": 1}\n')
        world.s3.put(f"{PREFIX}/_schema.json", '{"version": 3}')
        kept = {**contents(world, f"{PREFIX}_corrections/"), **contents(world, folder(neighbour)),
                f"{PREFIX}/_schema.json": world.s3.read(f"{PREFIX}/_schema.json")}

        def land(day: date, rows: list[dict], label: str, die_at: int | None = None) -> tuple[Any, SpyS3]:
            spy = SpyS3(world.s3.client, folder(day) + "ready.json", die_at)
            outcome = candidate.call(spy, bucket, day, [dict(r) for r in rows], prefix=PREFIX,
                                     records_per_part=PER_PART, label=label)
            return outcome, spy

        scenario = f"landing {first} ({len(records[first])} records, {PER_PART} per part)"
        outcome, spy = land(first, records[first], scenario)
        if board.ran(["records land as JSON lines", "marker written last"], outcome, scenario):
            expect_day(board, "records land as JSON lines", world, first, records[first], scenario)
            parts = landed(world, first)[2]
            returned = outcome.value
            board.expect("records land as JSON lines", isinstance(returned, (list, tuple)) and list(returned) == parts,
                         f"{scenario}: returned {outcome.value!r}, expected the part keys written {parts}")
            marker = folder(first) + "ready.json"
            last = spy.writes[-1] if spy.writes else None
            board.expect("marker written last", last is not None and last[0] in WRITES and last[1] == [marker],
                         f"{scenario}: the last write was {last}; the marker must be written after every part "
                         "(and every clean-up), or a reader can see it before the day is complete")

        fewer = records[first][:30]
        scenario = f"landing {first} again with 30 records (a correction)"
        outcome, _ = land(first, fewer, scenario)
        if board.ran("rerun replaces the day", outcome, scenario):
            expect_day(board, "rerun replaces the day", world, first, fewer, scenario)

        scenario = f"landing {empty}, a day without records"
        outcome, _ = land(empty, [], scenario)
        if board.ran("empty day gets its marker", outcome, scenario):
            expect_day(board, "empty day gets its marker", world, empty, [], scenario)

        for day, label in ((crashed, f"the first landing of {crashed}"), (first, f"a rerun of {first}")):
            scenario = f"{label}, the process killed before the second part"
            land(day, records[day], scenario, die_at=2)
            marker = world.s3.keys(folder(day) + "ready.json")
            board.expect("crash leaves no marker", not marker,
                         f"{scenario}: a ready marker is there, so the loader would read an incomplete day"
                         + (" (the marker of the earlier landing: withdraw it before rewriting the parts)"
                            if day == first else ""))
            scenario = f"{label}, retried after the crash"
            outcome, _ = land(day, records[day], scenario)
            if board.ran("crash leaves no marker", outcome, scenario):
                expect_day(board, "crash leaves no marker", world, day, records[day], scenario)

        now = {key: world.s3.read(key) for key in kept if world.s3.keys(key)}
        changed = sorted(key for key in kept if now.get(key) != kept[key])
        board.expect("other days untouched", not changed,
                     f"objects outside the day's folder were deleted or changed: {changed[:3]}; list and delete "
                     "under the day's own folder only")
    candidate.judge_budget(board)
    return board.checks()
