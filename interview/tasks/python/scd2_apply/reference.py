"""Apply a day's snapshot of a dimension to its SCD type 2 history."""

from __future__ import annotations

from datetime import date

VALIDITY = ("valid_from", "valid_to")


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    """The history with ``snapshot`` (the whole table on ``as_of``) applied: a new version for each new or changed
    row, the current version of each changed or deleted row ended at ``as_of``; half-open intervals.

    Returns a new list and leaves ``history`` untouched. A snapshot older than the history raises ValueError.
    """
    latest = max((row[c] for row in history for c in VALIDITY if row[c] is not None), default=None)
    if latest is not None and as_of < latest:
        raise ValueError(f"late snapshot: as_of {as_of} is before {latest}, the latest change already in the "
                         "history; rebuild the history from that night instead")
    incoming = {}
    for row in snapshot:
        if row[key] in incoming:
            raise ValueError(f"the snapshot of {as_of} holds {key}={row[key]!r} twice")
        incoming[row[key]] = row

    result = [dict(row) for row in history]  # copies: the caller's rows stay as they were
    current = {row[key]: row for row in result if row["valid_to"] is None}
    for ident, version in current.items():
        row = incoming.get(ident)
        if row is None or _attributes(row, key) != _attributes(version, key):
            version["valid_to"] = as_of  # deleted or changed: the version ends where the next one begins
    for ident, row in incoming.items():
        version = current.get(ident)
        if version is None or version["valid_to"] is not None:  # new, back after a delete, or just changed
            result.append({**row, "valid_from": as_of, "valid_to": None})
    return sorted(result, key=lambda r: (r[key], r["valid_from"]))


def _attributes(row: dict, key: str) -> dict:
    return {name: value for name, value in row.items() if name != key and name not in VALIDITY}
