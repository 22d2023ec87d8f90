"""Fetch the billing backend's revenue for every day of a range, exactly, reporting days it could not fetch."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import requests  # noqa: F401 - you will need it


def fetch_daily_revenue(base_url: str, start_date: str, end_date: str, *,
                        sleep: Callable[[float], None],
                        max_attempts: int = 4) -> tuple[dict[str, Decimal], list[str]]:
    """``(revenue by day, days that could not be fetched)`` for ``start_date`` .. ``end_date`` inclusive."""
    raise NotImplementedError
