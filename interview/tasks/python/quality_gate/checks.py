"""Hidden checks of quality_gate: a sim world whose marts were damaged on hidden days (the sim's defects, read
from its manifest, plus negative and NULL fees, a NULL clinician and late clients planted here), and clean days
that must pass. Each rule is judged on the days that carry its defect; a spy cursor records the SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sim
from interview.checking_data import Board, Candidate, SpyConnection, pasted

CHECKS = ("clean days pass", "null keys", "duplicate ids", "bad amounts", "orphan references", "row count",
          "warnings do not block", "values bound", "identifiers validated", "time budget")
BUDGET = 8.0
DEFECT_DAY = date(2025, 9, 9)  # the sim's defects: NULL clients, orphans, duplicated ids
MISSING_DAY = date(2025, 9, 4)  # the sim's missing day: every appointment of it gone from the mart
FEES_DAY = date(2025, 9, 12)  # planted here: negative and NULL fees, a NULL clinician
LATE_CLIENTS_DAY = date(2025, 9, 6)  # planted here: clients not (yet) in DIM_CLIENTS
CLEAN_DAYS = (date(2025, 9, 2), date(2025, 9, 13))
COUNT_DAY = date(2025, 9, 7)  # clean; judged against source counts a little and a lot off
DEFECTS = {"null_client_id": 0.08, "orphan_client_id": 2, "duplicate_appointment_id": 2,
           "missing_day": MISSING_DAY.isoformat()}
PAYLOADS = ("FCT_APPOINTMENTS; DROP TABLE DIM_CLIENTS", "DIM_CLIENTS WHERE 1=1 --", 'FCT_APPOINTMENTS"')
MART = "ANALYTICS.MARTS.FCT_APPOINTMENTS"


def plant(world: Any) -> dict[str, int]:
    """Damage two more days: on FEES_DAY two negative fees, one NULL fee and one NULL clinician; on
    LATE_CLIENTS_DAY three appointments of clients not (yet) in DIM_CLIENTS. Returns how many of each."""
    ids = [r[0] for r in world.warehouse.query(
        f"SELECT APPOINTMENT_ID FROM {MART} WHERE APPOINTMENT_DATE = %s ORDER BY APPOINTMENT_ID", (FEES_DAY,))]
    for appointment, fee in ((ids[3], "-40.00"), (ids[11], "-0.01"), (ids[17], None)):
        world.warehouse.query(f"UPDATE {MART} SET FEE_AMOUNT = %s WHERE APPOINTMENT_ID = %s", (fee, appointment))
    world.warehouse.query(f"UPDATE {MART} SET CLINICIAN_ID = NULL WHERE APPOINTMENT_ID = %s", (ids[23],))
    late = [r[0] for r in world.warehouse.query(
        f"SELECT APPOINTMENT_ID FROM {MART} WHERE APPOINTMENT_DATE = %s ORDER BY APPOINTMENT_ID", (LATE_CLIENTS_DAY,))]
    for n, appointment in enumerate(late[5:8]):
        world.warehouse.query(f"UPDATE {MART} SET CLIENT_ID = %s WHERE APPOINTMENT_ID = %s", (990_001 + n, appointment))
    return {"bad_amounts": 3, "null_clinician": 1, "late_clients": 3}


def source_rows(world: Any, day: date) -> int:
    return int(world.warehouse.query("SELECT COUNT(*) FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s",
                                     (day,))[0][0])


def failures_of(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("failures"), dict) or "passed" not in value:
        raise TypeError(f"returned {value!r:.120}, expected {{'passed': bool, 'failures': {{rule: {{...}}}}}}")
    return value["failures"]


def verdict(failure: Any) -> tuple[Any, Any] | None:
    if failure is None:
        return None
    try:
        return int(failure["rows"]), failure["severity"]
    except (TypeError, KeyError, ValueError):
        return ("unreadable", failure)


def expect_rule(board: Board, name: str, label: str, failures: dict, rule: str, want: tuple[int, str] | None,
                why: str) -> None:
    got = verdict(failures.get(rule))
    board.expect(name, got == want,
                 f"{label}: expected {rule} " + (f"to fail with {want[0]} rows ({want[1]})" if want else "to pass")
                 + (f", got {got[0]} rows ({got[1]})" if got else ", it passed") + f"; {why}")


def check(solution: Path) -> list:
    board = Board(CHECKS)
    candidate = Candidate(solution, "quality_gate", BUDGET)
    if not candidate.ready(board):
        return board.checks()
    with sim.running(seed=61, appointments=900, days=15, defects=DEFECTS, defect_day=DEFECT_DAY) as world:
        manifest = world.manifest
        planted = plant(world)
        counts = {day: source_rows(world, day) for day in (*CLEAN_DAYS, DEFECT_DAY, FEES_DAY, LATE_CLIENTS_DAY,
                                                            MISSING_DAY, COUNT_DAY)}
        statements: list[tuple[str, Any]] = []

        def gate(day: date, expected: int, label: str, **kwargs: Any) -> Any:
            real = world.warehouse.connect(database="ANALYTICS", schema="MARTS")
            spy = SpyConnection(real, poison=kwargs.pop("poison", None))
            try:
                return candidate.call(spy.cursor(), day, expected, label=label, **kwargs), spy
            finally:
                statements.extend(spy.statements)
                real.close()

        def run(names: list[str], day: date, expected: int, label: str) -> tuple[dict, dict] | None:
            outcome, _ = gate(day, expected, label)
            if not board.ran(names, outcome, label):
                return None
            try:
                return outcome.value, failures_of(outcome.value)
            except TypeError as error:
                for name in names:
                    board.expect(name, False, f"{label}: {error}")
                return None

        for day in CLEAN_DAYS:
            label = f"a clean day ({day})"
            got = run(["clean days pass"], day, counts[day], label)
            if got:
                board.expect("clean days pass", got[0]["passed"] is True and got[1] == {},
                             f"{label}: expected {{'passed': True, 'failures': {{}}}}, got {got[0]!r:.200}: a false "
                             "alarm pages someone for nothing (NULL handling? a join that multiplies rows?)")

        label = f"a damaged day ({DEFECT_DAY})"
        rules = ["null keys", "duplicate ids", "orphan references", "row count"]
        got = run(rules, DEFECT_DAY, counts[DEFECT_DAY], label)
        if got:
            failures = got[1]
            expect_rule(board, "null keys", label, failures, "null_keys",
                        (len(manifest.ids("null_client_id")), "blocking"), "count rows whose CLIENT_ID IS NULL")
            expect_rule(board, "duplicate ids", label, failures, "duplicate_ids",
                        (len(manifest.ids("duplicate_appointment_id")), "blocking"),
                        "an id loaded twice is one extra copy: COUNT(id) - COUNT(DISTINCT id)")
            expect_rule(board, "orphan references", label, failures, "orphan_clients",
                        (len(manifest.ids("orphan_client_id")), "warning"),
                        "a NULL client is not an orphan (it has no client to look for): the anti-join must skip "
                        "NULL keys, and must not count a row twice")
            expect_rule(board, "row count", label, failures, "row_count", None,
                        f"two extra copies are within 5 % of {counts[DEFECT_DAY]}")
            board.expect("null keys", got[0]["passed"] is False, f"{label}: blocking failures, yet passed is true")

        label = f"a day with bad fees and a NULL clinician ({FEES_DAY})"
        got = run(["bad amounts", "null keys"], FEES_DAY, counts[FEES_DAY], label)
        if got:
            expect_rule(board, "bad amounts", label, got[1], "bad_amounts", (planted["bad_amounts"], "blocking"),
                        "FEE_AMOUNT < 0 is NULL (not true) for a NULL fee: test IS NULL as well")
            expect_rule(board, "null keys", label, got[1], "null_keys", (planted["null_clinician"], "blocking"),
                        "every key column counts: APPOINTMENT_ID, CLIENT_ID and CLINICIAN_ID")

        label = f"a day whose clients arrive late ({LATE_CLIENTS_DAY})"
        got = run(["warnings do not block", "orphan references"], LATE_CLIENTS_DAY,
                  counts[LATE_CLIENTS_DAY], label)
        if got:
            expect_rule(board, "orphan references", label, got[1], "orphan_clients",
                        (planted["late_clients"], "warning"), "three rows point at clients not in DIM_CLIENTS")
            board.expect("warnings do not block", got[0]["passed"] is True,
                         f"{label}: only a warning failed, so passed must be true; got {got[0]!r:.160}")

        truth = counts[MISSING_DAY]
        label = f"a day that never loaded ({MISSING_DAY}, the source has {truth})"
        got = run(["row count"], MISSING_DAY, truth, label)
        if got:
            expect_rule(board, "row count", label, got[1], "row_count", (0, "blocking"),
                        "an empty day is the worst count of all")
            board.expect("row count", set(got[1]) == {"row_count"} and got[0]["passed"] is False,
                         f"{label}: only row_count should fail on an empty day (and block), got {got[0]!r:.160}")
        truth = counts[COUNT_DAY]
        for expected, want in ((truth + 2, None), (truth - 2, None), (round(truth * 1.2), (truth, "blocking")),
                               (round(truth * 0.8), (truth, "blocking"))):
            label = f"{COUNT_DAY}: {truth} rows, the source says {expected}"
            got = run(["row count"], COUNT_DAY, expected, label)
            if got:
                expect_rule(board, "row count", label, got[1], "row_count", want,
                            "fail when |rows - expected| > 5 % of expected, either way")

        values = [("the day", day) for day in (*CLEAN_DAYS, DEFECT_DAY, FEES_DAY, LATE_CLIENTS_DAY, MISSING_DAY)]
        found = pasted(statements, values)
        board.expect("values bound", bool(statements) and not found,
                     lambda: "no statement ran" if not statements else
                     f"{found[0][0]} is pasted into the SQL text: {found[0][1][:140]!r}; bind it (%s and a tuple)")

        for argument in ("table", "clients_table"):
            for payload in PAYLOADS:
                label = f"{argument}={payload!r}"
                outcome, spy = gate(CLEAN_DAYS[0], 60, label, poison=payload, **{argument: payload})
                ran = [sql for sql, _ in spy.statements if payload.upper() in " ".join(sql.split()).upper()]
                board.expect("identifiers validated", outcome.raised(ValueError) and not ran,
                             lambda label=label, outcome=outcome, ran=ran: (
                                 f"{label} reached the warehouse: {' '.join(ran[0].split())[:120]!r}" if ran else
                                 f"{label} should raise ValueError before any SQL; it "
                                 + ("returned normally" if outcome.ok else outcome.error)))
        label = "table='fct_appointments' (lower case, a valid name)"
        outcome, _ = gate(CLEAN_DAYS[0], counts[CLEAN_DAYS[0]], label, table="fct_appointments")
        board.expect("identifiers validated", outcome.ok,
                     f"{label} should be accepted; your function {outcome.error}")
    candidate.judge_budget(board)
    return board.checks()
