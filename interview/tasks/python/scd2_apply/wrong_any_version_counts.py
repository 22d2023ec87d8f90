"""Fails: returning key reopened - each client is compared with its LATEST version, open or closed: a client
that comes back after a delete with the same attributes looks unchanged, and stays deleted.

The lookup should be the current version (valid_to is None), not the newest row."""

from __future__ import annotations

from datetime import date


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    latest = max((d for row in history for d in (row["valid_from"], row["valid_to"]) if d), default=None)
    if latest is not None and as_of < latest:
        raise ValueError(f"snapshot of {as_of} is older than the history ({latest})")
    incoming = {row[key]: row for row in snapshot}
    result = [dict(row) for row in history]
    newest = {}
    for row in sorted(result, key=lambda r: r["valid_from"]):
        newest[row[key]] = row
    for ident, version in newest.items():
        if version["valid_to"] is None and ident not in incoming:
            version["valid_to"] = as_of
    for ident, row in incoming.items():
        version = newest.get(ident)
        attributes = version and {k: v for k, v in version.items() if k not in (key, "valid_from", "valid_to")}
        if version is not None and {k: v for k, v in row.items() if k != key} == attributes:
            continue
        if version is not None and version["valid_to"] is None:
            version["valid_to"] = as_of
        result.append({**row, "valid_from": as_of, "valid_to": None})
    return result
