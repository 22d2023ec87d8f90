"""The scorers notebooks 15 and 16 judge models with: right on the truth itself, and each kind of damage counted."""

from __future__ import annotations

import pytest

import sim
from exercises import changing_data


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("scoring"), history=True)
    duck = world.warehouse.duckdb()
    duck.execute("CREATE SCHEMA IF NOT EXISTS ANALYTICS.SCORING")
    yield world
    world.stop()


def copy_of_source(world, *damage: str) -> None:
    duck = world.warehouse.duckdb()
    duck.execute("CREATE OR REPLACE TABLE ANALYTICS.SCORING.T AS "
                 "SELECT *, 'night 1' AS _RUN FROM BACKEND.PUBLIC.APPOINTMENTS")
    for sql in damage:
        duck.execute(sql)


def test_the_source_itself_scores_right(world):
    copy_of_source(world)
    score = changing_data.score(world.warehouse, "T", schema="ANALYTICS.SCORING")
    assert score.right and score.rows == world.warehouse.query(
        "SELECT COUNT(*) FROM BACKEND.PUBLIC.APPOINTMENTS")[0][0]
    assert changing_data.rows_written(world.warehouse, "T", "night 1", schema="ANALYTICS.SCORING") == score.rows


def test_each_kind_of_damage_is_counted(world):
    deleted = world.history.of_kind("appointment_delete")[0].key
    changed = world.history.of_kind("no_show_after_all")[0].key
    copy_of_source(
        world,
        # a ghost: the deleted appointment, still here
        f"INSERT INTO ANALYTICS.SCORING.T SELECT *, 'night 1' FROM BACKEND.HISTORY.APPOINTMENTS_ORIGINAL "
        f"WHERE APPOINTMENT_ID = {deleted}",
        # a stale row and its duplicate: the appended old version of a changed appointment
        f"INSERT INTO ANALYTICS.SCORING.T SELECT *, 'night 2' FROM BACKEND.HISTORY.APPOINTMENTS_ORIGINAL "
        f"WHERE APPOINTMENT_ID = {changed}",
        # a missing row
        "DELETE FROM ANALYTICS.SCORING.T WHERE APPOINTMENT_ID = (SELECT MIN(APPOINTMENT_ID) FROM "
        "BACKEND.PUBLIC.APPOINTMENTS)",
    )
    score = changing_data.score(world.warehouse, "T", schema="ANALYTICS.SCORING")
    assert (score.duplicate_rows, score.stale, score.ghosts, score.missing, score.right) == (1, 1, 1, 1, False)
    assert changing_data.rows_written(world.warehouse, "T", "night 2", schema="ANALYTICS.SCORING") == 1


def test_content_hash_sees_content_not_order(world):
    copy_of_source(world)
    first = changing_data.content_hash(world.warehouse, "T", schema="ANALYTICS.SCORING")
    copy_of_source(world, "UPDATE ANALYTICS.SCORING.T SET _RUN = 'rerun'")
    assert changing_data.content_hash(world.warehouse, "T", schema="ANALYTICS.SCORING") != first
    assert changing_data.content_hash(world.warehouse, "T", schema="ANALYTICS.SCORING", exclude=("_RUN",)) == \
        changing_data.content_hash(world.warehouse, "T", schema="ANALYTICS.SCORING", exclude=("_run",))
    with pytest.raises(ValueError, match="invalid identifier"):
        changing_data.content_hash(world.warehouse, "T; DROP TABLE X", schema="ANALYTICS.SCORING")


def test_point_in_time_truth_and_a_current_state_join(world):
    right = changing_data.pit_score(world.warehouse, changing_data.TRUTH_SQL)
    assert right.right == right.appointments and not (right.wrong or right.no_match or right.extra_rows)
    current = changing_data.pit_score(world.warehouse, "SELECT a.APPOINTMENT_ID, c.STATE FROM BACKEND.PUBLIC.APPOINTMENTS a "
                                              "LEFT JOIN BACKEND.PUBLIC.CLIENTS c USING (CLIENT_ID)")
    moved = {c.key for c in world.history.of_kind("client_move")}
    before_move = world.warehouse.duckdb().execute(
        "SELECT COUNT(*) FROM BACKEND.PUBLIC.APPOINTMENTS a JOIN BACKEND.HISTORY.CHANGES m "
        "ON m.ENTITY = 'client' AND m.COLUMN_NAME = 'STATE' AND CAST(m.ENTITY_KEY AS BIGINT) = a.CLIENT_ID "
        "WHERE a.APPOINTMENT_TS < m.CHANGED_AT").fetchall()[0][0]
    assert moved and current.wrong == before_move > 0
    doubled = changing_data.pit_score(world.warehouse, f"{changing_data.TRUTH_SQL} UNION ALL SELECT APPOINTMENT_ID, 'XX' "
                                               "FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_ID = 1")
    assert doubled.extra_rows == 1 and doubled.right == doubled.appointments - 1
