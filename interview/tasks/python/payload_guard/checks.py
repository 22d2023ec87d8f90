"""Hidden checks of ``payload_guard``: the candidate's guard runs on pages landed from the simulated partner: a
clean day, a defective day (the sim's feed defects plus records that break each rule of the contract, and the
edge cases that do not), a day whose landing holds a cut-off page and a page of the wrong shape, and nothing."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import requests

from interview.checking_api import NOT_ATTEMPTED, Candidate, Outcome, not_run, sim_world, time_budget_check
from interview.tasks import Check

NAMES = ["accepts every valid record", "rejects missing and null fields", "rejects wrong types",
         "rejects bad dates", "rejects bad amounts", "rejects unknown statuses", "quarantines malformed pages",
         "counts reconcile", "reasons name the field", "time budget"]
CLEAN, DAMAGED, BROKEN = "2025-09-16", "2025-09-15", "2025-09-17"
PER_PAGE = 20
#: (rule the record breaks, the field, how) - applied to distinct records of the defective day
DEFECTS = [
    ("missing", "clinician_id", lambda r: r.pop("clinician_id")),
    ("missing", "status", lambda r: r.pop("status")),
    ("types", "appointment_id", lambda r: r.update(appointment_id=str(r["appointment_id"]))),
    ("types", "duration_minutes", lambda r: r.update(duration_minutes=str(r["duration_minutes"]))),
    ("types", "client_id", lambda r: r.update(client_id=True)),
    ("types", "fee_amount", lambda r: r.update(fee_amount=float(r["fee_amount"]))),
    ("dates", "appointment_date", lambda r: r.update(appointment_date="2025-02-30")),
    ("dates", "appointment_date", lambda r: r.update(appointment_date="15/09/2025")),
    ("dates", "start_time", lambda r: r.update(start_time=r["start_time"][:11] + "25:00:00")),
    ("amounts", "fee_amount", lambda r: r.update(fee_amount="-35.00")),
    ("amounts", "fee_amount", lambda r: r.update(fee_amount="N/A")),
]
EDGES = [lambda r: r.update(fee_amount="0.00"), lambda r: r.update(status="cancelled", fee_amount="0.00")]
CHECK_OF = {"missing": "rejects missing and null fields", "types": "rejects wrong types",
            "dates": "rejects bad dates", "amounts": "rejects bad amounts", "statuses": "rejects unknown statuses"}
SHAPELESS = b'{"appointments": null, "has_more": false, "page": 4}'


def check(solution: Path) -> list[Check]:
    candidate = Candidate(solution)
    why = candidate.missing("guard_pages")
    if why:
        return not_run(NAMES, why)
    landed: dict[str, list[bytes]] = {}
    with sim_world(appointments=1500, requests_per_second=1000) as world:
        landed["a clean day"] = _land(world, CLEAN)
        defects = _damage(world, DAMAGED)
        landed["a defective day"] = _land(world, DAMAGED)
        world.heal_partner_feed()
        world.partner.inject("malformed_json", page=2)
        landed["a day with broken pages"] = _land(world, BROKEN) + [SHAPELESS]
    landed["no pages"] = []
    outcomes: dict[str, Outcome] = {}
    for scenario, bodies in landed.items():
        outcomes[scenario] = candidate.call("guard_pages", [bytes(b) for b in bodies])
        if outcomes[scenario].not_attempted:
            return not_run(NAMES, NOT_ATTEMPTED)
    read = {scenario: _read(outcome) for scenario, outcome in outcomes.items()}
    received = {scenario: _records(bodies) for scenario, bodies in landed.items()}
    return [
        _accepts(read, received, defects),
        *[_rejects(CHECK_OF[rule], rule, read["a defective day"], received["a defective day"], defects)
          for rule in ("missing", "types", "dates", "amounts", "statuses")],
        _malformed(read["a day with broken pages"], landed["a day with broken pages"]),
        _reconcile(read, received),
        _reasons(read["a defective day"], defects),
        time_budget_check(outcomes, candidate.budget),
    ]


# -- the landed pages -----------------------------------------------------------------------------------------


def _land(world, day: str) -> list[bytes]:
    """Every body the partner answered for ``day``, page by page, as a naive extractor lands them (a body
    that is not JSON is landed, then its page is fetched again)."""
    bodies, page = [], 1
    headers = {"Authorization": f"Bearer {world.partner.token}"}
    while page < 50:
        answer = requests.get(f"{world.partner.BASE_URL}/appointments", headers=headers, timeout=5, params={
            "start_date": day, "end_date": day, "per_page": PER_PAGE, "page": page})
        bodies.append(answer.content)
        try:
            more = answer.json()["has_more"]
        except ValueError:
            continue
        if not more:
            break
        page += 1
    return bodies


def _damage(world, day: str) -> dict:
    """Damage ``day``'s feed: the sim's defects plus one record per broken rule and the valid edge cases.
    Returns canonical record -> (rule, field), for the defective records as the candidate will see them."""
    injected = world.damage_partner_feed(day, null_client_id=0.08, unknown_status=2)
    sim_damage = world.partner.transform
    touched = {i for found in injected.values() for i in found.ids}
    free = [r["appointment_id"] for r in world.partner.records(_date(day), _date(day))
            if r["appointment_id"] not in touched]
    plan = dict(zip(free[1::2], DEFECTS))
    edges = dict(zip(free[::2][-len(EDGES):], EDGES))

    def transform(rows: list[dict]) -> list[dict]:
        out: list = []
        for row in sim_damage(rows):
            key = row.get("appointment_id")
            if key in plan:
                row = dict(row)
                plan[key][2](row)
            elif key in edges:
                row = dict(row)
                edges[key](row)
            out.append(row)
            if key == free[4]:
                out.append(None)  # a null where a record should be
        return out

    world.partner.transform = transform
    served = transform(world.partner.records(_date(day), _date(day)))
    original = {r.get("appointment_id") if r else None: r for r in served}
    rules = {}
    for key, (rule, field, _) in plan.items():
        record = next(r for r in served if r is not None and str(r.get("appointment_id")) == str(key))
        rules[_canon(record)] = (rule, field)
    for key in injected["null_client_id"].ids:
        rules[_canon(original[key])] = ("missing", "client_id")
    for key in injected["unknown_status"].ids:
        rules[_canon(original[key])] = ("statuses", "status")
    rules[_canon(None)] = ("types", None)
    return rules


def _date(text: str):
    import datetime as dt

    return dt.date.fromisoformat(text)


def _canon(item: object) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def _records(bodies: list[bytes]) -> list:
    """The records on the pages that can be read (what must reconcile)."""
    out = []
    for body in bodies:
        try:
            page = json.loads(body)
        except ValueError:
            continue
        if isinstance(page, dict) and isinstance(page.get("appointments"), list):
            out += page["appointments"]
    return out


def _read(outcome: Outcome):
    """(good, [(item, reason)]) as returned, or why it cannot be read."""
    if not outcome.ok:
        return outcome.why
    value = outcome.value
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list)
            and isinstance(value[1], list)):
        return f"it returned {type(value).__name__}; expected a tuple (good list, quarantined list)"
    if not all(isinstance(q, (tuple, list)) and len(q) == 2 for q in value[1]):
        return "quarantined holds items that are not (item, reason) pairs"
    return value


# -- checks ---------------------------------------------------------------------------------------------------------


def _accepts(read: dict, received: dict, defects: dict) -> Check:
    name = "accepts every valid record"
    for scenario in ("a clean day", "a defective day"):
        result = read[scenario]
        if isinstance(result, str):
            return Check(name, False, f"{scenario}: {result}")
        good = Counter(_canon(r) for r in result[0])
        valid = [r for r in received[scenario] if _canon(r) not in defects]
        refused = [r for r in valid if good[_canon(r)] == 0]
        if refused:
            why = next((str(reason) for item, reason in result[1] if _canon(item) == _canon(refused[0])),
                       "it is not among the good records")
            return Check(name, False, (
                f"{scenario}: {len(refused)} records that meet the contract were not accepted, e.g. one with "
                f"fee_amount {refused[0].get('fee_amount')!r} and status {refused[0].get('status')!r} ({why}). "
                "Read the rules again for the edge cases: a zero fee is a fee."))
    return Check(name, True)


def _rejects(name: str, rule: str, result, received: list, defects: dict) -> Check:
    if isinstance(result, str):
        return Check(name, False, f"a defective day: {result}")
    good = {_canon(r) for r in result[0]}
    let_through = [(field, item) for item in received
                   if (hit := defects.get(_canon(item))) and hit[0] == rule and _canon(item) in good
                   for field in [hit[1]]]
    if let_through:
        field, item = let_through[0]
        return Check(name, False, (
            f"a defective day: {len(let_through)} records breaking a '{rule}' rule were accepted as good, e.g. "
            f"{field} = {item.get(field, '<absent>')!r}. " + HINTS[rule]))
    return Check(name, True)


HINTS = {
    "missing": "A required field must be present and not null.",
    "types": "Check exact types: isinstance(True, int) is True in Python, and '60' is not an integer.",
    "dates": "A date must parse as a real calendar date (February has no 30th), not only look like one.",
    "amounts": "A fee must parse as a decimal and be >= 0.",
    "statuses": "An enumerated field accepts only the listed values.",
}


def _malformed(result, bodies: list[bytes]) -> Check:
    name = "quarantines malformed pages"
    if isinstance(result, str):
        return Check(name, False, (
            f"pages that cannot be read (a body cut off halfway, a page of the wrong shape): {result}. One bad "
            "page must not stop the run: quarantine it with its reason and go on."))
    bad = [b for b in bodies if not _readable(b)]
    items = [item for item, _ in result[1]]
    missing = [b for b in bad if not any(item == b or item == b.decode("utf-8", "replace") for item in items)]
    if missing:
        return Check(name, False, (
            f"{len(missing)} of {len(bad)} unreadable pages are not in quarantine: they vanished without a "
            "trace. Put the raw page in quarantine with the reason, so it can be re-fetched or inspected."))
    expected = _records(bodies)
    if len(result[0]) < len([r for r in expected if r is not None]):
        return Check(name, False, (
            f"the readable pages of that landing held {len(expected)} good records; {len(result[0])} came "
            "through. A bad page should not take the good ones with it."))
    return Check(name, True)


def _readable(body: bytes) -> bool:
    try:
        page = json.loads(body)
    except ValueError:
        return False
    return isinstance(page, dict) and isinstance(page.get("appointments"), list)


def _reconcile(read: dict, received: dict) -> Check:
    name = "counts reconcile"
    for scenario in ("a clean day", "a defective day", "no pages"):
        result = read[scenario]
        if isinstance(result, str):
            return Check(name, False, f"{scenario}: {result}")
        out = Counter(_canon(r) for r in result[0]) + Counter(_canon(item) for item, _ in result[1])
        wanted = Counter(_canon(r) for r in received[scenario])
        if out != wanted:
            lost, extra = sum((wanted - out).values()), sum((out - wanted).values())
            return Check(name, False, (
                f"{scenario}: {len(received[scenario])} records received, {len(result[0])} good + "
                f"{len(result[1])} quarantined; {lost} records are in neither list (dropped silently) and {extra} "
                "are extra or changed. Every record received must come out exactly once, unchanged."))
    return Check(name, True)


def _reasons(result, defects: dict) -> Check:
    name = "reasons name the field"
    if isinstance(result, str):
        return Check(name, False, f"a defective day: {result}")
    for item, reason in result[1]:
        hit = defects.get(_canon(item))
        if not isinstance(reason, str) or not reason.strip():
            return Check(name, False, f"a quarantined item has the reason {reason!r}; say what is wrong")
        if hit and hit[1] and hit[1] not in reason:
            return Check(name, False, (
                f"a record whose {hit[1]} breaks the contract was quarantined with the reason {reason!r}. Name the "
                "field and what is wrong with it: the on-call engineer should not have to diff the record."))
    return Check(name, True)
