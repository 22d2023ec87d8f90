"""The dbt project (solutions/dbt) on the sim: it parses offline, builds on the warehouse files fakesnow serves,
its tests pass on clean data and fail, by name, on the defect the partner feed carried in."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
from unittest import mock

import pytest

import sim
from sim.data_sql import APPOINTMENT_COLUMNS, CLIENT_COLUMNS, CLINICIAN_COLUMNS
from solutions import pipeline
from solutions.dbt_runner import PROJECT_DIR, DbtError, DbtRunner, DbtTestFailure, profile_yaml

DAY = dt.date(2025, 9, 29)
BAD_DAY = dt.date(2025, 9, 30)
BUILD = ("--select", "staging", "marts")


def runner_for(world, **kwargs) -> DbtRunner:
    return DbtRunner(world.warehouse.path, world.run_dir / "dbt", release=world.warehouse.released, **kwargs)


def land(world, day) -> dict:
    return pipeline.extract_and_land(day, token=os.environ["AIRFLOW_VAR_PARTNER_API_KEY"],
                                     connect=world.warehouse.connect, clock=world.clock)


def columns(world, table: str) -> list[tuple[str, str]]:
    db, schema, name = table.split(".")
    return world.warehouse.query(
        f"SELECT COLUMN_NAME, DATA_TYPE, NUMERIC_PRECISION, NUMERIC_SCALE FROM {db}.INFORMATION_SCHEMA.COLUMNS "
        "WHERE TABLE_SCHEMA = %s AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION", (schema, name))


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """One clean world with the day landed and built once (dbt in-process: the same commands, faster)."""
    world = sim.start(state=tmp_path_factory.mktemp("dbt_clean"))
    runner = runner_for(world, in_process=True)
    landed = land(world, DAY)
    before = {t: columns(world, t) for t in ("ANALYTICS.MARTS.FCT_APPOINTMENTS", "ANALYTICS.MARTS.DIM_CLIENTS",
                                             "ANALYTICS.MARTS.DIM_CLINICIANS")}
    built = runner.invoke("run", *BUILD, day=DAY)
    yield world, runner, landed, built, before
    sim.stop()


def test_profile_is_generated_with_paths_only(tmp_path):
    text = profile_yaml(tmp_path)
    assert f'path: "{(tmp_path / "ANALYTICS.db").as_posix()}"' in text
    assert "alias: RAW" in text and "alias: BACKEND" in text and "read_only: true" in text
    assert "password" not in text.lower() and "token" not in text.lower()
    assert not (PROJECT_DIR / "profiles.yml").exists()


def test_parse_works_offline(tmp_path):
    """dbt parse needs no network and no packages (no dbt_utils): sockets are refused while it runs."""
    runner = DbtRunner(tmp_path / "warehouse", tmp_path / "work", in_process=True)
    attempts = []

    def refuse(sock, address):
        attempts.append(address)
        raise ConnectionRefusedError("offline")

    with mock.patch.object(socket.socket, "connect", refuse):
        result = runner.invoke("parse")
    assert result.returncode == 0, result.output
    assert attempts == []
    assert (tmp_path / "work" / "target" / "manifest.json").exists()
    assert not (PROJECT_DIR / "dbt_packages").exists() and not (PROJECT_DIR / "packages.yml").exists()


def test_clean_day_builds_and_every_test_passes(clean):
    world, runner, landed, built, _ = clean
    assert landed["records"] == landed["landed"] > 0
    assert built.ok, built.summary()
    assert {n.name for n in built.nodes} == {"stg_partner_appointments", "stg_clients", "stg_clinicians",
                                             "dim_clients", "dim_clinicians", "fct_appointments"}
    tested = runner.invoke("test", *BUILD, day=DAY)
    assert tested.ok, tested.summary()
    assert tested.failed == () and tested.counts() == {"pass": 19}
    metrics = runner.invoke("build", "--select", "customer_metrics", day=DAY)
    assert metrics.ok, metrics.summary()
    # fakesnow reads what dbt built, through the Snowflake connector
    rows = world.warehouse.query("SELECT COUNT(*), SUM(NO_SHOWS), SUM(TOTAL_APPOINTMENTS) FROM "
                                 "ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE")
    truth = world.warehouse.query("SELECT COUNT(DISTINCT CLINICIAN_ID), SUM(IS_NO_SHOW), COUNT(*) FROM "
                                  "BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE <= %s", (DAY,))
    assert rows == truth
    # one table, one definition: the Python rebuild of notebook 13 publishes exactly what dbt built
    from solutions.customer_metrics import COLUMNS, TABLE, precompute_clinician_metrics

    read = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} ORDER BY 1, 2"
    built_by_dbt = world.warehouse.query(read)
    precompute_clinician_metrics(world.warehouse.connect, dt.date.fromisoformat(str(DAY)))
    assert world.warehouse.query(read) == built_by_dbt


def test_marts_keep_the_columns_and_types_the_kit_relies_on(clean):
    """dbt rebuilt the dimensions and the day of the fact: same column names, order and Snowflake types as
    the sim's DDL (sim/data_sql.py), so the quality checks and the notebooks read them unchanged."""
    world, _, _, _, before = clean
    for table, ddl in [("ANALYTICS.MARTS.FCT_APPOINTMENTS", APPOINTMENT_COLUMNS),
                       ("ANALYTICS.MARTS.DIM_CLIENTS", CLIENT_COLUMNS),
                       ("ANALYTICS.MARTS.DIM_CLINICIANS", CLINICIAN_COLUMNS)]:
        after = columns(world, table)
        assert after == before[table], table
        assert [c for c, *_ in after] == re.findall(r"(\w+) (?:NUMBER|VARCHAR|DATE|TIMESTAMP_NTZ)", ddl)
    tables = world.warehouse.query("SELECT TABLE_SCHEMA, TABLE_NAME FROM ANALYTICS.INFORMATION_SCHEMA.TABLES "
                                   "WHERE TABLE_SCHEMA IN ('MARTS', 'CUSTOMER_METRICS') ORDER BY 1, 2")
    assert ("CUSTOMER_METRICS", "CLINICIAN_NO_SHOW_RATE") in tables and ("MARTS", "FCT_APPOINTMENTS") in tables


def test_fct_appointments_matches_the_source_after_the_build(clean):
    world = clean[0]
    fct = world.warehouse.query("SELECT * FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE APPOINTMENT_DATE = %s "
                                "ORDER BY APPOINTMENT_ID", (DAY,))
    source = world.warehouse.query("SELECT * FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s "
                                   "ORDER BY APPOINTMENT_ID", (DAY,))
    assert fct == source and len(fct) == clean[2]["records"]
    assert world.warehouse.query("SELECT COUNT(*) FROM FCT_APPOINTMENTS") == [(1500,)]


def test_rerunning_a_day_leaves_the_marts_identical(clean):
    world, runner, *_ = clean
    first = pipeline.marts_fingerprint(world.warehouse.connect)
    land(world, DAY)
    assert runner.invoke("run", *BUILD, day=DAY).ok
    assert runner.invoke("build", "--select", "customer_metrics", day=DAY).ok
    assert pipeline.marts_fingerprint(world.warehouse.connect) == first


def test_the_incremental_model_refuses_to_run_without_its_day(clean):
    _, runner, *_ = clean
    result = runner.invoke("run", "--select", "fct_appointments")
    assert not result.ok
    assert "this model processes one day" in result.summary()
    with pytest.raises(DbtError):
        result.raise_for_status()


def test_target_and_logs_stay_out_of_the_repository(clean):
    world, runner, *_ = clean
    assert (runner.target_path / "partial_parse.msgpack").exists() and (runner.log_path / "dbt.log").exists()
    assert (runner.target_path / "compiled").is_dir()
    assert runner.work_dir.is_relative_to(world.run_dir)
    assert not (PROJECT_DIR / "target").exists() and not (PROJECT_DIR / "logs").exists()


def test_dbt_runs_in_a_subprocess_while_the_files_are_released(clean):
    """The default invocation (a separate process, as on a real Airflow worker) and the release it needs."""
    world, *_ = clean
    runner = runner_for(world)
    result = runner.invoke("test", "--select", "dim_clients", day=DAY)
    assert result.ok and result.counts() == {"pass": 3}, result.output[-2000:]  # + the relationships test
    assert world.warehouse.query("SELECT COUNT(*) FROM DIM_CLIENTS") == [(100,)]  # files attached again
    blocked = DbtRunner(world.warehouse.path, world.run_dir / "dbt-blocked").invoke("test", "--select", "dim_clients")
    assert not blocked.ok and blocked.nodes == ()  # without the release, DuckDB's file lock stops dbt
    assert "lock" in blocked.summary().lower() or "conflict" in blocked.summary().lower()


def test_released_detaches_and_reattaches(clean):
    world = clean[0]
    conn = world.warehouse.connect()  # opened before: must work after
    with world.warehouse.released(["ANALYTICS"]) as files:
        code = (f"import duckdb; c = duckdb.connect({str(files['ANALYTICS'])!r}); "
                "print(c.execute('SELECT COUNT(*) FROM MARTS.DIM_CLINICIANS').fetchone()[0])")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert done.stdout.strip() == "10", done.stderr
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM DIM_CLINICIANS")
    assert cur.fetchone() == (10,)
    conn.close()


@pytest.fixture(scope="module")
def defective(tmp_path_factory):
    world = sim.start(state=tmp_path_factory.mktemp("dbt_defect"))
    injected = world.damage_partner_feed(BAD_DAY, null_client_id=0.1, orphan_client_id=2, unknown_status=1,
                                         duplicate_appointment_id=2)
    landed = land(world, BAD_DAY)
    runner = runner_for(world, in_process=True)
    built = runner.invoke("run", *BUILD, day=BAD_DAY)
    tested = runner.invoke("test", *BUILD, day=BAD_DAY)
    yield world, injected, landed, built, tested
    sim.stop()


def test_defective_feed_builds_into_the_marts(defective):
    world, injected, landed, built, _ = defective
    assert built.ok, built.summary()
    assert landed["duplicates_dropped"] == 2  # the extractor de-duplicated what the feed repeated
    nulls = world.warehouse.query("SELECT APPOINTMENT_ID FROM FCT_APPOINTMENTS WHERE CLIENT_ID IS NULL ORDER BY 1")
    assert tuple(r[0] for r in nulls) == injected["null_client_id"].ids


def test_failing_dbt_tests_name_the_defects(defective):
    _, injected, _, _, tested = defective
    assert tested.failed == (
        "accepted_values_fct_appointments_STATUS__completed__no_show__cancelled",
        "not_null_fct_appointments_CLIENT_ID",
        "relationships_fct_appointments_CLIENT_ID__CLIENT_ID__ref_dim_clients_",
    )
    failures = {n.name: n.failures for n in tested.nodes if n.status == "fail"}
    assert failures["not_null_fct_appointments_CLIENT_ID"] == len(injected["null_client_id"].ids)
    assert failures["relationships_fct_appointments_CLIENT_ID__CLIENT_ID__ref_dim_clients_"] == 2
    assert failures["accepted_values_fct_appointments_STATUS__completed__no_show__cancelled"] == 1
    assert "unique_fct_appointments_APPOINTMENT_ID" not in tested.failed  # duplicates never reached the mart
    with pytest.raises(DbtTestFailure, match="not_null_fct_appointments_CLIENT_ID"):
        tested.raise_for_status()
    assert tested.to_dict()["failed_tests"] == list(tested.failed)
