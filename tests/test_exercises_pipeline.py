"""The notebook 12 graders accept the reference answers and reject broken ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

import sim
from solutions.exercises import pipeline as ex
from solutions.pipeline import DataProblem
from solutions.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("ex_pipeline"))
    yield world
    sim.stop()


def not_attempted(*args, **kwargs):
    raise NotImplementedError


def tables(world):
    return world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.INFORMATION_SCHEMA.TABLES")[0][0]


GRADERS = [(ex.grade_logical_dates_for_backfill, ex.logical_dates_for_backfill),
           (ex.grade_check_contract, ex.check_contract), (ex.grade_day_fingerprint, ex.day_fingerprint)]


@pytest.mark.parametrize("grader", [g for g, _ in GRADERS])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


@pytest.mark.parametrize("grader, fn", GRADERS)
def test_the_reference_answers_pass(grader, fn, world):
    before = tables(world)
    g = grader(fn, show=False)
    assert g.passed, g.lines
    assert tables(world) == before


# -- backfill ------------------------------------------------------------------------------------------------


def data_days(first_day, last_day):
    """The days themselves: each run would process the day before the one wanted."""
    return [first_day + dt.timedelta(days=n) for n in range((last_day - first_day).days + 1)]


def off_by_one(first_day, last_day):
    """Stops a day early (range end exclusive) and never checks the order of the arguments."""
    return [first_day + dt.timedelta(days=n + 1) for n in range((last_day - first_day).days)]


def test_backfill_of_the_data_days_themselves_fails():
    g = ex.grade_logical_dates_for_backfill(data_days, show=False)
    assert failed_exactly(g, "one day", "three days", "across a month end", "first_day after")


def test_backfill_off_by_one_fails():
    g = ex.grade_logical_dates_for_backfill(off_by_one, show=False)
    assert failed_exactly(g, "one day", "three days", "across a month end", "first_day after")


# -- contract ------------------------------------------------------------------------------------------------


def counts_rows(marker_body, day, records):
    """Counts records, duplicates included."""
    marker = json.loads(marker_body)
    if len(records) != marker["appointments"]:
        raise DataProblem("count differs", ["count differs"])
    return len(records)


def trusts_any_day(marker_body, day, records):
    """Never looks at the marker's day, and lets a broken marker raise whatever json raises."""
    unique = len({r["appointment_id"] for r in records})
    if unique != json.loads(marker_body)["appointments"]:
        raise DataProblem("count differs", ["count differs"])
    return unique


def test_counting_duplicates_fails():
    g = ex.grade_check_contract(counts_rows, show=False)
    assert failed_exactly(g, "duplicates count once", "a marker for another day", "an unreadable marker",
                  "a marker without a count")


def test_ignoring_the_marker_day_fails():
    g = ex.grade_check_contract(trusts_any_day, show=False)
    assert failed_exactly(g, "a marker for another day", "an unreadable marker", "a marker without a count")


# -- fingerprint ---------------------------------------------------------------------------------------------


def unsorted(cursor, table, date_column, day):
    """Hashes rows in storage order: the same data stored differently looks different."""
    from solutions.sql import quote_identifier, quote_table

    cursor.execute(f"SELECT * FROM {quote_table(table)} WHERE {quote_identifier(date_column)} = %s", (day,))
    rows = [repr(r) for r in cursor.fetchall()]
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def count_only(cursor, table, date_column, day):
    """A row count is not a fingerprint: a changed value goes unnoticed."""
    from solutions.sql import quote_identifier, quote_table

    cursor.execute(f"SELECT COUNT(*) FROM {quote_table(table)} WHERE {quote_identifier(date_column)} = %s", (day,))
    n = cursor.fetchone()[0]
    return n, str(n)


def whole_table(cursor, table, date_column, day):
    """Ignores the day, and formats the table name into SQL unchecked."""
    cursor.execute(f"SELECT * FROM {table}")
    rows = sorted(repr(r) for r in cursor.fetchall())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def test_unsorted_hash_fails_on_storage_order():
    assert failed_exactly(ex.grade_day_fingerprint(unsorted, show=False), "same rows in another order")


def test_count_only_misses_a_changed_value():
    assert failed_exactly(ex.grade_day_fingerprint(count_only, show=False), "one value changed")


def test_whole_table_fails(world):
    g = ex.grade_day_fingerprint(whole_table, show=False)
    assert failed_exactly(g, "counts the day's rows", "another day's change", "days differ", "an injected table name")
