"""Extract a date range of appointments from the partner API, walking its cursor pages."""

from __future__ import annotations

from collections.abc import Callable

import requests  # noqa: F401 - you will need it


def extract_appointments(base_url: str, token: str, start_date: str, end_date: str, *,
                         sleep: Callable[[float], None], max_retries: int = 4) -> list[dict]:
    """Every appointment between ``start_date`` and ``end_date`` (inclusive), each ``appointment_id`` once.

    ``sleep(seconds)``: the only way to wait. ``max_retries``: retries of a 5xx or timeout, per request.
    """
    raise NotImplementedError
