"""Hidden checks of ``payments_collector``: the candidate's collector pages through the simulated backend's
/payments on a one-page day, pages that divide the day exactly, small pages where payments repeat across
pages, many tiny pages and an empty day; totals are compared with the backend's own /revenue."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import requests

from interview.checking_api import (
    NOT_ATTEMPTED, Candidate, Outcome, not_run, reset_backend, sim_world, time_budget_check, traffic,
    wrapped_handle,
)
from interview.tasks import Check

NAMES = ["no lost payments", "no duplicate payments", "amounts are exact Decimals",
         "total equals the backend's revenue", "uses the page limit", "empty day", "time budget"]
#: scenario -> (day, limit, pages that repeat the previous page's last payments)
SCENARIOS = {
    "one page": ("2025-09-10", 100, ()),
    "pages that divide the day exactly": ("2025-09-10", 8, ()),
    "small pages that overlap": ("2025-09-13", 5, (3, 6)),
    "many tiny pages": ("2025-09-12", 2, ()),
    "an empty day": ("2025-10-20", 50, ()),
}
REPEATED = 2  # payments of the page before that an overlapping page repeats


def check(solution: Path) -> list[Check]:
    candidate = Candidate(solution)
    why = candidate.missing("collect_payments")
    if why:
        return not_run(NAMES, why)
    outcomes: dict[str, Outcome] = {}
    truth: dict[str, tuple[dict[str, Decimal], Decimal]] = {}
    sent: dict[str, list] = {}
    with sim_world(appointments=1500) as world:
        backend = world.backend
        for scenario, (day, limit, overlapping) in SCENARIOS.items():
            reset_backend(world)
            rows = backend.payments(dt.date.fromisoformat(day))
            revenue = requests.get(f"{backend.BASE_URL}/revenue", params={"date": day}, timeout=5)
            truth[scenario] = ({r["payment_id"]: r["amount"] for r in rows},
                               revenue.json(parse_float=Decimal)["total_revenue"])
            with wrapped_handle(backend, _overlap(rows, limit, overlapping)), \
                    traffic(backend, world.clock) as exchanges:
                outcomes[scenario] = candidate.call("collect_payments", backend.BASE_URL, day, limit=limit)
            sent[scenario] = [e for e in exchanges if e.path == "/payments"]
            if outcomes[scenario].not_attempted:
                return not_run(NAMES, NOT_ATTEMPTED)
    read = {scenario: _read(outcome) for scenario, outcome in outcomes.items()}
    full = {s: r for s, r in read.items() if s != "an empty day"}
    return [
        _no_lost(full, truth),
        _no_duplicates(full),
        _exact_amounts(full, truth),
        _total(full, truth),
        _limit(sent),
        _empty(read["an empty day"]),
        time_budget_check(outcomes, candidate.budget),
    ]


def _overlap(rows: list[dict], limit: int, pages: tuple[int, ...]):
    """Pages in ``pages`` start with the last payments of the page before (rows written while paging)."""
    from sim.backend_api import money
    from sim.http import json_body

    def handle(request, original):
        response = original(request)
        if request.path.rstrip("/") != "/payments" or response.status != 200:
            return response
        body = json.loads(response.body, parse_float=Decimal)
        if body["page"] in pages:
            before = rows[(body["page"] - 2) * limit: (body["page"] - 1) * limit][-REPEATED:]
            body["payments"] = [{**r, "amount": money(r["amount"])} for r in before] + body["payments"]
            response.body = json_body(body)
        return response

    return handle


def _read(outcome: Outcome) -> tuple[list[dict], object] | str:
    """(payments, total) as returned, or why they cannot be read."""
    if not outcome.ok:
        return outcome.why
    value = outcome.value
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list)):
        return f"it returned {type(value).__name__}; expected a tuple (payments list, total)"
    if not all(isinstance(p, dict) and "payment_id" in p for p in value[0]):
        return "its payments list holds items that are not payment records (dicts with 'payment_id')"
    return value


def _no_lost(read: dict, truth: dict) -> Check:
    for scenario, result in read.items():
        if isinstance(result, str):
            return Check("no lost payments", False, f"{scenario}: {result}")
        missing = set(truth[scenario][0]) - {p["payment_id"] for p in result[0]}
        if missing:
            return Check("no lost payments", False, (
                f"{scenario}: {len(missing)} of {len(truth[scenario][0])} payments missing. The last page is the "
                "one whose next_cursor is null: are its payments kept?"))
    return Check("no lost payments", True)


def _no_duplicates(read: dict) -> Check:
    for scenario, result in read.items():
        if isinstance(result, str):
            return Check("no duplicate payments", False, f"{scenario}: {result}")
        ids = [p["payment_id"] for p in result[0]]
        if len(ids) != len(set(ids)):
            return Check("no duplicate payments", False, (
                f"{scenario}: {len(ids) - len(set(ids))} payments returned twice. Offset paging repeats rows that "
                "shift between requests; a payment_id is one payment, keep it once (and count it once)."))
    return Check("no duplicate payments", True)


def _exact_amounts(read: dict, truth: dict) -> Check:
    for scenario, result in read.items():
        if isinstance(result, str):
            return Check("amounts are exact Decimals", False, f"{scenario}: {result}")
        for payment in result[0]:
            amount = payment.get("amount")
            if not isinstance(amount, Decimal):
                return Check("amounts are exact Decimals", False, (
                    f"{scenario}: an amount is a {type(amount).__name__} ({amount!r}). response.json() turns "
                    "135.46 into a float, which is not 135.46; parse with json.loads(..., parse_float=Decimal)."))
            expected = truth[scenario][0].get(payment["payment_id"])
            if expected is not None and amount != expected:
                return Check("amounts are exact Decimals", False, (
                    f"{scenario}: an amount came back as {amount} where the backend sent {expected}. "
                    "Decimal(a_float) keeps the float's binary error; parse the JSON text into Decimal."))
    return Check("amounts are exact Decimals", True)


def _total(read: dict, truth: dict) -> Check:
    for scenario, result in read.items():
        if isinstance(result, str):
            return Check("total equals the backend's revenue", False, f"{scenario}: {result}")
        total, expected = result[1], truth[scenario][1]
        if isinstance(total, float):
            return Check("total equals the backend's revenue", False, (
                f"{scenario}: the total is a float, {total!r}, which is really {Decimal(total)}; the backend's "
                f"/revenue says exactly {expected}. Sum Decimals: money never goes through float."))
        if not isinstance(total, Decimal) or total != expected:
            return Check("total equals the backend's revenue", False, (
                f"{scenario}: total {total!r}, the backend's /revenue says {expected}. Sum each payment exactly "
                "once: a repeated or a missing payment shows here."))
    return Check("total equals the backend's revenue", True)


def _limit(sent: dict) -> Check:
    for scenario, exchanges in sent.items():
        limit = str(SCENARIOS[scenario][1])
        first = [e for e in exchanges if "cursor" not in e.params]
        wrong = [e.params.get("limit") for e in first if e.params.get("limit", "100") != limit]
        if not first or wrong:
            return Check("uses the page limit", False, (
                f"{scenario}: asked for limit={limit}, the first request sent limit={wrong[0] if wrong else None}. "
                "Send the limit you are given (the backend's default page is 100)."))
    return Check("uses the page limit", True)


def _empty(result) -> Check:
    if isinstance(result, str):
        return Check("empty day", False, f"a day without payments: {result}")
    payments, total = result
    if payments or total != 0:
        return Check("empty day", False, (f"a day without payments: returned {len(payments)} payments and total "
                                          f"{total!r}; expected no payments and a total of 0"))
    return Check("empty day", True)
