"""The notebook 04 graders accept the reference answers and reject broken ones, the syllabus's own check among
them (ValueError retried, threshold hard-coded, TypeError on a missing XCom)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest

from exercises import xcom as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world()


def not_attempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_check_appointment_threshold, ex.grade_write_handoff,
                                    ex.grade_money_for_xcom])
def test_not_attempted_is_reported_calmly(grader, world):
    assert grader(not_attempted, show=False).status == "not attempted"
    assert world.s3.keys("handoff/") == []


# -- check_appointment_threshold -----------------------------------------------------------------------------


def syllabus_check(**context):
    """The syllabus's check_appointment_threshold, verbatim."""
    # Pull from XCom
    count = context['task_instance'].xcom_pull(
        task_ids='extract_appointment_count',
        key='appointment_count'
    )

    threshold = 1000
    if count < threshold:
        raise ValueError(f"Only {count} appointments, expected > {threshold}")

    print(f"✓ Count {count} exceeds threshold {threshold}")


def check_return_value(ti, params):
    """Pulls the return value (no key): the syllabus pushes the count twice, so this 'works' there."""
    from airflow.sdk.exceptions import AirflowFailException
    count = ti.xcom_pull(task_ids="extract_appointment_count")
    if count is None or count < params["threshold"]:
        raise AirflowFailException(f"only {count} appointments ({ex.COUNT_KEY})")


def check_no_task_ids(ti, params):
    """Leaves task_ids out: Airflow then pulls this task's own XCom, which does not exist."""
    from airflow.sdk.exceptions import AirflowFailException
    count = ti.xcom_pull(key="appointment_count")
    if count is None:
        raise AirflowFailException("no appointment_count XCom")
    if count < params["threshold"]:
        raise AirflowFailException(f"only {count}")


def check_value_error(ti, params):
    count = ti.xcom_pull(task_ids="extract_appointment_count", key="appointment_count")
    if count is None:
        raise ValueError("no appointment_count XCom")
    if count < params["threshold"]:
        raise ValueError(f"only {count} appointments")


def check_strictly_above(ti, params):
    from airflow.sdk.exceptions import AirflowFailException
    count = ti.xcom_pull(task_ids="extract_appointment_count", key="appointment_count")
    if count is None:
        raise AirflowFailException("no appointment_count XCom")
    if count <= params["threshold"]:
        raise AirflowFailException(f"only {count} appointments")


def test_threshold_accepts_the_reference(capsys):
    assert ex.grade_check_appointment_threshold(ex.check_appointment_threshold, show=False).passed
    assert "count 1536 meets threshold 1000" in capsys.readouterr().out


def test_threshold_grader_calls_like_python_operator():
    ti = ex.FakeTaskInstance({(ex.EXTRACT, ex.COUNT_KEY): 61})
    assert ex.call_like_python_operator(lambda ti, params: (ti.task_id, params), ti, {"threshold": 1}) == (
        "check_appointment_threshold", {"threshold": 1})
    assert ex.call_like_python_operator(lambda **context: sorted(context), ti, {})[:3] == ["ds", "ds_nodash",
                                                                                           "logical_date"]
    assert ti.xcom_pull(task_ids=[ex.EXTRACT, "other"], key=ex.COUNT_KEY) == [61, None]
    assert ti.xcom_pull(key=ex.COUNT_KEY) is None  # task_ids=None means the pulling task itself


@pytest.mark.parametrize("fn, checks", [
    (syllabus_check, ["61 against 1000", "the threshold comes from params", "the count is pulled by key",
                      "a missing XCom"]),
    (check_return_value, ["1536 against", "61 against 1000", "a count equal", "the threshold comes from params",
                          "the count is pulled by key", "a missing XCom"]),
    (check_no_task_ids, ["1536 against", "61 against 1000", "a count equal", "the threshold comes from params",
                         "the count is pulled by key"]),
    (check_value_error, ["61 against 1000", "the count is pulled by key", "a missing XCom"]),
    (check_strictly_above, ["a count equal"]),
])
def test_threshold_rejects_broken_versions(fn, checks):
    g = ex.grade_check_appointment_threshold(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_threshold_says_why_a_value_error_is_wrong():
    lines = "\n".join(ex.grade_check_appointment_threshold(syllabus_check, show=False).lines)
    assert "got ValueError: Only 61 appointments, expected > 1000" in lines
    assert "retries=2: three runs, same answer" in lines
    assert "got TypeError: '<' not supported between instances of 'NoneType' and 'int'" in lines


# -- write_handoff -------------------------------------------------------------------------------------------


def handoff_the_frame(s3, df, day):
    return df


def handoff_uuid_key(s3, df, day):
    key = f"handoff/appointments/{day.isoformat()}-{uuid.uuid4().hex}.csv"
    s3.put_object(Bucket=ex.BUCKET, Key=key, Body=df.to_csv(index=False).encode())
    return key


def handoff_with_index(s3, df, day):
    key = f"handoff/appointments/{day.isoformat()}.csv"
    s3.put_object(Bucket=ex.BUCKET, Key=key, Body=df.to_csv().encode())
    return key


def handoff_no_day(s3, df, day):
    key = "handoff/appointments/latest.csv"
    s3.put_object(Bucket=ex.BUCKET, Key=key, Body=df.to_csv(index=False).encode())
    return key


def test_handoff_accepts_the_reference(world):
    assert ex.grade_write_handoff(ex.write_handoff, show=False).passed
    assert world.s3.keys("handoff/") == []  # the grader cleans up


@pytest.mark.parametrize("fn, checks", [
    (handoff_the_frame, ["returns the key", "the key is", "the object at that key", "a re-run", "another day"]),
    (handoff_uuid_key, ["the key is", "a re-run", "another day"]),
    (handoff_with_index, ["the object at that key"]),
    (handoff_no_day, ["the key is", "another day"]),
])
def test_handoff_rejects_broken_versions(fn, checks, world):
    g = ex.grade_write_handoff(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
    assert world.s3.keys("handoff/") == []


def test_handoff_reports_the_size_of_a_dataframe_xcom():
    lines = ex.grade_write_handoff(handoff_the_frame, show=False).lines
    assert "expected the S3 key (a str), got a DataFrame (" in lines[0] and "bytes as an XCom)" in lines[0]


# -- money_for_xcom ------------------------------------------------------------------------------------------


def test_money_accepts_the_reference():
    assert ex.grade_money_for_xcom(ex.money_for_xcom, show=False).passed


@pytest.mark.parametrize("fn, checks", [
    (lambda amount: amount, ["and its scale", "a NUMBER(18,4) total"]),  # a Decimal as is: serde makes it a float
    (float, ["a fee keeps its cents", "and its scale", "a NUMBER(18,4) total"]),
    (lambda amount: round(float(amount), 2), ["a fee keeps its cents", "and its scale", "a NUMBER(18,4) total"]),
    (lambda amount: f"{amount:.2f}", ["a NUMBER(18,4) total", "a whole amount"]),  # the scale is forced to 2
])
def test_money_rejects_broken_versions(fn, checks):
    g = ex.grade_money_for_xcom(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_xcom_round_trip_is_airflows_serialization():
    assert ex.xcom_round_trip(Decimal("10.50")) == Decimal("10.5")
    assert ex.xcom_round_trip("10.50") == "10.50"
    assert ex.xcom_round_trip(dt.date(2025, 9, 30)) == dt.date(2025, 9, 30)


# -- correct alternatives ------------------------------------------------------------------------------------


def check_context_style(**context):
    """Everything from the context dict; the count pulled from a one-element task_ids list."""
    from airflow.sdk.exceptions import AirflowFailException

    (count,) = context["ti"].xcom_pull(task_ids=[ex.EXTRACT], key=ex.COUNT_KEY)
    threshold = context["params"]["threshold"]
    if count is None or count < threshold:
        raise AirflowFailException(f"{ex.COUNT_KEY}={count} is below {threshold} (or missing)")


def check_with_default(ti, params):
    from airflow.sdk.exceptions import AirflowFailException

    count = ti.xcom_pull(task_ids="extract_appointment_count", key="appointment_count", default=None)
    if count is None:
        raise AirflowFailException("appointment_count was never pushed")
    if not count >= params["threshold"]:
        raise AirflowFailException(f"{count} < {params['threshold']}")


@pytest.mark.parametrize("fn", [check_context_style, check_with_default])
def test_threshold_accepts_correct_alternatives(fn):
    g = ex.grade_check_appointment_threshold(fn, show=False)
    assert g.passed, g.lines


def handoff_upload_fileobj(s3, df, day):
    buffer = io.BytesIO(df.to_csv(index=False).encode("utf-8"))
    key = f"handoff/appointments/{day:%Y-%m-%d}.csv"
    s3.upload_fileobj(buffer, ex.BUCKET, key)
    return key


def handoff_text_body(s3, df, day):
    text = io.StringIO()
    df.to_csv(text, index=False)
    key = "/".join(["handoff", "appointments", f"{day.isoformat()}.csv"])
    s3.put_object(Bucket=ex.BUCKET, Key=key, Body=text.getvalue())
    return key


@pytest.mark.parametrize("fn", [handoff_upload_fileobj, handoff_text_body])
def test_handoff_accepts_correct_alternatives(fn, world):
    g = ex.grade_write_handoff(fn, show=False)
    assert g.passed, g.lines
    assert world.s3.keys("handoff/") == []


@pytest.mark.parametrize("fn", [lambda amount: format(amount, "f"), lambda amount: amount.to_eng_string(),
                                lambda amount: {"amount": str(amount)}["amount"]])
def test_money_accepts_correct_alternatives(fn):
    g = ex.grade_money_for_xcom(fn, show=False)
    assert g.passed, g.lines
