"""Defects in the partner's feed: bad data that arrives through a pipeline's input.

``sim.start(defects=...)`` damages the marts directly, which is what a quality check on the marts needs. A
pipeline needs the other kind: the source system stays the truth, the partner API serves a damaged copy of
one day, and the pipeline itself (extract -> land -> dbt) carries the damage into the marts, where dbt tests
and the Python checks can catch it.

    injected = world.damage_partner_feed("2025-09-30", null_client_id=0.1, orphan_client_id=2)
    injected["null_client_id"].ids      # the appointment ids served with client_id null
    world.heal_partner_feed()           # the API serves the truth again

Choices are seeded hashes of the appointment id, so the same world and day damage the same records.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from sim.data import STATUSES, Injected

#: defect name -> what its value means
FEED_DEFECTS: dict[str, str] = {
    "null_client_id": "fraction (0-1] of the day's records served with client_id null",
    "orphan_client_id": "count of records whose client_id is unknown to the backend's CLIENTS table",
    "duplicate_appointment_id": "count of records served twice (a client must de-duplicate them)",
    "unknown_status": "count of records whose status is 'rescheduled', a value outside the contract",
    "missing_records": "count of the day's records the feed silently leaves out (a partial day)",
}
UNKNOWN_STATUS = "rescheduled"
assert UNKNOWN_STATUS not in STATUSES  # noqa: S101 - a check on this module's own constants


@dataclass
class FeedDamage:
    """A ``records -> records`` transform for :attr:`sim.partner_api.PartnerSchedulingAPI.transform`."""

    day: str
    injected: dict[str, Injected]
    patches: dict[Any, dict[str, Any]] = field(default_factory=dict, repr=False)
    duplicated: frozenset = frozenset()
    missing: frozenset = frozenset()

    def __call__(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for row in rows:
            key = row.get("appointment_id")
            if key in self.missing:
                continue
            if key in self.patches:
                row = {**row, **self.patches[key]}  # a copy: the source's cached records stay untouched
            out.append(row)
            if key in self.duplicated:
                out.append(dict(row))
        return out


def validate(defects: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(defects) - set(FEED_DEFECTS))
    if unknown:
        known = "\n".join(f"  {k}: {v}" for k, v in FEED_DEFECTS.items())
        raise ValueError(f"unknown feed defect(s) {unknown}; known feed defects:\n{known}")
    for name, value in defects.items():
        if name == "null_client_id":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
                raise ValueError(f"null_client_id must be a fraction in (0, 1], got {value!r}")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive count, got {value!r}")
    return dict(defects)


def plan(records: list[dict[str, Any]], day: str, defects: dict[str, Any], *, seed: int,
         orphan_base: int) -> FeedDamage:
    """Choose which of ``day``'s ``records`` each defect touches (distinct records per defect).

    ``orphan_base``: the first client id to invent for orphans (above every real client id).
    """
    defects = validate(defects)
    ids = [r["appointment_id"] for r in records if r.get("appointment_date") == day]
    taken: set[Any] = set()

    def pick(name: str, k: int) -> list[Any]:
        order = sorted(ids, key=lambda i: (zlib.crc32(f"{seed}:{name}:{i}".encode()), i))
        chosen = [i for i in order if i not in taken][:k]
        if len(chosen) < k:
            raise ValueError(f"{name}: asked for {k} records but {day} only has {len(chosen)} to spare")
        taken.update(chosen)
        return sorted(chosen)

    injected: dict[str, Injected] = {}
    patches: dict[Any, dict[str, Any]] = {}
    duplicated: list[Any] = []
    missing: list[Any] = []
    for name in FEED_DEFECTS:  # a fixed order, so the choices do not depend on the caller's dict order
        if name not in defects:
            continue
        value = defects[name]
        if name == "null_client_id":
            chosen = pick(name, max(1, round(len(ids) * value)))
            patches.update({i: {"client_id": None} for i in chosen})
            injected[name] = Injected(name, day, tuple(chosen), {"rate": value})
        elif name == "orphan_client_id":
            chosen = pick(name, value)
            clients = {i: orphan_base + n for n, i in enumerate(chosen)}
            patches.update({i: {"client_id": c} for i, c in clients.items()})
            injected[name] = Injected(name, day, tuple(chosen), {"client_ids": list(clients.values())})
        elif name == "duplicate_appointment_id":
            chosen = pick(name, value)
            duplicated += chosen
            injected[name] = Injected(name, day, tuple(chosen))
        elif name == "unknown_status":
            chosen = pick(name, value)
            patches.update({i: {"status": UNKNOWN_STATUS} for i in chosen})
            injected[name] = Injected(name, day, tuple(chosen), {"status": UNKNOWN_STATUS})
        elif name == "missing_records":
            chosen = pick(name, value)
            missing += chosen
            injected[name] = Injected(name, day, tuple(chosen), {"served": len(ids) - len(chosen)})
    return FeedDamage(day, injected, patches, frozenset(duplicated), frozenset(missing))
