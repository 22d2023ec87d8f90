"""Exercises of notebook 17 (CDC and Snowflake's change features): the graders, and reference answers to read
after trying.

1. ``upsert_sql()``: the ``MERGE`` that applies batch ``%(batch)s`` of ``ANALYTICS.CDC.APPOINTMENT_CHANGES`` to
   ``ANALYTICS.CDC.APPOINTMENTS`` (``solutions.cdc``'s tables): the newest version of each key wins, a delete
   is a tombstone (``IS_DELETED``), the same batch twice changes nothing, and batches in any order give the same
   table. Graded by running it on the sim against hand-made batches whose traps each catch one mistake.
2. ``restore_sql(table, query_id)``: the Snowflake statement that creates ``<table>_RESTORED``, a zero-copy
   clone of ``table`` as it was just before the statement ``query_id`` ran. The sim cannot run Time Travel,
   so the grader reads the statement with sqlglot's Snowflake dialect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade

# -- reference answers ---------------------------------------------------------------------------------------


def upsert_sql() -> str:
    """The kit's ``MERGE_LATEST`` (read it in ``solutions/cdc.py``)."""
    from solutions.cdc import MERGE_LATEST

    return MERGE_LATEST


def restore_sql(table: str, query_id: str) -> str:
    """A clone of the table as it was immediately before the statement: ``BEFORE``, not ``AT``."""
    return f"CREATE TABLE {table}_RESTORED CLONE {table} BEFORE (STATEMENT => '{query_id}')"


# -- grader 1: the MERGE, run on hand-made batches ------------------------------------------------------------

T0, T1, T2, T3 = "2025-09-10 09:00:00", "2025-09-11 09:00:00", "2025-09-12 09:00:00", "2025-09-13 09:00:00"
#: (key, status, updated_at, deleted) per row; the other columns are derived from the key
START = [(1, "completed", T0, False), (2, "completed", T1, False), (3, "completed", T0, False),
         (4, "completed", T0, False)]
BATCHES = {
    1: [(1, "cancelled", T3, False), (1, "no_show", T2, False),  # two versions in one batch: the newest wins
        (5, "completed", T2, False), (5, "no_show", T1, False),  # ...whatever the order they are listed in
        (2, "no_show", T0, False),  # older than the replica's version: ignored
        (3, None, T2, True),  # a delete
        (6, None, T2, True)],  # a delete of a record the replica never saw
    2: [(3, "no_show", T1, False),  # an update older than the delete, arriving after it
        (6, "completed", T1, False),  # the deleted record's insert, arriving late
        (4, "no_show", T1, False)],  # a plain newer update
}
#: the live rows once both batches are applied, in any order: key -> status
EXPECTED = {1: "cancelled", 2: "completed", 4: "no_show", 5: "completed"}


def _row(seq: int | None, batch: int | None, key: int, status: str | None, at: str, deleted: bool) -> tuple:
    values = (key, None if deleted else 100000 + key, None if deleted else 5000 + key,
              None if deleted else "2025-09-09", status, None if deleted else int(status == "no_show"),
              None if deleted else "150.00", at, deleted)
    return values if seq is None else (seq, batch, *values)


def _load(cur: Any) -> None:
    """Reset the replica and the change log to the hand-made start (the tables exist already)."""
    from solutions.cdc import CHANGE_LOG, REPLICA

    replica = [_row(None, None, *r) for r in START]
    log = [_row(seq, batch, *change) for seq, (batch, change) in
           enumerate(((b, c) for b, changes in BATCHES.items() for c in changes), start=1)]
    for table, rows in ((REPLICA, replica), (CHANGE_LOG, log)):
        cur.execute(f"DELETE FROM {table}")
        marks = ", ".join(["(" + ", ".join(["%s"] * len(rows[0])) + ")"] * len(rows))
        cur.execute(f"INSERT INTO {table} VALUES {marks}", [value for row in rows for value in row])


def _apply(cur: Any, sql: str, batches: list[int]) -> None:
    for batch in batches:
        try:
            cur.execute(sql, {"batch": batch})
        except Exception as error:  # noqa: BLE001 - the attempt's SQL error is the grade's message
            raise Mismatch(f"the MERGE failed on batch {batch}: {type(error).__name__}: {error}") from None


def _live(cur: Any) -> dict[int, str]:
    from solutions.cdc import REPLICA

    cur.execute(f"SELECT APPOINTMENT_ID, STATUS FROM {REPLICA} WHERE NOT IS_DELETED ORDER BY 1")
    return {int(k): s for k, s in cur.fetchall()}


def grade_upsert_sql(fn: Callable[[], str], *, show: bool = True) -> Grade:
    """Run the attempt's MERGE on the hand-made replica and batches, in order, again, and in reverse."""
    import snowflake.connector

    from solutions.cdc import LIVE_REPLICA, create_tables, fingerprint

    conn = snowflake.connector.connect()
    cur = conn.cursor()
    create_tables(cur)
    seen: dict[tuple[int, ...], dict[int, str]] = {}

    def sql_of(f: Callable[[], str]) -> str:
        sql = f()
        if not isinstance(sql, str) or "%(batch)s" not in sql:
            raise Mismatch("expected the MERGE as a string that reads the batch number as %(batch)s")
        return sql

    def live_after(batches: list[int]) -> dict[int, str]:
        if tuple(batches) not in seen:  # each order of batches is run once per grade, on a fresh start
            _load(cur)
            _apply(cur, sql_of(fn), batches)
            seen[tuple(batches)] = _live(cur)
        return seen[tuple(batches)]

    def status_of(key: int, batches: list[int], why: str) -> None:
        expect(live_after(batches).get(key), EXPECTED.get(key), f"appointment {key}'s live status ({why})")

    def twice(f: Callable[[], str]) -> None:
        _load(cur)
        _apply(cur, sql_of(f), [1, 2])
        once = fingerprint(cur, LIVE_REPLICA)
        _apply(cur, sql_of(f), [1, 2])
        expect(fingerprint(cur, LIVE_REPLICA), once, "(rows, content hash) after applying both batches a second time")

    def any_order(f: Callable[[], str]) -> None:
        in_order, backwards = live_after([1, 2]), live_after([2, 1])
        expect(backwards, in_order, "live rows with the batches applied in reverse order")
        expect(in_order, EXPECTED, "live rows after both batches")

    checks = [
        ("the newest version of a key in one batch wins", lambda f: (
            status_of(1, [1], "cancelled at T3 beats no_show at T2, listed after it"),
            expect(live_after([1]).get(5), "completed", "appointment 5 (completed at T2 beats no_show at T1)"))),
        ("an older version never overwrites a newer one", lambda f: status_of(2, [1, 2], "the replica's T1 "
                                                                              "version beats a T0 change")),
        ("a delete removes the record from the live rows", lambda f: expect(
            3 in live_after([1]), False, "appointment 3 among the live rows after its delete")),
        ("a late, older version does not bring a deleted record back", lambda f: (
            expect(3 in live_after([1, 2]), False, "appointment 3 (deleted at T2, older update at T1 "
                                                    "arrives later)"),
            expect(6 in live_after([1, 2]), False, "appointment 6 (deleted at T2 before the replica ever "
                                                    "saw it; its T1 insert arrives later)"))),
        ("a plain newer update is applied", lambda f: status_of(4, [1, 2], "no_show at T1 beats completed at T0")),
        ("the same batches twice change nothing (content hash)", twice),
        ("batches in any order give the same table", any_order),
    ]
    try:
        return grade("upsert_sql", fn, checks, show=show)
    finally:
        conn.close()


# -- grader 2: the restore statement, read by sqlglot ------------------------------------------------------------


def _name(table: Any) -> str:
    return ".".join(part.name.upper() for part in table.parts)


def grade_restore_sql(fn: Callable[[str, str], str], *, show: bool = True) -> Grade:
    """Parse the attempt with sqlglot's Snowflake dialect and check what it asks Snowflake to do."""
    import sqlglot
    from sqlglot import exp

    cases = [("ANALYTICS.MARTS.FCT_PAYMENTS", "01bd2f6e-0000-7a1c-0000-0001234abcd1"),
             ("fct_appointments", "01bd2f6e-0000-7a1c-0000-0009876fedc2")]

    def parsed(table: str, query_id: str) -> Any:
        text = fn(table, query_id)
        if not isinstance(text, str):
            raise Mismatch(f"expected the SQL as a string, got {type(text).__name__}")
        try:
            statements = [s for s in sqlglot.parse(text, read="snowflake") if s is not None]
        except sqlglot.errors.ParseError as error:
            raise Mismatch(f"sqlglot's Snowflake dialect cannot parse it: {str(error).splitlines()[0]}") from None
        if len(statements) != 1:
            raise Mismatch(f"expected one statement, got {len(statements)}")
        return statements[0]

    def a_clone(f: Callable[..., str]) -> None:
        for table, query_id in cases:
            statement = parsed(table, query_id)
            if isinstance(statement, exp.Create) and statement.args.get("expression") is not None:
                raise Mismatch("CREATE TABLE ... AS SELECT copies every row (new storage, the full cost); a "
                               "CLONE is metadata only: CREATE TABLE <new> CLONE <table> ...")
            clone = statement.args.get("clone") if isinstance(statement, exp.Create) else None
            if clone is None or str(statement.args.get("kind")).upper() != "TABLE":
                raise Mismatch(f"expected CREATE TABLE ... CLONE ..., got {statement.sql('snowflake')[:80]!r}")
            expect(_name(statement.this), f"{table}_RESTORED".upper(), "the new table's name")
            expect(_name(clone.this), table.upper(), "the table cloned")

    def just_before(f: Callable[..., str]) -> None:
        for table, query_id in cases:
            clone = parsed(table, query_id).args["clone"]
            when = clone.this.args.get("when")
            if when is None:
                raise Mismatch("no AT/BEFORE clause: the clone would copy the table as it is now, with the bad "
                               "change in it")
            point = f"{when.this}({when.args.get('kind')} => ...)"
            expect(str(when.args.get("kind")).upper(), "STATEMENT",
                   f"the point in time ({point}): the query id pins it exactly; a timestamp or an offset is a guess")
            expect(str(when.this).upper(), "BEFORE",
                   f"the point in time ({point}): AT(STATEMENT => id) includes that statement's changes")
            expect(when.expression.name, query_id, "the query id")

    checks = [("a zero-copy clone of the table, named <table>_RESTORED", a_clone),
              ("as it was just before the statement", just_before)]
    return grade("restore_sql", fn, checks, show=show)
