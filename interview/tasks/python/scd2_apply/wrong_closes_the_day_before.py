"""Fails: old version closed at the change, deleted keys closed - the old version ends the day before the
change (valid_to = as_of - 1 day), closed-interval thinking in a half-open table: the day of the change
belongs to no version, and a point-in-time join on that day finds no client.

Everything else is right."""

from __future__ import annotations

from datetime import date, timedelta


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    latest = max((d for row in history for d in (row["valid_from"], row["valid_to"]) if d), default=None)
    if latest is not None and as_of < latest:
        raise ValueError(f"snapshot of {as_of} is older than the history ({latest})")
    incoming = {row[key]: row for row in snapshot}
    result = [dict(row) for row in history]
    current = {row[key]: row for row in result if row["valid_to"] is None}
    for ident, version in current.items():
        row = incoming.get(ident)
        attributes = {k: v for k, v in version.items() if k not in (key, "valid_from", "valid_to")}
        if row is None or {k: v for k, v in row.items() if k != key} != attributes:
            version["valid_to"] = as_of - timedelta(days=1)
    for ident, row in incoming.items():
        version = current.get(ident)
        if version is None or version["valid_to"] is not None:
            result.append({**row, "valid_from": as_of, "valid_to": None})
    return result
