"""Fails: no lost changes, applies deletes, high-water mark, idempotent rerun - ``del`` crashes on a new key.

The feed sends a tombstone for a record created and deleted before the replica ever saw it;
``del replica[key]`` raises KeyError and the whole sync fails halfway.
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
            if change["deleted"]:
                del replica[change["appointment_id"]]
            else:
                replica[change["appointment_id"]] = change
            newest = max(newest, change["updated_at"])
        if not page["next_cursor"]:
            return newest
        params = {"cursor": page["next_cursor"]}
