"""Fails: deleted keys closed, returning key reopened - only the snapshot's rows are walked, so a client that
vanished keeps its current version open forever (and when it comes back unchanged, nothing records the gap).

An upsert mindset: what is in the batch gets applied; what is missing from it is never looked at."""

from __future__ import annotations

from datetime import date


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    latest = max((d for row in history for d in (row["valid_from"], row["valid_to"]) if d), default=None)
    if latest is not None and as_of < latest:
        raise ValueError(f"snapshot of {as_of} is older than the history ({latest})")
    result = [dict(row) for row in history]
    current = {row[key]: row for row in result if row["valid_to"] is None}
    for row in snapshot:
        version = current.get(row[key])
        if version is not None:
            attributes = {k: v for k, v in version.items() if k not in (key, "valid_from", "valid_to")}
            if {k: v for k, v in row.items() if k != key} == attributes:
                continue
            version["valid_to"] = as_of
        result.append({**row, "valid_from": as_of, "valid_to": None})
    return result
