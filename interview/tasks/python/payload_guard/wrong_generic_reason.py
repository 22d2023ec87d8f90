"""Fails: reasons name the field - every bad record is quarantined as just "invalid record".

The validation is right, but the on-call engineer has to diff each record against the contract to learn
what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

TYPES = {"appointment_id": int, "client_id": int, "clinician_id": int, "duration_minutes": int,
         "appointment_date": str, "start_time": str, "status": str, "fee_amount": str}


def guard_pages(bodies):
    good, quarantined = [], []
    for body in bodies:
        try:
            records = json.loads(body)["appointments"]
            if not isinstance(records, list):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            quarantined.append((body, "unreadable page"))
            continue
        for record in records:
            if _valid(record):
                good.append(record)
            else:
                quarantined.append((record, "invalid record"))
    return good, quarantined


def _valid(record):
    if not isinstance(record, dict) or any(type(record.get(f)) is not t for f, t in TYPES.items()):
        return False
    try:
        if len(record["appointment_date"]) != 10 or len(record["start_time"]) != 19:
            return False
        dt.date.fromisoformat(record["appointment_date"])
        dt.datetime.fromisoformat(record["start_time"])
        fee = Decimal(record["fee_amount"])
    except (ValueError, InvalidOperation):
        return False
    return (record["status"] in ("completed", "no_show", "cancelled") and record["duration_minutes"] > 0
            and fee.is_finite() and fee >= 0)
