"""The DAG tasks' harness: a file is loaded as the scheduler loads it, and what it does while parsed is seen.

Each guard is shown catching its mistake in a small DAG file: an import error names the line, a deprecated
Airflow 2 import path fails the load, parse-time work (a Variable, Snowflake, HTTP, S3, the clock) is named,
and a check that cannot run because the file did not load says so instead of passing: a starter file, not
attempted yet, scores nothing.
"""

from __future__ import annotations

import textwrap

import pytest

from interview.dag_checks import LOADS, NO_PARSE_WORK, DagGrading, clock_reads, where_it_broke
from interview.tasks import bank, check_here

HEADER = """\
import datetime as dt
from airflow.sdk import DAG, task
"""
DAG_BODY = """
with DAG("probe", schedule=None, start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc)):
    @task
    def hello():
        return 1
    hello()
"""


def grade_file(tmp_path, source: str, *dag_ids: str) -> dict[str, object]:
    """Load ``source`` as a DAG file and run one check after it; every check by name."""
    path = tmp_path / "probe.py"
    path.write_text(textwrap.dedent(source))
    grading = DagGrading(path, file="probe.py")
    with grading.world():
        grading.load(*(dag_ids or ("probe",)))

        @grading.check("after the load")
        def _():
            pass

    return {check.name: check for check in grading.results()}


def test_a_clean_file_passes_both_load_checks(tmp_path):
    checks = grade_file(tmp_path, HEADER + DAG_BODY)
    assert all(check.passed for check in checks.values()), checks


def test_an_import_error_names_the_line_and_stops_the_other_checks(tmp_path):
    removed = "x = 1\nfrom airflow.sensors.s3_key_sensor import S3KeySensor\n"  # an Airflow 2 path, gone
    checks = grade_file(tmp_path, HEADER + removed + DAG_BODY)
    assert not checks[LOADS].passed
    assert "probe.py, line 4: ModuleNotFoundError" in checks[LOADS].detail
    assert checks["after the load"].detail == "not checked: probe.py did not load"
    assert not checks[NO_PARSE_WORK].passed


def test_a_missing_dag_id_is_named_with_what_the_file_defines(tmp_path):
    checks = grade_file(tmp_path, HEADER + DAG_BODY, "partner_daily_load")
    assert not checks[LOADS].passed and "no DAG 'partner_daily_load'; found probe" in checks[LOADS].detail


def test_an_airflow_2_import_path_that_still_works_fails_the_load(tmp_path):
    source = HEADER + "from airflow.operators.python import PythonOperator\n" + DAG_BODY
    checks = grade_file(tmp_path, source)
    assert not checks[LOADS].passed and "PythonOperator" in checks[LOADS].detail
    assert checks["after the load"].passed  # it loads: the rest can still be checked


def test_parse_time_work_is_named_while_the_file_still_loads(tmp_path):
    source = HEADER + """
import boto3, requests, snowflake.connector
from airflow.sdk import Variable
KEY = Variable.get("partner_api_key")
snowflake.connector.connect(account="a", user="u").close()
requests.get("https://api.partner.com/v1/appointments", timeout=5)
boto3.client("s3").list_objects_v2(Bucket="simplepractice-raw-data")
STARTED = dt.datetime.now()
""" + DAG_BODY
    checks = grade_file(tmp_path, source)
    assert checks[LOADS].passed, checks[LOADS].detail
    detail = checks[NO_PARSE_WORK].detail
    for what in ("Variable.get 'partner_api_key'", "snowflake.connector.connect()",
                 "an HTTP request GET https://api.partner.com/v1/appointments", "an AWS call ListObjectsV2",
                 "dt.datetime.now() on line"):
        assert what in detail, (what, detail)


def test_a_real_socket_at_parse_time_is_refused(tmp_path):
    source = HEADER + """
import socket
try:
    socket.create_connection(("192.0.2.1", 80), timeout=1)
except OSError:
    pass
""" + DAG_BODY
    checks = grade_file(tmp_path, source)
    assert "a socket connection to ('192.0.2.1', 80)" in checks[NO_PARSE_WORK].detail


@pytest.mark.parametrize(("source", "found"), [
    ("import datetime as dt\nSTART = dt.datetime.now()\n", ["dt.datetime.now() on line 2"]),
    ("import pendulum\nDAYS = [pendulum.today('UTC')]\n", ["pendulum.today() on line 2"]),
    ("import datetime as dt\ndef when():\n    return dt.datetime.now()\n", []),  # inside a task: run time
    ("f = lambda: __import__('datetime').datetime.utcnow()\n", []),
])
def test_clock_reads_at_import_are_found_and_those_in_functions_are_not(source, found):
    assert [text.split("import: ")[1] for text in clock_reads(source)] == found


def test_an_import_error_is_told_by_its_last_line_in_the_file(tmp_path):
    path = tmp_path / "mine.py"
    trace = (f'Traceback (most recent call last):\n  File "{path}", line 3, in <module>\n    import x\n'
             f'  File "/lib/x.py", line 9, in <module>\nModuleNotFoundError: No module named \'x\'\n')
    assert where_it_broke(trace, path) == "mine.py, line 3: ModuleNotFoundError: No module named 'x'"


@pytest.mark.parametrize("task", list(bank("dag").values()), ids=lambda t: t.task_id)
def test_a_starter_file_imports_and_scores_nothing_until_it_defines_the_dag(task):
    verdict = check_here(task, task.folder / "starter.py")
    first = verdict.checks[0]
    assert (first.name, first.passed) == (LOADS, False) and first.detail.startswith("no DAG"), first
    assert verdict.score == 0.0 and all(c.detail for c in verdict.checks)


def test_a_task_that_never_returns_fails_on_its_budget_with_a_reason(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(HEADER + """
with DAG("probe", schedule=None, start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc)):
    @task
    def spin():
        while True:
            pass
    spin()
""")
    grading = DagGrading(path, file="probe.py")
    with grading.world():
        dag = grading.load("probe")
        summary = grading.run(dag, "2025-09-10", budget=1)
    assert summary.state == "failed" and "AirflowTaskTimeout" in summary["spin"].error
    assert dag.task_dict["spin"].execution_timeout is None  # the candidate's DAG is given back as it was


def test_a_graded_file_leaves_the_runners_dags_folder(tmp_path):
    """Every later run in the process parses that folder: a candidate file reading a secret at parse time would
    read the next world's, and Airflow's masker would then hide it from that world's logs."""
    solution = tmp_path / "leaky.py"
    solution.write_text(HEADER + "from airflow.sdk import Variable\nURL = Variable.get('slack_webhook_url')\n"
                        + DAG_BODY)
    grading = DagGrading(solution, file="leaky.py")
    grading.load("probe")
    assert grading.path.exists()
    assert [c.name for c in grading.results() if not c.passed] == [NO_PARSE_WORK]
    assert not grading.path.exists()
