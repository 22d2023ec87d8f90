"""A correct alternative: the history grouped by key, each key's versions rebuilt from its current one and the
snapshot's row (new, changed, unchanged, gone), then flattened again."""

from __future__ import annotations

from datetime import date


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    dates = [d for row in history for d in (row["valid_from"], row["valid_to"]) if d is not None]
    if dates and as_of < max(dates):
        raise ValueError(f"snapshot of {as_of} arrived late: the history already runs to {max(dates)}")
    versions: dict = {}
    for row in history:
        versions.setdefault(row[key], []).append(dict(row))
    today = {row[key]: row for row in snapshot}
    for ident in versions.keys() | today.keys():
        rows = versions.setdefault(ident, [])
        current = next((r for r in rows if r["valid_to"] is None), None)
        new = today.get(ident)
        same = current is not None and new is not None and all(current.get(k) == v for k, v in new.items())
        if same:
            continue
        if current is not None:
            current["valid_to"] = as_of
        if new is not None:
            rows.append({**new, "valid_from": as_of, "valid_to": None})
    return [row for ident in sorted(versions) for row in versions[ident]]
