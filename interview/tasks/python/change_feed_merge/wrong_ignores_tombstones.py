"""Fails: applies deletes - stores every change by key, tombstones included.

A tombstone overwrites the record with ``{"appointment_id", "deleted": true, "updated_at"}``, so the replica
keeps a row for every appointment the source deleted.
"""

from __future__ import annotations

import requests


def sync_changes(base_url, token, replica, since):
    params = {"updated_since": since, "mode": "cursor"}
    newest = since
    while True:
        response = requests.get(f"{base_url}/appointments", params=params,
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)
        response.raise_for_status()
        page = response.json()
        for change in page["appointments"]:
            replica[change["appointment_id"]] = change
            newest = max(newest, change["updated_at"])
        if not page["has_more"]:
            return newest
        params = {"cursor": page["next_cursor"]}
