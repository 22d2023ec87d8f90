"""Extract a date range of appointments from the partner API, walking its cursor pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

TRANSIENT = {500, 502, 503, 504}
MAX_RATE_LIMITED = 20  # 429s in a row for one request before the run gives up: the limit is not lifting


class ExtractionFailed(RuntimeError):
    """A page could not be fetched within the retries allowed."""


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    """Every appointment between ``start_date`` and ``end_date`` (inclusive), each ``appointment_id`` once.

    ``sleep(seconds)``: the only way to wait. ``max_retries``: retries of a 5xx or timeout, per request.
    """
    url = f"{base_url.rstrip('/')}/appointments"
    headers = {"Authorization": f"Bearer {token}"}
    params: dict[str, str] = {"start_date": start_date, "end_date": end_date, "mode": "cursor"}
    records: list[dict] = []
    seen: set[Any] = set()
    page = 1
    while True:
        body = _get(url, params, headers, sleep, max_retries, page)
        for record in body["appointments"]:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        if not body.get("next_cursor"):
            return records
        params = {"cursor": body["next_cursor"]}
        page += 1


def _get(url: str, params: dict[str, str], headers: dict[str, str], sleep: Callable[[float], None],
         max_retries: int, page: int) -> dict:
    """One page: 429s wait what the server asks; 5xx and timeouts back off exponentially, ``max_retries`` times."""
    failures = rate_limited = 0
    while True:
        try:
            response = requests.get(url, params=params, headers=headers, timeout=(3.05, 30))
        except (requests.Timeout, requests.ConnectionError) as error:
            problem, asked = type(error).__name__, 0.0
        else:
            if response.status_code == 429:
                rate_limited += 1
                if rate_limited > MAX_RATE_LIMITED:
                    raise ExtractionFailed(f"page {page}: still rate limited after {MAX_RATE_LIMITED} waits")
                sleep(float(response.headers.get("Retry-After", 1)))
                continue
            if response.status_code not in TRANSIENT:
                response.raise_for_status()  # 401, 400...: retrying the same request cannot help
                return response.json()
            problem, asked = f"HTTP {response.status_code}", float(response.headers.get("Retry-After", 0))
        failures += 1
        if failures > max_retries:
            raise ExtractionFailed(f"page {page}: {problem} after {max_retries} retries")
        sleep(max(asked, 0.5 * 2 ** (failures - 1)))
