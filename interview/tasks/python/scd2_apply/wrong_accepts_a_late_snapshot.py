"""Fails: late snapshot refused - a snapshot older than the history is applied like any other: versions start
before the ones they replace, and intervals overlap.

No guard on as_of; the rest is right."""

from __future__ import annotations

from datetime import date


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    incoming = {row[key]: row for row in snapshot}
    result = [dict(row) for row in history]
    current = {row[key]: row for row in result if row["valid_to"] is None}
    for ident, version in current.items():
        row = incoming.get(ident)
        attributes = {k: v for k, v in version.items() if k not in (key, "valid_from", "valid_to")}
        if row is None or {k: v for k, v in row.items() if k != key} != attributes:
            version["valid_to"] = as_of
    for ident, row in incoming.items():
        version = current.get(ident)
        if version is None or version["valid_to"] is not None:
            result.append({**row, "valid_from": as_of, "valid_to": None})
    return result
