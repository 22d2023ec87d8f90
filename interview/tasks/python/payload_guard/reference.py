"""Validate landed API pages against the appointments contract: good records, and quarantine with reasons."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation

FIELDS = {"appointment_id": int, "client_id": int, "clinician_id": int, "appointment_date": str,
          "start_time": str, "status": str, "duration_minutes": int, "fee_amount": str}
STATUSES = {"completed", "no_show", "cancelled"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def guard_pages(bodies: list[bytes]) -> tuple[list[dict], list[tuple[object, str]]]:
    """``(good records, [(record or raw page, reason), ...])``; every record received ends up in one of them."""
    good: list[dict] = []
    quarantined: list[tuple[object, str]] = []
    for number, body in enumerate(bodies, start=1):
        try:
            page = json.loads(body)
        except ValueError as error:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            quarantined.append((body, f"page {number}: not valid JSON ({error}); re-fetch it"))
            continue
        records = page.get("appointments") if isinstance(page, dict) else None
        if not isinstance(records, list):
            quarantined.append((body, f"page {number}: no 'appointments' list; the response is not the contract"))
            continue
        for record in records:
            problems = problems_of(record)
            if problems:
                quarantined.append((record, f"page {number}: " + "; ".join(problems)))
            else:
                good.append(record)
    return good, quarantined


def problems_of(record: object) -> list[str]:
    """Every way ``record`` breaks the contract (empty: it is good)."""
    if not isinstance(record, dict):
        return [f"the record is a {type(record).__name__}, not an object"]
    problems = []
    for field, kind in FIELDS.items():
        value = record.get(field)
        if value is None:
            problems.append(f"{field} is missing or null")
        elif type(value) is not kind:  # exact type: True is an int to isinstance, not to the contract
            problems.append(f"{field} should be {kind.__name__}, is {type(value).__name__} {value!r}")
    if problems:
        return problems
    if not _parses(DATE, dt.date.fromisoformat, record["appointment_date"]):
        problems.append(f"appointment_date {record['appointment_date']!r} is not a real YYYY-MM-DD date")
    if not _parses(TIMESTAMP, dt.datetime.fromisoformat, record["start_time"]):
        problems.append(f"start_time {record['start_time']!r} is not a real YYYY-MM-DDTHH:MM:SS timestamp")
    if record["status"] not in STATUSES:
        problems.append(f"status {record['status']!r} is not one of {sorted(STATUSES)}")
    if record["duration_minutes"] <= 0:
        problems.append(f"duration_minutes {record['duration_minutes']} is not positive")
    try:
        fee = Decimal(record["fee_amount"])
    except InvalidOperation:
        fee = None
    if fee is None or not fee.is_finite() or fee < 0:
        problems.append(f"fee_amount {record['fee_amount']!r} is not a non-negative decimal")
    return problems


def _parses(shape: re.Pattern[str], parse, text: str) -> bool:
    if not shape.fullmatch(text):
        return False
    try:
        parse(text)
    except ValueError:
        return False
    return True
