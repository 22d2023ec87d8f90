"""Fails: input left as it was - the current versions are ended in place (version["valid_to"] = as_of on the
caller's own dicts): the returned list is new, its rows are not, so the caller's history changes too.

A shallow copy (list(history)) looks like a copy; it copies the list, not the rows."""

from __future__ import annotations

from datetime import date


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    latest = max((d for row in history for d in (row["valid_from"], row["valid_to"]) if d), default=None)
    if latest is not None and as_of < latest:
        raise ValueError(f"snapshot of {as_of} is older than the history ({latest})")
    incoming = {row[key]: row for row in snapshot}
    result = list(history)
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
