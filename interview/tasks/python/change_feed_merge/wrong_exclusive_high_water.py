"""Fails: no lost changes - asks for changes strictly after the mark, one second past it.

"I already have everything at the mark, so start just after it" is the usual reasoning; a change stamped with
the mark's own second that became visible after the last sync is then never fetched.
"""

from __future__ import annotations

import datetime as dt

import requests


def sync_changes(base_url, token, replica, since):
    after = (dt.datetime.fromisoformat(since) + dt.timedelta(seconds=1)).isoformat()
    params = {"updated_since": after, "mode": "cursor"}
    newest = since
    while True:
        response = requests.get(f"{base_url}/appointments", params=params,
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)
        response.raise_for_status()
        page = response.json()
        for change in page["appointments"]:
            if change.get("deleted"):
                replica.pop(change["appointment_id"], None)
            else:
                replica[change["appointment_id"]] = change
            newest = max(newest, change["updated_at"])
        if page["next_cursor"] is None:
            return newest
        params = {"cursor": page["next_cursor"]}
