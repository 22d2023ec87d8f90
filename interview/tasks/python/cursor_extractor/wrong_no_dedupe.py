"""Fails: no duplicates - trusts the pages not to overlap and returns a record twice when they do.

``records.extend(page)`` is what most first drafts do; a partner whose rows shift between requests serves a
few records on two pages.
"""

from __future__ import annotations

from collections.abc import Callable

import requests


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    url = f"{base_url}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    params = {"start_date": start_date, "end_date": end_date, "mode": "cursor"}
    records = []
    while True:
        body = _get(url, params, headers, sleep, max_retries)
        records.extend(body["appointments"])
        if not body["has_more"]:
            return records
        params = {"cursor": body["next_cursor"]}


def _get(url, params, headers, sleep, max_retries):
    for attempt in range(max_retries + 1):
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            sleep(2 ** attempt)
            continue
        while response.status_code == 429:
            sleep(int(response.headers.get("Retry-After", "1")))
            response = requests.get(url, params=params, headers=headers, timeout=10)
        if response.status_code >= 500:
            sleep(2 ** attempt)
            continue
        response.raise_for_status()
        return response.json()
    raise RuntimeError(f"no answer for {params} after {max_retries} retries")
