"""The DAGs of notebooks 04-06 (XCom, branching, sensors) run end to end on the sim (real Airflow 3.3
``dag.test()``) with the task states, tries, XComs and printed lines the notebooks tell a reader to expect.

Sensors wait for real: the tests shorten a sensor's intervals on the DAG object (as notebook 06 does) and put
them back afterwards, so the files keep their production values.
"""

from __future__ import annotations

import contextlib
import csv
import io

import pytest

from sim.paths import DAGS_DIR

RUN = "2025-10-01T02:00:00+00:00"  # the 02:00 run on 1 October processes 30 September
DAY = "2025-09-30"
KEY = f"appointments/{DAY}/data.csv"
BODY = "appointment_id,status\n18,completed\n53,completed\n89,no_show\n"



@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world()


def run(world, name: str, **kwargs):
    return world.run_dag(DAGS_DIR / f"{name}.py", RUN, **kwargs)


def staged(world) -> int:
    return world.warehouse.query("SELECT COUNT(*) FROM ANALYTICS.STAGING.APPOINTMENTS WHERE APPOINTMENT_DATE = %s",
                                 (DAY,))[0][0]


# -- 04 XCom -----------------------------------------------------------------------------------------------------


def test_classic_threshold_check_fails_at_once_below_the_threshold(world) -> None:
    count = staged(world)
    assert count < 1000
    summary = run(world, "xcom_threshold_check")

    summary.assert_state({"extract_appointment_count": "success", "check_appointment_threshold": "failed"},
                         run="failed")
    assert summary["check_appointment_threshold"].tries == 1  # AirflowFailException: no retries
    assert summary["check_appointment_threshold"].error == (
        f"AirflowFailException: only {count} appointments, expected at least 1000")
    assert summary["extract_appointment_count"].xcoms == {"appointment_count": count}  # one XCom, by key
    assert summary["extract_appointment_count"].output == f"{count} staged appointments on {DAY}\n"


def test_classic_threshold_check_takes_the_threshold_from_conf(world) -> None:
    count = staged(world)
    summary = run(world, "xcom_threshold_check", conf={"threshold": count})

    summary.assert_state({"extract_appointment_count": "success", "check_appointment_threshold": "success"},
                         run="success")
    assert summary["check_appointment_threshold"].output == f"count {count} meets threshold {count}\n"


def test_threshold_param_is_validated_before_any_task_runs(world) -> None:
    with pytest.raises(Exception, match="Invalid input for param threshold"):
        run(world, "xcom_threshold_check", conf={"threshold": "lots"})


def test_taskflow_threshold_check_both_outcomes(world) -> None:
    count = staged(world)
    low = run(world, "xcom_threshold_check_taskflow")
    low.assert_state({"extract_appointment_count": "success", "check_appointment_threshold": "failed"}, run="failed")
    assert low["extract_appointment_count"].xcoms == {"return_value": count}
    assert low["check_appointment_threshold"].tries == 1

    world.generate(appointments=45_000)  # about 1,500 a day: the syllabus's threshold of 1000 passes
    try:
        high = run(world, "xcom_threshold_check_taskflow")
        big = staged(world)
    finally:
        world.generate()
    assert big >= 1000
    high.assert_state({"extract_appointment_count": "success", "check_appointment_threshold": "success"},
                      run="success")
    assert high["check_appointment_threshold"].output == f"count {big} meets threshold 1000\n"


def test_s3_handoff_passes_the_key_and_reruns_in_place(world) -> None:
    key = f"handoff/appointments/{DAY}.csv"
    statuses = dict(world.warehouse.query(
        "SELECT STATUS, COUNT(*) FROM ANALYTICS.STAGING.APPOINTMENTS WHERE APPOINTMENT_DATE = %s GROUP BY 1 "
        "ORDER BY 1", (DAY,)))
    first = run(world, "xcom_s3_handoff")
    again = run(world, "xcom_s3_handoff")

    for summary in (first, again):
        summary.assert_state({"extract_to_s3": "success", "summarise": "success"}, run="success")
        assert summary["extract_to_s3"].xcoms == {"return_value": key}
        # -> dict[str, int] turns on multiple_outputs: the dict, and one XCom per status
        assert summary["summarise"].xcoms == {"return_value": statuses, **statuses}
    assert world.s3.keys("handoff/") == [key]
    rows = list(csv.DictReader(io.StringIO(world.s3.read(key).decode())))
    assert len(rows) == staged(world)
    assert list(rows[0]) == ["appointment_id", "client_id", "status", "fee_amount"]


# -- 05 branching ------------------------------------------------------------------------------------------------

BRANCH_DAGS = ["branch_on_volume", "branch_on_volume_taskflow"]


@pytest.mark.parametrize("name", BRANCH_DAGS)
def test_normal_day_runs_incremental_and_the_join_still_runs(world, name: str) -> None:
    summary = run(world, name)

    summary.assert_state({"check_volume": "success", "run_full_refresh": "skipped", "run_incremental": "success",
                          "report": "success"}, run="success")
    assert summary["run_full_refresh"].tries == 0
    # Airflow 3: a branch that skips something keeps only its decision record, not its return value
    assert summary["check_volume"].xcoms == {"skipmixin_key": {"followed": ["run_incremental"]}}
    assert summary["run_incremental"].xcoms == {"return_value": "dbt run --select fct_appointments"}
    assert summary["report"].output == "fct_appointments built with: dbt run --select fct_appointments\n"


@pytest.mark.parametrize("name", BRANCH_DAGS)
def test_above_the_threshold_runs_the_full_refresh(world, name: str) -> None:
    summary = run(world, name, conf={"full_refresh_threshold": 50})

    summary.assert_state({"check_volume": "success", "run_full_refresh": "success", "run_incremental": "skipped",
                          "report": "success"}, run="success")
    count = world.warehouse.query("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS")[0][0]
    assert summary["check_volume"].output == f"{count} raw appointments on {DAY}, threshold 50 -> run_full_refresh\n"
    assert summary["report"].output == (
        "fct_appointments built with: dbt run --full-refresh --select fct_appointments\n")


def test_the_join_with_the_default_trigger_rule_is_skipped_and_the_run_is_green(world) -> None:
    from solutions.dags.branch_on_volume import dag

    report = dag.get_task("report")
    saved = report.trigger_rule
    report.trigger_rule = "all_success"
    try:
        summary = world.run_dag(dag, RUN)
    finally:
        report.trigger_rule = saved
    summary.assert_state({"run_incremental": "success", "run_full_refresh": "skipped", "report": "skipped"},
                         run="success")


# -- 06 sensors --------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def shortened(dag, task_id: str = "wait_for_appointments_file", **changes):
    """Change a sensor's attributes on the DAG object for one run, then put the file's values back."""
    sensor = dag.get_task(task_id)
    saved = {name: getattr(sensor, name) for name in changes}
    for name, value in changes.items():
        setattr(sensor, name, value)
    try:
        yield sensor
    finally:
        for name, value in saved.items():
            setattr(sensor, name, value)


@pytest.fixture
def bucket(world):
    """An empty appointments/ prefix before and after each sensor test."""
    def clear():
        for key in world.s3.keys("appointments/"):
            world.s3.client.delete_object(Bucket=world.s3.bucket, Key=key)
    clear()
    yield world.s3
    clear()


def rescheduled(dag_id: str, task_id: str = "wait_for_appointments_file") -> int:
    from sqlalchemy import text

    from airflow.utils.session import create_session

    with create_session() as session:
        return session.execute(text(
            "SELECT COUNT(*) FROM task_reschedule r JOIN task_instance ti ON ti.id = r.ti_id "
            "WHERE ti.dag_id = :d AND ti.task_id = :t AND ti.run_id = :r"),
            {"d": dag_id, "t": task_id, "r": f"manual__{RUN}"}).scalar()


def test_sensor_files_keep_their_production_settings() -> None:
    from solutions.dags.wait_for_appointments_file import dag as classic
    from solutions.dags.wait_for_appointments_file import non_empty
    from solutions.dags.wait_for_appointments_file_taskflow import dag as taskflow

    for dag in (classic, taskflow):
        sensor = dag.get_task("wait_for_appointments_file")
        assert (sensor.mode, sensor.poke_interval, sensor.timeout, sensor.soft_fail) == ("reschedule", 300, 3600, False)
    s3_sensor = classic.get_task("wait_for_appointments_file")
    assert s3_sensor.bucket_key == "appointments/{{ macros.ds_add(ds, -1) }}/data.csv"
    assert s3_sensor.check_fn is non_empty
    assert non_empty([{"Size": 10, "Key": KEY}]) and not non_empty([{"Size": 0, "Key": KEY}])
    assert non_empty([{"Size": 10, "Key": KEY}], ds=DAY)  # the deferrable path passes the context too


def test_classic_sensor_waits_for_a_late_file_rescheduling_between_pokes(world, bucket) -> None:
    from solutions.dags.wait_for_appointments_file import dag

    with shortened(dag, poke_interval=1, timeout=20), world.s3.landing_after_first_poke(KEY, BODY) as pokes:
        summary = world.run_dag(dag, RUN)

    summary.assert_state({"wait_for_appointments_file": "success", "process_appointments": "success"}, run="success")
    assert pokes == [False, True]  # missed, rescheduled, found
    assert [t.tries for t in summary.tasks] == [1, 1]  # a reschedule is not a retry
    assert rescheduled("wait_for_appointments_file") == 1
    assert summary["process_appointments"].xcoms == {"return_value": 3}
    assert summary["process_appointments"].output == f"3 appointments in s3://simplepractice-raw-data/{KEY}\n"


def test_poke_mode_keeps_the_slot(world, bucket) -> None:
    from solutions.dags.wait_for_appointments_file import dag

    bucket.put(KEY, BODY)
    with shortened(dag, mode="poke", poke_interval=1, timeout=5):
        summary = world.run_dag(dag, RUN)
    summary.assert_state({"wait_for_appointments_file": "success", "process_appointments": "success"}, run="success")
    assert rescheduled("wait_for_appointments_file") == 0


def test_timeout_fails_without_retries(world, bucket) -> None:
    from solutions.dags.wait_for_appointments_file import dag

    with shortened(dag, poke_interval=1, timeout=1):
        summary = world.run_dag(dag, RUN)
    summary.assert_state({"wait_for_appointments_file": "failed", "process_appointments": "upstream_failed"},
                         run="failed")
    assert summary["wait_for_appointments_file"].tries == 1  # retries=2, but a sensor timeout is final
    assert summary["wait_for_appointments_file"].error.startswith("AirflowSensorTimeout: Sensor has timed out")


def test_an_empty_file_is_not_an_arrival_and_soft_fail_skips(world, bucket) -> None:
    from solutions.dags.wait_for_appointments_file import dag

    bucket.put(KEY, "")
    with shortened(dag, poke_interval=1, timeout=1):
        failed = world.run_dag(dag, RUN)
    with shortened(dag, poke_interval=1, timeout=1, soft_fail=True):
        skipped = world.run_dag(dag, RUN)
    failed.assert_state({"wait_for_appointments_file": "failed", "process_appointments": "upstream_failed"})
    skipped.assert_state({"wait_for_appointments_file": "skipped", "process_appointments": "skipped"},
                         run="success")


def test_taskflow_sensor_passes_the_key_it_found(world, bucket) -> None:
    bucket.put(KEY, BODY)
    summary = run(world, "wait_for_appointments_file_taskflow")

    summary.assert_state({"wait_for_appointments_file": "success", "process_appointments": "success"}, run="success")
    assert summary["wait_for_appointments_file"].xcoms == {"return_value": KEY}
    assert summary["process_appointments"].xcoms == {"return_value": 3}


def test_taskflow_sensor_times_out_on_an_empty_file(world, bucket) -> None:
    from solutions.dags.wait_for_appointments_file_taskflow import dag

    bucket.put(KEY, "")
    with shortened(dag, poke_interval=1, timeout=1):
        summary = world.run_dag(dag, RUN)
    summary.assert_state({"wait_for_appointments_file": "failed", "process_appointments": "upstream_failed"},
                         run="failed")
    assert summary["wait_for_appointments_file"].tries == 1
