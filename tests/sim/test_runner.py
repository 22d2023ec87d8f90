"""sim.runner runs real DAGs on Airflow 3 with dag.test() and reports exact states, tries, XComs and prints.

One Airflow home per test session (Airflow reads its configuration once per process); the migrated
template DB under .state/cache makes a new home a file copy, not a migration.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import sqlite3
import textwrap
import time
from pathlib import Path

import pytest

from sim import runner as runner_module
from sim.runner import AirflowRunner, DagImportError, RunFailed, UnknownDag, parse_logical_date

DAGS = Path(__file__).parent / "dags_for_runner"


@pytest.fixture(scope="session")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> AirflowRunner:
    home = runner_module.configured_home() or tmp_path_factory.mktemp("airflow")  # the session's home
    return AirflowRunner(home, dags_dir=DAGS)


def test_success_run_reports_states_xcoms_and_prints(airflow: AirflowRunner) -> None:
    summary = airflow.run("runner_ok", "2024-01-02", expect="success")

    assert summary.ok and summary.state == "success"
    assert summary.states == {"extract": "success", "transform": "success", "load": "success"}
    assert [t.tries for t in summary.tasks] == [1, 1, 1]
    assert summary["extract"].xcoms == {"return_value": {"rows": [1, 2, 3]}, "rows": [1, 2, 3]}
    assert summary["transform"].xcoms == {"return_value": 6, "row_count": 3}
    assert summary["load"].xcoms == {}
    assert summary["transform"].output == "total=6\ndone\n"
    assert summary["load"].output == "loaded 6 for 2024-01-02\n"
    assert str(summary) == textwrap.dedent("""\
        SUCCESS runner_ok @ 2024-01-02
        task       state    tries  xcom                                 printed
        extract    success  1      {'rows': [1, 2, 3]}, rows=[1, 2, 3]  extracted 3 rows
        transform  success  1      6, row_count=3                       total=6
                                                                        done
        load       success  1                                           loaded 6 for 2024-01-02""")
    assert summary.to_dict()["tasks"][1] == {"task": "transform", "state": "success", "tries": 1,
                                             "xcoms": {"return_value": 6, "row_count": 3},
                                             "output": "total=6\ndone\n", "error": None}


def test_rerunning_a_date_replaces_the_run(airflow: AirflowRunner) -> None:
    first = airflow.run("runner_ok", dt.date(2024, 1, 3))
    second = airflow.run("runner_ok", dt.date(2024, 1, 3))
    assert first == second
    assert [t.tries for t in second.tasks] == [1, 1, 1]


def test_retries_are_real_but_do_not_wait(airflow: AirflowRunner) -> None:
    started = time.monotonic()
    summary = airflow.run("runner_retry", "2024-01-02")  # the DAG asks for a 5-minute retry delay

    assert time.monotonic() - started < 60
    assert not summary.ok and summary.state == "failed"
    assert summary.states == {"always_fails": "failed", "recovers": "success", "report": "upstream_failed"}
    assert {t.label: t.tries for t in summary.tasks} == {"always_fails": 2, "recovers": 2, "report": 0}
    assert summary["always_fails"].output == "always_fails: try 1\nalways_fails: try 2\n"
    assert summary["always_fails"].error == "ValueError: column AMOUNT has 2 nulls"
    assert summary["recovers"].error == "ConnectionError: warehouse busy"  # its first try's error
    assert summary["recovers"].xcoms == {"return_value": "ok"}
    assert summary["report"].output == ""
    headline = ("FAILED runner_retry @ 2024-01-02: always_fails failed after 2 tries"
                " - ValueError: column AMOUNT has 2 nulls")
    assert str(summary).splitlines()[0] == headline
    assert headline in summary._repr_html_()
    summary.assert_state({"recovers": "success", "report": "upstream_failed"}, run="failed")
    with pytest.raises(AssertionError, match="report: expected success, got upstream_failed"):
        summary.assert_state({"report": "success"})


def test_expect_raises_with_the_summary(airflow: AirflowRunner) -> None:
    with pytest.raises(RunFailed, match="expected the run to end success, it ended failed") as caught:
        airflow.run("runner_retry", "2024-01-02", expect="success")
    assert caught.value.summary.failed[0].label == "always_fails"


def test_fast_retries_off_waits_the_dags_own_delay(airflow: AirflowRunner, tmp_path: Path) -> None:
    dag_file = tmp_path / "runner_slow_retry.py"
    dag_file.write_text(textwrap.dedent("""\
        from datetime import datetime, timedelta
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2024, 1, 1))
        def runner_slow_retry():
            @task(retries=1, retry_delay=timedelta(seconds=2))
            def flaky(ti=None):
                print(f"try {ti.try_number}")
                if ti.try_number == 1:
                    raise RuntimeError("first try fails")

            flaky()

        runner_slow_retry()
        """))
    started = time.monotonic()
    summary = airflow.run(dag_file, "2024-01-02", fast_retries=False)
    assert time.monotonic() - started >= 2
    assert summary.ok and summary["flaky"].tries == 2
    assert summary["flaky"].output == "try 1\ntry 2\n"


@pytest.mark.parametrize(("day", "taken", "skipped"), [("2024-01-06", "weekend", "weekday"),
                                                        ("2024-01-02", "weekday", "weekend")])
def test_branch_skips_the_other_path(airflow: AirflowRunner, day: str, taken: str, skipped: str) -> None:
    summary = airflow.run("runner_branch", day, expect="success")
    assert summary.states == {"pick": "success", taken: "success", skipped: "skipped", "publish": "success"}
    assert [t.label for t in summary.tasks] == ["pick", "weekday", "weekend", "publish"]
    assert summary["pick"].xcoms == {"skipmixin_key": {"followed": [taken]}}
    assert summary["pick"].output == f"{day} -> {taken}\n"
    assert summary[taken].output == f"{taken} load\n"
    assert summary[skipped].tries == 0 and summary[skipped].output == ""


def test_a_file_outside_the_dags_folder_is_copied_in_and_gets_conf(airflow: AirflowRunner,
                                                                    tmp_path: Path) -> None:
    dag_file = tmp_path / "runner_from_notebook.py"
    dag_file.write_text(textwrap.dedent("""\
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2024, 1, 1))
        def runner_from_notebook():
            @task
            def show(dag_run=None, run_id=None):
                print(f"conf={dag_run.conf} run_id={run_id}")

            show()

        runner_from_notebook()
        """))
    summary = airflow.run(str(dag_file), "2024-01-02", conf={"limit": 5}, expect="success")
    assert summary["show"].output == "conf={'limit': 5} run_id=manual__2024-01-02T00:00:00+00:00\n"
    assert (airflow.dags_folder / dag_file.name).read_text() == dag_file.read_text()
    assert "runner_from_notebook" in airflow.dag_ids()


def test_added_files_and_each_linked_folder_are_bundles_of_their_own(airflow: AirflowRunner,
                                                                     tmp_path: Path) -> None:
    """dag.test() parses and writes to the DB every DAG of the bundle its DAG belongs to, on every call: a file
    added beside the linked folder must not pay for that folder's DAGs, nor they for it."""
    from airflow.dag_processing.dagbag import DagBag
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    dag_file = tmp_path / "runner_alone.py"
    dag_file.write_text(textwrap.dedent("""\
        from datetime import datetime
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2024, 1, 1))
        def runner_alone():
            @task
            def hello():
                print("alone")

            hello()

        runner_alone()
        """))
    airflow.run(str(dag_file), "2024-01-02", expect="success")
    airflow.run("runner_ok", "2024-01-02", expect="success")
    with create_session() as session:
        bundles = dict(session.execute(select(DagModel.dag_id, DagModel.bundle_name).where(
            DagModel.dag_id.in_(["runner_alone", "runner_ok"]))).all())
    assert bundles == {"runner_alone": "dags-folder", "runner_ok": DAGS.name}
    added = DagBag(airflow.dags_folder, bundle_path=airflow.dags_folder).dags  # what dag.test() parses for it
    assert "runner_alone" in added and "runner_ok" not in added
    assert runner_module.bundle_of(DAGS / "runner_ok.py") == DAGS.name
    assert runner_module.bundle_of(dag_file) == "dags-folder"


def test_a_run_declares_the_bundles_again_after_the_environment_lost_them(airflow: AirflowRunner,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``mock.patch.dict(os.environ)`` open while the bundles were declared (a world's S3 credentials) takes
    the declaration back when it closes. Airflow then knew only ``dags-folder``, which leaves the linked
    folders out: a DAG of theirs not run before in the process was in no bundle ("not serialized")."""
    import json
    import os

    airflow.run("runner_ok", "2024-01-05", expect="success")
    monkeypatch.delenv("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST")
    assert airflow.run("runner_ok", "2024-01-05", expect="success").ok
    declared = json.loads(os.environ["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"])
    assert {"dags-folder", DAGS.name} <= {bundle["name"] for bundle in declared}


def test_a_dag_object_runs_itself(airflow: AirflowRunner) -> None:
    spec = importlib.util.spec_from_file_location("runner_ok_module", DAGS / "runner_ok.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    summary = airflow.run(module.runner_ok_dag, dt.datetime(2024, 1, 4), expect="success")
    assert summary.logical_date == "2024-01-04"
    assert summary["load"].output == "loaded 6 for 2024-01-04\n"
    with pytest.raises(UnknownDag, match="importing test_runner.py does not create it"):
        airflow.run(module.runner_ok(), "2024-01-04")  # a DAG built here belongs to this file


def test_a_deferred_task_runs_inside_a_running_event_loop(airflow: AirflowRunner, tmp_path: Path) -> None:
    """A Jupyter kernel runs cells inside an asyncio loop; dag.test() runs triggers with asyncio.run()."""
    dag_file = tmp_path / "runner_deferred.py"
    dag_file.write_text(textwrap.dedent("""\
        from datetime import datetime
        from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
        from airflow.sdk import dag, task

        @dag(schedule=None, start_date=datetime(2024, 1, 1))
        def runner_deferred():
            wait = DateTimeSensorAsync(
                task_id="wait", target_time="{{ macros.datetime.utcnow() + macros.timedelta(seconds=1) }}")

            @task
            def after():
                print("waited")

            wait >> after()

        runner_deferred()
        """))

    async def cell_in_a_kernel() -> object:
        return airflow.run(dag_file, "2024-01-02")

    summary = asyncio.run(cell_in_a_kernel())
    assert summary.states == {"wait": "success", "after": "success"}
    assert summary["after"].output == "waited\n"


def test_unknown_dag_id_lists_the_available_ones(airflow: AirflowRunner) -> None:
    with pytest.raises(UnknownDag) as caught:
        airflow.run("runner_typo", "2024-01-02")
    message = str(caught.value)
    assert "no DAG 'runner_typo'" in message
    assert all(dag_id in message for dag_id in ("runner_ok", "runner_retry", "runner_branch"))
    assert "failed to import: dags_for_runner/runner_broken.py" in message


def test_import_error_shows_airflows_error_text(airflow: AirflowRunner) -> None:
    with pytest.raises(DagImportError, match="No module named 'not_a_real_module_for_the_runner'"):
        airflow.run(DAGS / "runner_broken.py", "2024-01-02")


def test_airflow_log_flood_stays_out_of_stdout_and_stderr(airflow: AirflowRunner,
                                                          capfd: pytest.CaptureFixture[str]) -> None:
    size = airflow.log_file.stat().st_size
    airflow.run("runner_retry", "2024-01-05")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    with airflow.log_file.open() as log:
        log.seek(size)
        flood = log.read()
    assert "[DAG TEST] starting task_id=always_fails" in flood
    assert "ValueError: column AMOUNT has 2 nulls" in flood


def test_logical_date_parsing() -> None:
    utc = dt.timezone.utc
    assert parse_logical_date("2024-01-02") == dt.datetime(2024, 1, 2, tzinfo=utc)
    assert parse_logical_date(dt.date(2024, 1, 2)) == dt.datetime(2024, 1, 2, tzinfo=utc)
    assert parse_logical_date(dt.datetime(2024, 1, 2, 6)) == dt.datetime(2024, 1, 2, 6, tzinfo=utc)
    assert parse_logical_date("2024-01-02T06:00:00+02:00").utcoffset() == dt.timedelta(hours=2)
    with pytest.raises(ValueError, match="not 'YYYY-MM-DD'"):
        parse_logical_date("02/01/2024")
    with pytest.raises(TypeError):
        parse_logical_date(20240102)  # type: ignore[arg-type]


def test_another_home_in_the_same_process_says_restart(airflow: AirflowRunner, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="Restart the kernel"):
        runner_module.configure(tmp_path / "other")
    assert runner_module.configure(airflow.home) == airflow.home


def test_the_shared_runner_uses_the_configured_home(airflow: AirflowRunner) -> None:
    shared = AirflowRunner.shared()
    assert shared.home == airflow.home and AirflowRunner.shared() is shared
    assert (shared.dags_folder / "kit").resolve() == runner_module.DAGS_DIR.resolve()


def test_new_home_gets_the_migrated_template_by_copy(airflow: AirflowRunner, tmp_path: Path) -> None:
    started = time.monotonic()
    runner_module._install_db(tmp_path)  # the session already made (or found) the template
    assert time.monotonic() - started < 5
    with sqlite3.connect(tmp_path / "airflow.db") as db:
        tables = {name for (name,) in db.execute("select name from sqlite_master where type='table'")}
    assert {"dag_run", "task_instance", "xcom", "alembic_version"} <= tables


SECRETS_DAG = '''
import datetime as dt

from airflow.sdk import DAG, Connection, Variable, task

with DAG("runner_secrets", schedule=None, start_date=dt.datetime(2024, 1, 1), catchup=False):

    @task(retries=0)
    def leaky():
        password = Variable.get("snowflake_password")
        print(password)
        print(Connection.get("snowflake_default"))
        raise RuntimeError(f"login failed for airflow_user with password {password}")

    leaky()
'''


def test_the_summary_and_the_log_mask_what_airflow_masks(airflow: AirflowRunner, tmp_path,
                                                          monkeypatch) -> None:
    import json
    import secrets

    password = secrets.token_urlsafe(24)
    monkeypatch.setenv("AIRFLOW_VAR_SNOWFLAKE_PASSWORD", password)
    monkeypatch.setenv("AIRFLOW_CONN_SNOWFLAKE_DEFAULT", json.dumps(
        {"conn_type": "snowflake", "login": "airflow_user", "password": password, "extra": {"account": "a"}}))
    dag_file = tmp_path / "runner_secrets.py"
    dag_file.write_text(SECRETS_DAG)
    summary = airflow.run(dag_file, "2024-01-02", expect="failed")
    task = summary["leaky"]
    assert task.output.splitlines()[0] == "***" and "password='***'" in task.output
    assert task.error == "RuntimeError: login failed for airflow_user with password ***"
    assert password not in str(summary) and password not in str(summary.to_dict())
    log = airflow.log_file.read_text()
    assert password not in log and "with password ***" in log
