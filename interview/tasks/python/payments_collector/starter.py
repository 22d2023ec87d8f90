"""Collect one day's payments from the billing backend's cursor-paginated /payments listing."""

from __future__ import annotations

from decimal import Decimal

import requests  # noqa: F401 - you will need it


def collect_payments(base_url: str, day: str, *, limit: int = 100) -> tuple[list[dict], Decimal]:
    """The day's payments (each ``payment_id`` once) and their total, exactly."""
    raise NotImplementedError
