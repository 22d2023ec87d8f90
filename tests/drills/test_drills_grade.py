"""The grader's comparison rules and messages, on hand-made outcomes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from drills import bank
from drills.engine import Outcome
from drills.grade import attempted, compare, grade

DRILL = bank.by_id()["revenue-per-clinician"]  # columns CLINICIAN_ID, REVENUE; tolerance 0.005
EXPECTED = Outcome(("CLINICIAN_ID", "REVENUE"), [(101, Decimal("10.50")), (102, Decimal("3.25"))])


def test_rows_compare_as_a_multiset_in_any_order_within_the_tolerance():
    assert (
        compare(DRILL, EXPECTED, Outcome(("clinician_id", "revenue"), [(102, 3.2501), (101, 10.5)])) is None
    )
    problem = compare(DRILL, EXPECTED, Outcome(("CLINICIAN_ID", "REVENUE"), [(101, 10.5), (102, 3.26)]))
    assert problem == (
        "expected 2 rows, yours has 2. Missing from yours: (102, 3.25). Not expected: (102, 3.26)."
    )


def test_duplicates_count():
    doubled = Outcome(EXPECTED.columns, EXPECTED.rows + [(101, Decimal("10.50"))])
    assert "Not expected: (101, 10.50)" in compare(DRILL, EXPECTED, doubled)


def test_column_names_and_their_order_are_part_of_the_answer():
    assert compare(DRILL, EXPECTED, Outcome(("CLINICIAN_ID", "TOTAL"), EXPECTED.rows)) == (
        "the columns should be CLINICIAN_ID, REVENUE (in that order); yours are CLINICIAN_ID, TOTAL."
    )


def test_order_matters_only_when_the_drill_says_so():
    ordered = replace(DRILL, ordered=True)
    swapped = Outcome(EXPECTED.columns, list(reversed(EXPECTED.rows)))
    assert compare(DRILL, EXPECTED, swapped) is None
    assert compare(ordered, EXPECTED, swapped).startswith(
        "row 1 should be (101, 10.50), yours is (102, 3.25)"
    )


def test_null_matches_only_null_and_a_date_only_midnight():
    month = bank.by_id()["running-revenue-by-month"]
    want = Outcome(month.columns, [(date(2025, 1, 1), 1.0, 1.0)])
    assert compare(month, want, Outcome(month.columns, [(datetime(2025, 1, 1), 1.0, 1.0)])) is None
    assert compare(month, want, Outcome(month.columns, [(datetime(2025, 1, 1, 5), 1.0, 1.0)]))
    assert compare(month, want, Outcome(month.columns, [(date(2025, 1, 1), None, 1.0)]))


def test_blank_or_comment_only_sql_is_not_attempted_and_says_so_calmly():
    assert not attempted(None) and not attempted("  \n-- write your query here\n;")
    assert attempted("SELECT 1 -- with a comment")
    result = grade(DRILL, "-- your query\n")
    assert (result.stage, result.passed) == ("not_attempted", False)
    assert (
        result.message == "revenue-per-clinician: not attempted yet. Write your query, then run this again."
    )


def test_visible_failures_show_rows_and_errors_show_the_engine_message():
    result = grade(DRILL, "SELECT clinician_id, SUM(fee_amount) AS revenue FROM appointments GROUP BY 1")
    assert result.stage == "visible" and "Missing from yours: (101, 912.45)" in result.message
    result = grade(DRILL, "SELECT clinician_id, SUM(no_such_column) AS revenue FROM appointments GROUP BY 1")
    assert result.stage == "error" and "NO_SUCH_COLUMN" in result.message.upper()
