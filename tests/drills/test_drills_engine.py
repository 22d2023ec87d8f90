"""The drills' sandbox: one read-only statement, refusals that change nothing, no files, a time limit."""

from __future__ import annotations

import time

import pytest
from snowflake.connector.errors import ProgrammingError

from drills import bank, datasets, engine
from drills.grade import grade

COUNT = "SELECT COUNT(*) AS n FROM appointments"


@pytest.fixture(scope="module")
def scratch():
    return engine.scratch()


@pytest.mark.parametrize(
    "sql, says",
    [
        ("DELETE FROM appointments", "DELETE"),
        ("UPDATE appointments SET fee_amount = 0", "UPDATE"),
        ("INSERT INTO clients VALUES (99, 'x', 'NY', '2025-01-01')", "INSERT"),
        ("DROP TABLE appointments", "DROP"),
        ("CREATE TABLE t AS SELECT 1 AS a", "CREATE"),
        (
            "MERGE INTO clients c USING clients s ON c.client_id = s.client_id WHEN MATCHED THEN DELETE",
            "MERGE",
        ),
        ("SELECT 1; DELETE FROM appointments", "one statement only"),
        ("SELECT 1 AS a; SELECT 2 AS b", "one statement only"),
        ("CALL do_something()", "Command"),
        ("", "no SQL statement"),
        ("SELEC client_id FROM clients", "does not parse"),
        ("SELECT COUNT(*) AS n FROM drill_nulls.clinic.appointments", "unqualified"),
        ("SELECT * FROM information_schema.tables", "unqualified"),
        ("SELECT IFF(CURRENT_DATABASE() = 'DRILL_VISIBLE', 1, 2) AS n", "must not depend"),
    ],
)
def test_refusals_name_the_reason_and_change_nothing(scratch, sql, says):
    before = scratch.query("visible", COUNT).rows
    with pytest.raises(engine.Refused, match=says):
        scratch.query("visible", sql)
    assert (
        scratch.query("visible", COUNT).rows == before == [(len(datasets.build("visible")["APPOINTMENTS"]),)]
    )


def test_a_refusal_is_a_clear_grading_message():
    drill = bank.by_id()["revenue-per-clinician"]
    result = grade(drill, "DELETE FROM appointments")
    assert result.stage == "refused" and not result.passed
    assert "nothing was run and no data changed" in result.message


def test_files_are_out_of_reach(scratch, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(Exception, match="disabled by configuration"):
        scratch.query("visible", f"SELECT * FROM read_csv('{secret.as_posix()}')")


def test_a_runaway_query_is_stopped_at_the_time_limit(scratch):
    endless = (
        "SELECT COUNT(*) AS n FROM appointments a, appointments b, appointments c, appointments d, "
        "appointments e, appointments f, appointments g, appointments h"
    )
    started = time.perf_counter()
    with pytest.raises(engine.TimedOut, match="stopped after 0.2 s"):
        scratch.query("visible", endless, time_limit=0.2)
    assert time.perf_counter() - started < 5  # interrupted, not run to the end (hours)
    assert scratch.query("visible", COUNT).rows  # the connection still works afterwards


def test_a_timeout_is_reported_to_the_candidate():
    drill = bank.by_id()["revenue-per-clinician"]
    endless = (
        "SELECT a.clinician_id, SUM(a.fee_amount) AS revenue FROM appointments a, appointments b, "
        "appointments c, appointments d, appointments e, appointments f, appointments g GROUP BY 1"
    )
    result = grade(drill, endless, time_limit=0.2)
    assert (
        result.stage == "timeout" and "ran too long" in result.message and "nothing changed" in result.message
    )


def test_each_dataset_is_its_own_database(scratch):
    counts = {case: scratch.query(case, COUNT).rows[0][0] for case in datasets.CASES}
    assert counts == {case: len(datasets.build(case)["APPOINTMENTS"]) for case in datasets.CASES}


def test_merge_runs_on_a_throwaway_copy(scratch):
    merge = (
        "MERGE INTO clients t USING (SELECT 1 AS client_id, 'ZZ' AS state) s ON t.client_id = s.client_id "
        "WHEN MATCHED THEN UPDATE SET state = s.state"
    )
    outcome = scratch.merge("visible", merge, setup="", target="CLIENTS")
    assert "ZZ" in [row[2] for row in outcome.rows if row[0] == 1]
    assert scratch.query("visible", "SELECT state FROM clients WHERE client_id = 1").rows[0][0] != "ZZ"
    with pytest.raises(engine.Refused, match="must target CLIENTS"):
        scratch.merge(
            "visible", merge.replace("INTO clients", "INTO appointments"), setup="", target="CLIENTS"
        )
    with pytest.raises(engine.Refused, match="wants one MERGE"):
        scratch.merge("visible", "DELETE FROM clients", setup="", target="CLIENTS")


def test_every_merge_starts_from_a_fresh_copy(scratch):
    drill = bank.by_id()["merge-client-upserts"]
    spoil = (
        "MERGE INTO dim_clients t USING (SELECT client_id FROM clients) s ON t.client_id = s.client_id "
        "WHEN MATCHED THEN UPDATE SET state = 'ZZ'"
    )
    assert {r[2] for r in scratch.merge("visible", spoil, setup=drill.setup, target=drill.target).rows} == {
        "ZZ"
    }
    again = scratch.merge("visible", drill.solution, setup=drill.setup, target=drill.target)
    assert "ZZ" not in {
        r[2] for r in again.rows
    }  # the next MERGE starts from the setup, not the spoiled table
    assert len(again.rows) == 7  # clients 1, 3, 5, 7 were there; 2, 4, 6 arrive with updates; 8 never booked
    with pytest.raises(ProgrammingError, match="DIM_CLIENTS"):  # the setup ran elsewhere, not in the dataset
        scratch.query("visible", "SELECT * FROM dim_clients")


def test_division_by_zero_fails_as_in_snowflake_and_div0_does_not(scratch):
    with pytest.raises(engine.DivisionByZero, match="Division by zero"):
        scratch.query("visible", "SELECT COUNT(*) / 0 AS rate FROM appointments")
    with pytest.raises(engine.DivisionByZero):  # 0 / 0: NaN on DuckDB
        scratch.query("visible", "SELECT COUNT_IF(status = 'x') / COUNT_IF(status = 'y') AS rate FROM appointments")
    assert scratch.query("visible", "SELECT DIV0(COUNT(*), 0) AS rate FROM appointments").rows == [(0,)]


def test_numeric_aggregates_over_distinct_values_run(scratch):
    """fakesnow 0.12 turns SUM(DISTINCT x) into SUM(TRY_CAST(DISTINCT x AS DOUBLE)), a syntax error; the
    engine moves the cast inside DISTINCT. COUNT(DISTINCT text) is not cast at all."""
    outcome = scratch.query(
        "visible",
        "SELECT SUM(DISTINCT duration_minutes) AS s, AVG(DISTINCT duration_minutes) AS a, "
        "COUNT(DISTINCT status) AS n FROM appointments",
    )
    durations = {r[7] for r in datasets.build("visible")["APPOINTMENTS"]}
    statuses = {r[5] for r in datasets.build("visible")["APPOINTMENTS"]}
    assert outcome.rows == [(sum(durations), sum(durations) / len(durations), len(statuses))]
