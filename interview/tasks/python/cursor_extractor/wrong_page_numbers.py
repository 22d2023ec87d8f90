"""Fails: follows the cursor - walks the pages by number (``page=1, 2, ...``) and ignores ``next_cursor``.

It returns the right records here, but it is the offset pagination the task asked to move away from: when rows
are inserted or deleted during the walk, page n no longer starts where page n-1 ended.
"""

from __future__ import annotations

from collections.abc import Callable

import requests


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    url = f"{base_url}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    records, seen, page = [], set(), 1
    while True:
        body = _get(url, {"start_date": start_date, "end_date": end_date, "page": page}, headers, sleep,
                    max_retries)
        for record in body["appointments"]:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        if not body["has_more"]:
            return records
        page += 1


def _get(url, params, headers, sleep, max_retries):
    failures = 0
    while True:
        try:
            response = requests.get(url, params=params, headers=headers, timeout=10)
        except requests.Timeout:
            response = None
        if response is not None and response.status_code == 429:
            sleep(float(response.headers["Retry-After"]))
            continue
        if response is not None and response.status_code < 500:
            response.raise_for_status()
            return response.json()
        failures += 1
        if failures > max_retries:
            raise RuntimeError(f"page {params['page']} failed after {max_retries} retries")
        sleep(2 ** failures)
