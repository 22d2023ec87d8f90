"""The notebook 12 graders accept the reference answers and reject broken ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from exercises import pipeline as ex
from solutions.pipeline import DataProblem
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world()


def not_attempted(*args, **kwargs):
    raise NotImplementedError


def tables(world):
    return world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.INFORMATION_SCHEMA.TABLES")[0][0]


GRADERS = [(ex.grade_backfill_command, ex.backfill_command),
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


def command(from_date, to_date, *extra):
    return " ".join(["airflow backfill create --dag-id clinic_appointments_pipeline",
                     f"--from-date {from_date} --to-date {to_date}", *extra])


RIGHT_FLAGS = ("--reprocess-behavior completed", "--max-active-runs 1")


def plus(day, n):
    return (day + dt.timedelta(days=n)).isoformat()


def to_next_midnight(first_day, last_day):
    """Another right answer: --to-date is the midnight after the last run (02:00), which it includes."""
    if first_day > last_day:
        raise ValueError("first_day after last_day")
    return command(plus(first_day, 1), plus(last_day, 2), *RIGHT_FLAGS)


def as_list_of_words(first_day, last_day):
    """Another right answer, at 23:59 on the last run's day, written as the words of the command."""
    if first_day > last_day:
        raise ValueError("first_day after last_day")
    return ["airflow", "backfill", "create", "--dag-id", "clinic_appointments_pipeline", "--from-date",
            plus(first_day, 1), "--to-date", f"{plus(last_day, 1)}T23:59", "--max-active-runs=1",
            "--reprocess-behavior=completed"]


def bare_to_date(first_day, last_day):
    """The syllabus-era answer: the right dates, but --to-date 2025-09-11 is midnight, before 02:00."""
    if first_day > last_day:
        raise ValueError("first_day after last_day")
    return command(plus(first_day, 1), plus(last_day, 1), *RIGHT_FLAGS)


def data_days(first_day, last_day):
    """The days themselves: each run processes the day before the one wanted."""
    if first_day > last_day:
        raise ValueError("first_day after last_day")
    return command(first_day.isoformat(), f"{last_day.isoformat()}T02:00", *RIGHT_FLAGS)


def defaults(first_day, last_day):
    """The right range with Airflow's defaults: 10 runs at once, and every finished day skipped."""
    if first_day > last_day:
        raise ValueError("first_day after last_day")
    return command(plus(first_day, 1), f"{plus(last_day, 1)}T02:00")


def backwards_failed_only(first_day, last_day):
    """Newest first, and only the days whose run failed; never checks the order of the arguments."""
    return command(plus(first_day, 1), f"{plus(last_day, 1)}T02:00", "--run-backwards",
                   "--reprocess-behavior failed", "--max-active-runs 1")


@pytest.mark.parametrize("answer", [to_next_midnight, as_list_of_words])
def test_backfill_other_right_answers_pass(answer):
    g = ex.grade_backfill_command(answer, show=False)
    assert g.passed, g.lines


def test_backfill_bare_to_date_misses_the_last_run():
    g = ex.grade_backfill_command(bare_to_date, show=False)
    assert failed_exactly(g, "one day", "1-10 September", "across a month end")
    assert "Airflow would create 9 runs" in next(line for line in g.lines if "1-10 September" in line)


def test_backfill_of_the_data_days_themselves_fails():
    g = ex.grade_backfill_command(data_days, show=False)
    assert failed_exactly(g, "one day", "1-10 September", "across a month end")


def test_backfill_with_the_defaults_fails():
    g = ex.grade_backfill_command(defaults, show=False)
    assert failed_exactly(g, "one run at a time", "days that already ran")


def test_backfill_backwards_and_failed_only_fails():
    g = ex.grade_backfill_command(backwards_failed_only, show=False)
    assert failed_exactly(g, "1-10 September", "across a month end", "one run at a time",
                          "days that already ran", "first_day after")


def test_backfill_plan_reads_the_command_as_airflow_does():
    from solutions.dag_inspect import backfill_plan
    from solutions.dags.clinic_appointments_pipeline import dag

    plan = backfill_plan(dag, command("2025-09-02", "2025-09-11"))
    assert plan.to_date == dt.datetime(2025, 9, 11, tzinfo=dt.timezone.utc)
    assert [d.day for d in plan.logical_dates] == list(range(2, 11))  # 11 September 02:00 is after midnight
    assert (plan.max_active_runs, plan.reprocess_behavior, plan.run_backwards) == (10, "none", False)
    with pytest.raises(ValueError, match="not an `airflow backfill create`"):
        backfill_plan(dag, "airflow dags backfill clinic_appointments_pipeline -s 2025-09-02")


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
    assert failed_exactly(ex.grade_day_fingerprint(count_only, show=False), "one value changed",
                          "duplicate rows do not cancel")


def test_whole_table_fails(world):
    g = ex.grade_day_fingerprint(whole_table, show=False)
    assert failed_exactly(g, "counts the day's rows", "same rows in another order",  # other days differ
                          "another day's change", "days differ", "an injected table name")


# -- correct alternatives and the plausible wrong answers -------------------------------------------------


def _day_sql(table, date_column, select):
    from solutions.sql import quote_identifier, quote_table

    return f"SELECT {select} FROM {quote_table(table)} WHERE {quote_identifier(date_column)} = %s"


def fingerprint_sql_sha2(cursor, table, date_column, day):
    """Each row hashed in the warehouse (SHA2 of its JSON), the sorted row hashes hashed again in Python."""
    cursor.execute(_day_sql(table, date_column, "SHA2(TO_JSON(OBJECT_CONSTRUCT_KEEP_NULL(*)), 256)"), (day,))
    rows = sorted(row[0] for row in cursor.fetchall())
    return len(rows), hashlib.sha256("".join(rows).encode()).hexdigest()


def fingerprint_md5_of_sorted(cursor, table, date_column, day):
    """md5 over the rows in a deterministic order: enough to detect change (not a security use)."""
    cursor.execute(_day_sql(table, date_column, "*"), (day,))
    rows = sorted(json.dumps(row, default=str) for row in cursor.fetchall())
    digest = hashlib.md5(usedforsecurity=False)
    for row in rows:
        digest.update(row.encode() + b"\n")
    return len(rows), digest.hexdigest()


def fingerprint_python_hash(cursor, table, date_column, day):
    """Python's hash(): salted per process (PYTHONHASHSEED), so two task runs never agree."""
    cursor.execute(_day_sql(table, date_column, "*"), (day,))
    rows = cursor.fetchall()
    return len(rows), str(hash(tuple(sorted(map(repr, rows)))))


def fingerprint_xor(cursor, table, date_column, day):
    """XOR of stable row hashes: order-independent, but two copies of a row cancel out."""
    cursor.execute(_day_sql(table, date_column, "*"), (day,))
    rows = cursor.fetchall()
    acc = 0
    for row in rows:
        acc ^= int(hashlib.sha256(repr(row).encode()).hexdigest(), 16)
    return len(rows), f"{acc:064x}"


def fingerprint_day_pasted(cursor, table, date_column, day):
    from solutions.sql import quote_identifier, quote_table

    cursor.execute(f"SELECT * FROM {quote_table(table)} WHERE {quote_identifier(date_column)} = '{day}'")
    rows = sorted(repr(row) for row in cursor.fetchall())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


def fingerprint_hash_agg(cursor, table, date_column, day):
    """Snowflake's HASH_AGG(*): right on Snowflake, not runnable on the sim."""
    cursor.execute(_day_sql(table, date_column, "COUNT(*), HASH_AGG(*)"), (day,))
    rows, digest = cursor.fetchone()
    return int(rows), str(digest)


@pytest.mark.parametrize("fn", [fingerprint_sql_sha2, fingerprint_md5_of_sorted])
def test_fingerprint_accepts_correct_alternatives(fn, world):
    before = tables(world)
    g = ex.grade_day_fingerprint(fn, show=False)
    assert g.passed, g.lines
    assert tables(world) == before


@pytest.mark.parametrize("fn, checks", [
    (fingerprint_python_hash, ["the same in another process"]),
    (fingerprint_xor, ["duplicate rows do not cancel"]),
    (fingerprint_day_pasted, ["the day is a bound parameter"]),
])
def test_fingerprint_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_day_fingerprint(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_hash_agg_is_explained_not_a_raw_catalog_error():
    g = ex.grade_day_fingerprint(fingerprint_hash_agg, show=False)
    assert g.status == "failed"
    assert "HASH_AGG is the Snowflake answer" in g.lines[0] and "Catalog Error" not in "\n".join(g.lines)


def contract_bytes_and_set(marker_body, day, records):
    """bytes decoded first, a set comprehension, one DataProblem per cause."""
    text = marker_body.decode() if isinstance(marker_body, bytes) else marker_body
    try:
        marker = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataProblem(f"marker is not JSON: {error}", ["unreadable marker"]) from None
    if not isinstance(marker, dict) or "appointments" not in marker or "day" not in marker:
        raise DataProblem("marker lacks day or appointments", ["unreadable marker"])
    if dt.date.fromisoformat(marker["day"]) != day:
        raise DataProblem(f"marker for {marker['day']}", ["marker for another day"])
    served = len({r["appointment_id"] for r in records})
    if served != marker["appointments"]:
        raise DataProblem(f"declared {marker['appointments']}, served {served}", ["count differs"])
    return served


def contract_counter(marker_body, day, records):
    """collections.Counter for the unique ids, the marker's fields read with .get."""
    from collections import Counter

    try:
        marker = json.loads(marker_body)
    except ValueError:
        raise DataProblem("unreadable marker", ["unreadable marker"]) from None
    declared = marker.get("appointments") if isinstance(marker, dict) else None
    if declared is None:
        raise DataProblem("no count in the marker", ["unreadable marker"])
    if marker.get("day") != day.isoformat():
        raise DataProblem("marker for another day", ["marker for another day"])
    unique = len(Counter(r["appointment_id"] for r in records))
    if unique != int(declared):
        raise DataProblem("count differs", ["count differs"])
    return unique


def contract_at_least(marker_body, day, records):
    """Accepts more than declared: a re-delivered record would go unnoticed."""
    marker = json.loads(marker_body) if marker_body.startswith("{\"") else {}
    if marker.get("day") != day.isoformat() or "appointments" not in marker:
        raise DataProblem("bad marker", ["unreadable marker"])
    unique = len({r["appointment_id"] for r in records})
    if unique < marker["appointments"]:
        raise DataProblem("too few", ["count differs"])
    return unique


@pytest.mark.parametrize("fn", [contract_bytes_and_set, contract_counter])
def test_check_contract_accepts_correct_alternatives(fn):
    g = ex.grade_check_contract(fn, show=False)
    assert g.passed, g.lines


def test_check_contract_rejects_more_than_declared():
    g = ex.grade_check_contract(contract_at_least, show=False)
    assert failed_exactly(g, "more than declared"), g.lines
