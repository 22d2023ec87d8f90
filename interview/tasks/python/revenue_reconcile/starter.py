"""Reconcile warehouse revenue with the billing backend, day by day, to the cent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal  # noqa: F401

import requests  # noqa: F401


def reconcile(cursor, first_day: date, last_day: date,
              base_url: str = "https://api.backend.com") -> list[dict]:
    """One dict per day whose warehouse total differs from the backend's /revenue total (exactly, Decimal):
    day, warehouse_total, backend_total, difference (warehouse - backend), missing_ids, duplicate_ids.

    Days that match are left out; a reversed range raises ValueError.
    """
    raise NotImplementedError
