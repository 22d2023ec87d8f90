"""Exercises of notebook 15 (incremental models): the graders, and reference answers to read after trying.

1. **Apply a change feed** (Python): merge a batch of the partner's ``updated_since`` records, tombstones
   included, into a table keyed by appointment id, the way a ``merge`` must: newest version wins, whatever
   order the records arrive in, and applying the same batch twice changes nothing.
2. **The batch of an incremental model** (dbt SQL): the ``select`` of a merge model that re-reads a day of
   late-replicated rows. The grader renders the Jinja the way dbt does for this (``is_incremental()``,
   ``{{ this }}``, ``{{ source('backend', 'appointments') }}``, with jinja2, dbt's own template engine) and runs
   the SQL on DuckDB against small tables built for each case.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade, run_on_duckdb

# -- reference answers ---------------------------------------------------------------------------------------


def apply_changes(table: dict[int, dict], batch: list[dict]) -> dict[int, dict]:
    """A new table: ``table`` with ``batch`` merged in. Each record has ``appointment_id``, ``updated_at``
    (ISO text: compares as time) and ``deleted``. Per key the newest ``updated_at`` wins, tombstones included;
    a record older than what the table holds changes nothing. ``table`` itself is left as it was."""
    merged = dict(table)
    for record in sorted(batch, key=lambda r: r["updated_at"]):
        key = record["appointment_id"]
        held = merged.get(key)
        if held is not None and held["updated_at"] > record["updated_at"]:
            continue
        if record["deleted"]:
            merged.pop(key, None)
        else:
            merged[key] = record
    return merged


def batch_sql() -> str:
    """The merge model's select: everything on the first run; afterwards the rows updated since a day before
    the table's newest ``UPDATED_AT`` (the day re-read for rows the replication delivered late). ``coalesce``:
    an empty table has no newest row, and ``>= NULL`` would select nothing."""
    return """
        select APPOINTMENT_ID, STATUS, UPDATED_AT
        from {{ source('backend', 'appointments') }}
        {% if is_incremental() %}
        where UPDATED_AT >= (
            select coalesce(max(UPDATED_AT), timestamp '1900-01-01') - interval 1 day from {{ this }}
        )
        {% endif %}
    """


# -- grader 1: apply_changes ---------------------------------------------------------------------------------


def _rec(key: int, at: str, status: str = "completed", deleted: bool = False) -> dict:
    if deleted:
        return {"appointment_id": key, "updated_at": at, "deleted": True}
    return {"appointment_id": key, "updated_at": at, "deleted": False, "status": status}


def _random_feed(seed: int, keys: int = 40, records: int = 400) -> list[list[dict]]:
    """Batches of a feed with repeats, out-of-order arrivals and tombstones (seeded)."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 9, 1)
    out = []
    for _ in range(records):
        at = (start + dt.timedelta(minutes=rng.randrange(20_000))).isoformat()
        out.append(_rec(rng.randrange(keys), at, rng.choice(["completed", "no_show", "cancelled"]),
                        deleted=rng.random() < 0.1))
    return [out[i:i + 37] for i in range(0, len(out), 37)]


def _call(fn: Callable, table: dict, batch: list) -> dict:
    result = fn(table, batch)
    if not isinstance(result, dict):
        raise Mismatch(f"return the merged table as a dict keyed by appointment id, got {type(result).__name__}")
    return result


def grade_apply_changes(fn: Callable[[dict, list], dict], *, show: bool = True) -> Grade:
    v1, v2 = _rec(1, "2025-09-10T10:00:00"), _rec(1, "2025-09-12T09:00:00", "no_show")
    gone = _rec(1, "2025-09-13T08:00:00", deleted=True)

    def feed_matches(_: Any) -> None:
        for seed in (1, 2, 3):
            mine, truth = {}, {}
            for batch in _random_feed(seed):
                mine, truth = _call(fn, mine, batch), apply_changes(truth, batch)
            expect(mine, truth, f"table after a seeded feed of 400 records (seed {seed})")

    def untouched(_: Any) -> None:
        table = {1: v1}
        before = copy.deepcopy(table)
        _call(fn, table, [v2, _rec(2, "2025-09-12T10:00:00")])
        expect(table, before, "the table passed in (build a new one: the old one is the rerun's input)")

    checks = [
        ("new records are inserted", lambda f: expect(_call(f, {}, [v1]), {1: v1}, "table")),
        ("a newer version replaces the old one", lambda f: expect(_call(f, {1: v1}, [v2]), {1: v2}, "table")),
        ("a tombstone deletes", lambda f: expect(_call(f, {1: v2}, [gone]), {}, "table")),
        ("an older version arriving late changes nothing",
         lambda f: expect(_call(f, {1: v2}, [v1]), {1: v2}, "table (the feed delivered v1 after v2)")),
        ("within a batch the newest wins, whatever the order",
         lambda f: expect(_call(f, {}, [v2, v1]), {1: v2}, "table from [v2, v1]")),
        ("a tombstone then an older version: still deleted",
         lambda f: expect(_call(f, {1: v1}, [gone, v2]), {}, "table from [tombstone, v2]")),
        ("applying the same batch twice changes nothing",
         lambda f: expect(_call(f, _call(f, {1: v1}, [v2, gone, _rec(3, "2025-09-12T00:00:00")]),
                                [v2, gone, _rec(3, "2025-09-12T00:00:00")]),
                          apply_changes({1: v1}, [v2, gone, _rec(3, "2025-09-12T00:00:00")]), "table")),
        ("the table passed in is not modified", untouched),
        ("a long feed with repeats, late arrivals and deletes", feed_matches),
    ]
    return grade("apply_changes", fn, checks, show=show)


# -- grader 2: the batch of an incremental model --------------------------------------------------------------

_MARK = dt.datetime(2025, 9, 20, 2, 0)
#: (appointment id, status, updated_at) of the source in every case; the target holds ids 1-3 as of _MARK
_SOURCE = [
    (1, "completed", dt.datetime(2025, 9, 1, 9, 0)),      # old, unchanged: not in the batch
    (2, "no_show", dt.datetime(2025, 9, 19, 2, 0)),       # exactly a day before the mark: in the batch
    (3, "cancelled", _MARK),                              # at the mark: in the batch
    (4, "completed", dt.datetime(2025, 9, 19, 1, 59)),    # replicated late, a minute outside the day: not in
    (5, "completed", dt.datetime(2025, 9, 21, 8, 0)),     # new since the mark
    (6, "no_show", dt.datetime(2025, 9, 19, 12, 0)),      # replicated late, inside the day: in the batch
]
_TARGET = [(1, "completed", dt.datetime(2025, 9, 1, 9, 0)), (2, "completed", dt.datetime(2025, 9, 3, 9, 0)),
           (3, "completed", _MARK)]


def render(sql: str, *, incremental: bool) -> str:
    """The model's Jinja as dbt renders it for this exercise (jinja2: dbt's template engine)."""
    import jinja2

    def source(name: str, table: str) -> str:
        if (name, table) != ("backend", "appointments"):
            raise Mismatch(f"source('{name}', '{table}'): the model reads source('backend', 'appointments')")
        return "src"

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)  # noqa: S701 - renders SQL, not HTML (as dbt does)
    try:
        return env.from_string(sql).render(is_incremental=lambda: incremental, this="target", source=source)
    except jinja2.TemplateError as error:
        raise Mismatch(f"the Jinja does not render: {error}") from None


def _batch(sql: str, *, incremental: bool, target: list[tuple] | None = None) -> list[int]:
    if "{{ source(" not in sql.replace("{{source(", "{{ source("):
        raise Mismatch("read {{ source('backend', 'appointments') }}, not a table name: dbt resolves the source")
    columns = "APPOINTMENT_ID INTEGER, STATUS VARCHAR, UPDATED_AT TIMESTAMP"
    names, rows = run_on_duckdb(render(sql, incremental=incremental),
                                {"src": (columns, _SOURCE), "target": (columns, _TARGET if target is None else target)})
    if "APPOINTMENT_ID" not in names:
        raise Mismatch(f"select APPOINTMENT_ID (and the other columns); got {names}")
    return sorted(row[names.index("APPOINTMENT_ID")] for row in rows)


def grade_batch_sql(fn: Callable[[], str], *, show: bool = True) -> Grade:
    def sql() -> str:
        text = fn()
        if not isinstance(text, str) or not text.strip():
            raise Mismatch(f"return the model's SQL as a string, got {type(text).__name__}")
        return text

    checks = [
        ("the first run reads everything",
         lambda f: expect(_batch(sql(), incremental=False), [1, 2, 3, 4, 5, 6], "rows of the first run")),
        ("the row at the high-water mark is read again (>=, not >)",
         lambda f: _must_contain(_batch(sql(), incremental=True), 3, "updated exactly at the table's newest "
                                 "UPDATED_AT: written in the same second after the last run read it")),
        ("a row replicated late, inside the day before the mark, is read",
         lambda f: _must_contain(_batch(sql(), incremental=True), 6, "updated 14 hours before the mark, "
                                 "landed after it: only a lookback on UPDATED_AT sees it")),
        ("the day's boundary is inclusive",
         lambda f: _must_contain(_batch(sql(), incremental=True), 2, "updated exactly a day before the mark")),
        ("an incremental run reads only the window",
         lambda f: expect(_batch(sql(), incremental=True), [2, 3, 5, 6], "rows of an incremental run")),
        ("an empty table (after a failed first load) is filled",
         lambda f: expect(_batch(sql(), incremental=True, target=[]), [1, 2, 3, 4, 5, 6],
                          "rows when the table exists but is empty (max() is NULL)")),
    ]
    return grade("batch_sql", fn, checks, show=show)


def _must_contain(ids: list[int], key: int, why: str) -> None:
    if key not in ids:
        raise Mismatch(f"appointment {key} is missing from the batch ({why}); the batch was {ids}")
