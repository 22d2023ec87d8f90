"""Collect one day's payments from the billing backend's cursor-paginated /payments listing."""

from __future__ import annotations

import json
from decimal import Decimal

import requests


def collect_payments(base_url: str, day: str, *, limit: int = 100) -> tuple[list[dict], Decimal]:
    """The day's payments (each ``payment_id`` once) and their total, exactly.

    Amounts are parsed straight into ``Decimal`` (``parse_float=Decimal``): a float would already have lost
    the cents' exactness before any sum.
    """
    url = f"{base_url.rstrip('/')}/payments"
    params: dict[str, str | int] = {"date": day, "limit": limit}
    by_id: dict[str, dict] = {}
    while True:
        response = requests.get(url, params=params, timeout=(3.05, 30))
        response.raise_for_status()
        page = json.loads(response.content, parse_float=Decimal)
        for payment in page["payments"]:
            by_id.setdefault(payment["payment_id"], payment)  # a repeat across pages is the same payment
        if not page["next_cursor"]:
            break
        params = {"cursor": page["next_cursor"]}
    payments = list(by_id.values())
    return payments, sum((Decimal(p["amount"]) for p in payments), Decimal("0.00"))
