"""Hidden checks of load_day: the partner's days of a sim world loaded into a fakesnow table that already holds
other days; loaded again, with corrections, with overlapping pages, and killed half-way. The connection handed to
the candidate records every statement and can play the process dying just before the first write to the table;
the dead connection is then closed, as a killed process's is, and the table read from a fresh one."""

from __future__ import annotations

import contextlib
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sim
from interview.checking_data import Board, Candidate, SpyConnection, pasted

CHECKS = ("first load", "rerun does not duplicate", "late correction applied", "crash mid-load",
          "batch duplicates collapse", "other days untouched", "values bound", "identifiers validated",
          "time budget")
BUDGET = 10.0
NAME = "APPOINTMENTS_LOADED"
TABLE = f"RAW.STAGING.{NAME}"
GIVEN = f"raw.staging.{NAME.lower()}"  # what the candidate is given: qualified, lower case
COLUMNS = "APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT"
WRITES = ("INSERT", "MERGE", "COPY", "UPDATE")
PAYLOADS = (f"{NAME}; DROP TABLE {TABLE}", f'{NAME}" WHERE 1=1 --', f"{NAME} t, RAW.STAGING.X")


def writes_the_table(sql: str) -> bool:
    """The first INSERT/MERGE/COPY/UPDATE into the target: where a kill hurts a load that is not atomic."""
    return sql.lstrip("( ").startswith(WRITES) and NAME in sql


def truth(batch: list[dict]) -> list[tuple]:
    rows = {int(r["appointment_id"]): (int(r["appointment_id"]), int(r["client_id"]),
                                       date.fromisoformat(r["appointment_date"]), r["status"],
                                       Decimal(r["fee_amount"])) for r in batch}
    return sorted(rows.values())


def compare(board: Board, name: str, scenario: str, got: list[tuple] | str, want: list[tuple]) -> None:
    if got == want:
        board.expect(name, True)
        return
    if isinstance(got, str):
        board.expect(name, False, f"{scenario}: {got}")
        return
    ids, wanted = Counter(r[0] for r in got), {r[0]: r for r in want}
    twice = sorted(i for i, n in ids.items() if n > 1)
    lost = sorted(set(wanted) - set(ids))
    stale = sorted(r[0] for r in got if r[0] in wanted and ids[r[0]] == 1 and r != wanted[r[0]])
    board.expect(name, False, f"{scenario}: the day holds {len(got)} rows for {len(want)} appointments: "
                              f"{len(twice)} appointment(s) twice, {len(lost)} lost, {len(stale)} with other values "
                              f"than the batch's" + (f" (e.g. {twice[0]} twice)" if twice else ""))


def check(solution: Path) -> list:
    board = Board(CHECKS)
    candidate = Candidate(solution, "load_day", BUDGET)
    if not candidate.ready(board):
        return board.checks()
    with sim.running(seed=53, appointments=700, days=20) as world:
        days = [date(2025, 9, 1) + timedelta(days=n) for n in range(20)]
        others, first, second = (days[3], days[12]), days[5], days[8]
        records = {d: world.partner.records(d, d) for d in (*others, first, second)}
        world.warehouse.query(f"CREATE OR REPLACE TABLE {TABLE} (APPOINTMENT_ID NUMBER(38,0), "
                              "CLIENT_ID NUMBER(38,0), APPOINTMENT_DATE DATE, STATUS VARCHAR, FEE_AMOUNT NUMBER(10,2))")

        def put(day: date, rows: list[tuple]) -> None:  # the grader's own writes, bound
            with contextlib.suppress(Exception):  # a table the candidate dropped is reported when it is read
                world.warehouse.query(f"DELETE FROM {TABLE} WHERE APPOINTMENT_DATE = %s", (day,))
                marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
                world.warehouse.query(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES {marks}",
                                      [v for row in rows for v in row])

        def rows_of(day: date) -> list[tuple] | str:
            try:
                return sorted(world.warehouse.query(f"SELECT {COLUMNS} FROM {TABLE} WHERE APPOINTMENT_DATE = %s",
                                                    (day,)))
            except Exception as error:  # noqa: BLE001 - the candidate's code may have dropped or altered the table
                return f"the table could not be read ({type(error).__name__}: {error})"

        for day in others:
            put(day, truth(records[day]))
        kept = {day: rows_of(day) for day in others}
        statements: list[tuple[str, Any]] = []

        def load(day: date, batch: list[dict], label: str, die: bool = False) -> Any:
            real = world.warehouse.connect(database="RAW", schema="STAGING")
            conn = SpyConnection(real, dies_before=writes_the_table if die else None)
            try:
                return candidate.call(conn, GIVEN, day, [dict(r) for r in batch], label=label)
            finally:
                statements.extend(conn.statements)
                real.close()  # a killed process's connection closes: Snowflake rolls back what it left open

        scenario = f"loading {first} ({len(records[first])} appointments) into a table holding other days"
        if board.ran("first load", load(first, records[first], scenario), scenario):
            compare(board, "first load", scenario, rows_of(first), truth(records[first]))

        scenario = f"loading {first} a second time, same batch"
        if board.ran("rerun does not duplicate", load(first, records[first], scenario), scenario):
            compare(board, "rerun does not duplicate", scenario, rows_of(first), truth(records[first]))

        corrected = [dict(r) for r in records[first]]
        for n, fix in ((1, {"status": "cancelled", "fee_amount": "0.00"}), (4, {"status": "no_show"}),
                       (7, {"fee_amount": str(Decimal(corrected[7]["fee_amount"]) + Decimal("12.50"))})):
            corrected[n].update(fix)
        scenario = f"reloading {first} with three corrected appointments"
        if board.ran("late correction applied", load(first, corrected, scenario), scenario):
            compare(board, "late correction applied", scenario, rows_of(first), truth(corrected))

        put(first, truth(corrected))  # a known state before the kill, whatever happened above
        scenario = f"reloading {first}, the process killed just before its first write to the table"
        load(first, corrected, scenario, die=True)
        compare(board, "crash mid-load", scenario + " (read after the kill)", rows_of(first), truth(corrected))
        scenario = f"retrying {first} after the kill"
        if board.ran("crash mid-load", load(first, corrected, scenario), scenario):
            compare(board, "crash mid-load", scenario, rows_of(first), truth(corrected))

        overlapping = records[second] + [dict(records[second][n]) for n in (0, 9, 17)]
        scenario = f"loading {second}, three records served twice (pages overlap)"
        if board.ran("batch duplicates collapse", load(second, overlapping, scenario), scenario):
            compare(board, "batch duplicates collapse", scenario, rows_of(second), truth(records[second]))

        changed = [day for day in others if rows_of(day) != kept[day]]
        board.expect("other days untouched", not changed,
                     f"the rows of {', '.join(map(str, changed))} changed while other days were loaded: "
                     "scope every DELETE or MERGE to the day being loaded")

        values = [("the day", first), ("the day", second)] + [
            ("a fee", r["fee_amount"]) for r in records[first][:5]]
        found = pasted(statements, values)
        board.expect("values bound", bool(statements) and not found,
                     lambda: "no statement ran" if not statements else
                     f"{found[0][0]} is pasted into the SQL text: {found[0][1][:140]!r}; pass "
                     "values as parameters (%s and a tuple, or executemany), never inside the string")

        before = {day: rows_of(day) for day in others}
        for payload in PAYLOADS:
            real = world.warehouse.connect(database="RAW", schema="STAGING")
            conn = SpyConnection(real, poison=payload)
            try:
                outcome = candidate.call(conn, payload, first, [dict(r) for r in records[first]], label="a bad name")
            finally:
                real.close()
            ran = [sql for sql, _ in conn.statements if payload.upper() in " ".join(sql.split()).upper()]
            board.expect("identifiers validated", outcome.raised(ValueError) and not ran,
                         lambda payload=payload, outcome=outcome, ran=ran: (
                             f"table={payload!r} reached the warehouse: {' '.join(ran[0].split())[:120]!r}" if ran
                             else f"table={payload!r} should raise ValueError before any SQL; it "
                             + ("returned normally" if outcome.ok else outcome.error)))
        changed = [day for day in others if rows_of(day) != before[day]]
        board.expect("identifiers validated", not changed, "a bad table name changed other days' rows")
    candidate.judge_budget(board)
    return board.checks()
