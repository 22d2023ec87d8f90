"""Fails: counts reconcile - a record that fails validation is skipped with ``continue``.

Bad pages are quarantined, but bad records simply disappear: the load looks clean and nobody can tell how
many appointments never arrived.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

INTS = ("appointment_id", "client_id", "clinician_id", "duration_minutes")
STATUSES = ("completed", "no_show", "cancelled")


def guard_pages(bodies):
    good, quarantined = [], []
    for body in bodies:
        try:
            records = json.loads(body)["appointments"]
            if not isinstance(records, list):
                raise ValueError("no appointments list")
        except (ValueError, KeyError, TypeError) as error:
            quarantined.append((body, f"unreadable page: {error}"))
            continue
        for record in records:
            if not _valid(record):
                continue
            good.append(record)
    return good, quarantined


def _valid(record):
    if not isinstance(record, dict):
        return False
    if any(type(record.get(f)) is not int for f in INTS):
        return False
    if any(not isinstance(record.get(f), str) for f in ("appointment_date", "start_time", "status", "fee_amount")):
        return False
    try:
        if len(record["appointment_date"]) != 10 or len(record["start_time"]) != 19:
            return False
        dt.date.fromisoformat(record["appointment_date"])
        dt.datetime.fromisoformat(record["start_time"])
        fee = Decimal(record["fee_amount"])
    except (ValueError, InvalidOperation):
        return False
    return record["status"] in STATUSES and record["duration_minutes"] > 0 and fee >= 0
