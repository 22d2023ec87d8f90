"""The notebook 07 graders accept the reference answers and reject broken ones, the syllabus's style among them."""

from __future__ import annotations

import datetime as dt

import pytest

from exercises import quality as ex
from exercises.grading import failed_exactly

DEFECTS = {"null_client_id": 0.05, "orphan_client_id": 3, "duplicate_appointment_id": 2, "out_of_range_date": 2,
           "missing_day": True}


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world(defects=DEFECTS)


def tables(world):
    return world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.INFORMATION_SCHEMA.TABLES")[0][0]


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_check_freshness, ex.grade_count_unaccepted, ex.grade_null_percentage])
def test_not_attempted_is_reported_calmly(grader, world):
    before = tables(world)
    assert grader(not_attempted, show=False).status == "not attempted"
    assert tables(world) == before  # scratch tables are dropped


# -- check_freshness -----------------------------------------------------------------------------------------


def freshness_wall_clock(cursor, table, column, as_of, max_age):
    cursor.execute(f"SELECT MAX({column}) FROM {table}")
    (latest,) = cursor.fetchone()
    return latest is not None and latest >= dt.datetime.now() - max_age


def freshness_min(cursor, table, column, as_of, max_age):
    from solutions.sql import quote_identifier, quote_table
    cursor.execute(f"SELECT MIN({quote_identifier(column)}) FROM {quote_table(table)}")
    (oldest,) = cursor.fetchone()
    return oldest is not None and oldest >= as_of - max_age


def freshness_empty_is_fresh(cursor, table, column, as_of, max_age):
    from solutions.sql import quote_identifier, quote_table
    cursor.execute(f"SELECT MAX({quote_identifier(column)}) FROM {quote_table(table)}")
    (latest,) = cursor.fetchone()
    return latest is None or latest >= as_of - max_age


def freshness_f_string(cursor, table, column, as_of, max_age):
    """The syllabus's way: names formatted straight into SQL."""
    cursor.execute(f"SELECT MAX({column}) FROM {table}")
    (latest,) = cursor.fetchone()
    return latest is not None and latest >= as_of - max_age


def test_freshness_accepts_the_reference(world):
    before = tables(world)
    assert ex.grade_check_freshness(ex.check_freshness, show=False).passed
    assert tables(world) == before


@pytest.mark.parametrize("fn, checks", [
    (freshness_wall_clock, ["fresh", "exactly", "an injected table name"]),
    (freshness_min, ["fresh", "exactly"]),
    (freshness_empty_is_fresh, ["an empty table"]),
    (freshness_f_string, ["an injected table name"]),
])
def test_freshness_rejects_broken_versions(fn, checks, world):
    g = ex.grade_check_freshness(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    assert world.warehouse.query("SELECT COUNT(*) FROM dim_clients")[0][0] > 0


def test_the_f_string_version_really_dropped_the_scratch_victim():
    g = ex.grade_check_freshness(freshness_f_string, show=False)
    assert "so did the injected DROP: EXERCISE_VICTIM is gone" in "\n".join(g.lines)


# -- count_unaccepted ----------------------------------------------------------------------------------------


def unaccepted_f_string(cursor, table, column, accepted):
    """The syllabus's way: values pasted between quotes."""
    values = ", ".join(f"'{v}'" for v in accepted)
    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} NOT IN ({values})")
    return cursor.fetchone()[0]


def unaccepted_counts_nulls(cursor, table, column, accepted):
    from solutions.sql import quote_identifier, quote_table
    col = quote_identifier(column)
    marks = ", ".join(["%s"] * len(accepted))
    cursor.execute(f"SELECT COUNT(*) FROM {quote_table(table)} WHERE {col} IS NULL OR {col} NOT IN ({marks})",
                   tuple(accepted))
    return cursor.fetchone()[0]


def test_count_unaccepted_accepts_the_reference(world):
    before = tables(world)
    assert ex.grade_count_unaccepted(ex.count_unaccepted, show=False).passed
    assert tables(world) == before


@pytest.mark.parametrize("fn, checks", [
    (unaccepted_f_string, ["a quote inside", "NULL is not", "an accepted value cannot", "an injected column",
                           "the accepted values are bound"]),
    (unaccepted_counts_nulls, ["a quote inside", "NULL is not", "an accepted value cannot"]),
])
def test_count_unaccepted_rejects_broken_versions(fn, checks):
    g = ex.grade_count_unaccepted(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- null_percentage -----------------------------------------------------------------------------------------


def null_pct_syllabus(cursor, table, column, date_column, day):
    """The syllabus's check_null_percentage, returning its value: the whole table, whatever the day."""
    cursor.execute(f"SELECT COUNT(*) as total, SUM(CASE WHEN {column} IS NULL THEN 1 ELSE 0 END) as null_count "
                   f"FROM {table}")
    total, null_count = cursor.fetchone()
    if total == 0:
        return
    return (null_count / total) * 100


def null_pct_no_guard(cursor, table, column, date_column, day):
    from solutions.sql import quote_identifier, quote_table
    col = quote_identifier(column)
    cursor.execute(f"SELECT COUNT(*), COUNT(CASE WHEN {col} IS NULL THEN 1 END) FROM {quote_table(table)} "
                   f"WHERE {quote_identifier(date_column)} = %s", (day,))
    total, nulls = cursor.fetchone()
    return nulls / total * 100


def null_pct_zero_for_empty(cursor, table, column, date_column, day):
    value = ex.null_percentage(cursor, table, column, date_column, day)
    return 0.0 if value is None else value


def test_null_percentage_accepts_the_reference():
    assert ex.grade_null_percentage(ex.null_percentage, show=False).passed


@pytest.mark.parametrize("fn, checks", [
    (null_pct_syllabus, ["the defect day", "a clean day", "a day with no rows", "an injected column"]),
    (null_pct_no_guard, ["a day with no rows"]),
    (null_pct_zero_for_empty, ["a day with no rows"]),
])
def test_null_percentage_rejects_broken_versions(fn, checks):
    g = ex.grade_null_percentage(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    if fn is null_pct_no_guard:
        assert "ZeroDivisionError" in "\n".join(g.lines)


# -- correct alternatives and the plausible wrong answers -------------------------------------------------


def _names(table, column):
    from solutions.sql import quote_identifier, quote_table
    return quote_table(table), quote_identifier(column)


def freshness_cutoff_bound(cursor, table, column, as_of, max_age):
    """The comparison in SQL, the cutoff bound: a row count of fresh rows."""
    name, col = _names(table, column)
    cursor.execute(f"SELECT COUNT(*) FROM {name} WHERE {col} >= %s", (as_of - max_age,))
    return cursor.fetchone()[0] > 0


def freshness_age_in_sql(cursor, table, column, as_of, max_age):
    """MAX and the age computed in SQL from a bound as_of."""
    name, col = _names(table, column)
    cursor.execute(f"SELECT DATEDIFF('second', MAX({col}), %s::TIMESTAMP_NTZ) FROM {name}", (as_of,))
    (age,) = cursor.fetchone()
    return age is not None and age <= max_age.total_seconds()


def freshness_cutoff_pasted(cursor, table, column, as_of, max_age):
    name, col = _names(table, column)
    cursor.execute(f"SELECT COUNT(*) FROM {name} WHERE {col} >= '{as_of - max_age}'")
    return cursor.fetchone()[0] > 0


def freshness_by_day(cursor, table, column, as_of, max_age):
    """Day granularity: a row from earlier the same day still looks fresh."""
    name, col = _names(table, column)
    cursor.execute(f"SELECT MAX({col})::DATE FROM {name}")
    (latest,) = cursor.fetchone()
    return latest is not None and latest >= (as_of - max_age).date()


def freshness_strictly_newer(cursor, table, column, as_of, max_age):
    name, col = _names(table, column)
    cursor.execute(f"SELECT MAX({col}) FROM {name}")
    (latest,) = cursor.fetchone()
    return latest is not None and latest > as_of - max_age


@pytest.mark.parametrize("fn", [freshness_cutoff_bound, freshness_age_in_sql])
def test_freshness_accepts_correct_alternatives(fn):
    g = ex.grade_check_freshness(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (freshness_cutoff_pasted, ["as_of and the cutoff are bound"]),
    (freshness_by_day, ["a second over max_age"]),
    (freshness_strictly_newer, ["exactly max_age"]),
])
def test_freshness_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_check_freshness(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def unaccepted_array_bound(cursor, table, column, accepted):
    """One bound parameter per value, written with named placeholders."""
    name, col = _names(table, column)
    marks = ", ".join(f"%(v{i})s" for i in range(len(accepted)))
    cursor.execute(f"SELECT COUNT_IF({col} NOT IN ({marks})) FROM {name}",
                   {f"v{i}": v for i, v in enumerate(accepted)})
    return int(cursor.fetchone()[0] or 0)


def unaccepted_in_python(cursor, table, column, accepted):
    """The distinct values fetched, counted in Python: no value goes into SQL at all."""
    name, col = _names(table, column)
    cursor.execute(f"SELECT {col}, COUNT(*) FROM {name} WHERE {col} IS NOT NULL GROUP BY 1")
    return sum(n for value, n in cursor.fetchall() if value not in set(accepted))


def unaccepted_escaped_by_hand(cursor, table, column, accepted):
    """Quotes doubled by hand: safe against this quote, but the values are still pasted into SQL."""
    name, col = _names(table, column)
    values = ", ".join("'" + str(v).replace("'", "''") + "'" for v in accepted)
    cursor.execute(f"SELECT COUNT(*) FROM {name} WHERE {col} NOT IN ({values})")
    return cursor.fetchone()[0]


def unaccepted_case_insensitive(cursor, table, column, accepted):
    name, col = _names(table, column)
    marks = ", ".join(["LOWER(%s)"] * len(accepted))
    cursor.execute(f"SELECT COUNT(*) FROM {name} WHERE LOWER({col}) NOT IN ({marks})", tuple(accepted))
    return cursor.fetchone()[0]


def unaccepted_accepted_count(cursor, table, column, accepted):
    """Counts the accepted rows instead of the others."""
    name, col = _names(table, column)
    marks = ", ".join(["%s"] * len(accepted))
    cursor.execute(f"SELECT COUNT(*) FROM {name} WHERE {col} IN ({marks})", tuple(accepted))
    return cursor.fetchone()[0]


@pytest.mark.parametrize("fn", [unaccepted_array_bound, unaccepted_in_python])
def test_count_unaccepted_accepts_correct_alternatives(fn):
    g = ex.grade_count_unaccepted(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (unaccepted_escaped_by_hand, ["the accepted values are bound"]),
    (unaccepted_case_insensitive, ["a quote inside"]),
    (unaccepted_accepted_count, ["fct_appointments.status has no", "a narrower set", "a quote inside",
                                 "NULL is not", "an accepted value cannot"]),
])
def test_count_unaccepted_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_count_unaccepted(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def null_pct_count_if(cursor, table, column, date_column, day):
    name, col = _names(table, column)
    cursor.execute(f"SELECT COUNT(*), COUNT_IF({col} IS NULL) FROM {name} "
                   f"WHERE {quote_date(date_column)} = %s", (day,))
    total, nulls = cursor.fetchone()
    return None if not total else 100.0 * int(nulls or 0) / int(total)


def quote_date(column):
    from solutions.sql import quote_identifier
    return quote_identifier(column)


def null_pct_avg_iff(cursor, table, column, date_column, day):
    """AVG of a 0/1 flag is the share; AVG over no rows is NULL, which is exactly 'nothing measured'."""
    name, col = _names(table, column)
    cursor.execute(f"SELECT AVG(IFF({col} IS NULL, 1, 0)) * 100 FROM {name} "
                   f"WHERE {quote_date(date_column)} = %s",
                   (day,))
    (value,) = cursor.fetchone()
    return None if value is None else float(value)


def null_pct_day_pasted(cursor, table, column, date_column, day):
    name, col = _names(table, column)
    cursor.execute(f"SELECT COUNT(*), COUNT_IF({col} IS NULL) FROM {name} "
                   f"WHERE {quote_date(date_column)} = '{day}'")
    total, nulls = cursor.fetchone()
    return None if not total else 100.0 * int(nulls or 0) / int(total)


def null_pct_fraction(cursor, table, column, date_column, day):
    value = ex.null_percentage(cursor, table, column, date_column, day)
    return None if value is None else value / 100  # a share, not a percentage


@pytest.mark.parametrize("fn", [null_pct_count_if, null_pct_avg_iff])
def test_null_percentage_accepts_correct_alternatives(fn):
    g = ex.grade_null_percentage(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (null_pct_day_pasted, ["the day is a bound parameter"]),
    (null_pct_fraction, ["the defect day"]),
])
def test_null_percentage_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_null_percentage(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
