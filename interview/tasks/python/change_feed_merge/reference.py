"""Keep a replica of the partner's appointments up to date from its change feed."""

from __future__ import annotations

import requests


def sync_changes(base_url: str, token: str, replica: dict[int, dict], since: str) -> str:
    """Apply the feed's changes from ``since`` to ``replica`` (in place); return the next ``since``.

    The mark is the newest ``updated_at`` seen, and the feed is asked *inclusively* from it: a change stamped
    with that same second but visible only later is fetched next time, and what is fetched twice merges by key
    to the same replica. A tombstone removes its key (``pop``: the record may never have been seen), and an
    older version never overwrites a newer one.
    """
    url = f"{base_url.rstrip('/')}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    params = {"updated_since": since, "mode": "cursor"}
    high_water = since
    while True:
        response = requests.get(url, params=params, headers=headers, timeout=(3.05, 30))
        response.raise_for_status()
        page = response.json()
        for change in page["appointments"]:
            key, stamp = change["appointment_id"], change["updated_at"]
            held = replica.get(key)
            if held is not None and held["updated_at"] > stamp:
                continue
            if change.get("deleted"):
                replica.pop(key, None)
            else:
                replica[key] = change
            high_water = max(high_water, stamp)
        if not page.get("next_cursor"):
            return high_water
        params = {"cursor": page["next_cursor"]}
