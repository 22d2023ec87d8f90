"""The notebook 06 graders accept the reference answers and reject broken ones, the syllabus's plain "the key
exists" check among them (an empty file counts as arrived)."""

from __future__ import annotations

import datetime as dt

import pytest

from exercises import sensors as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world()


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_appointments_file_ready, ex.grade_staging_rows_ready])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- appointments_file_ready ---------------------------------------------------------------------------------


def file_exists_only(hook, day):
    """What the syllabus's S3KeySensor checks: the key exists (an empty object counts)."""
    from airflow.sdk import PokeReturnValue
    key = f"appointments/{day.isoformat()}/data.csv"
    return PokeReturnValue(is_done=hook.check_for_key(key, bucket_name=ex.BUCKET), xcom_value=key)


def file_ready_bool(hook, day):
    head = hook.head_object(f"appointments/{day.isoformat()}/data.csv", bucket_name=ex.BUCKET)
    return bool(head) and head["ContentLength"] > 0


def file_any_day(hook, day):
    """Any file under appointments/ will do."""
    from airflow.sdk import PokeReturnValue
    keys = hook.list_keys(bucket_name=ex.BUCKET, prefix="appointments/") or []
    return PokeReturnValue(is_done=bool(keys), xcom_value=keys[0] if keys else None)


def file_today(hook, day):
    """Uses the wall clock instead of the day it was given."""
    from airflow.sdk import PokeReturnValue
    key = f"appointments/{dt.date.today().isoformat()}/data.csv"
    head = hook.head_object(key, bucket_name=ex.BUCKET)
    return PokeReturnValue(is_done=bool(head) and head["ContentLength"] > 0, xcom_value=key)


def test_file_ready_accepts_the_reference_and_puts_the_bucket_back(world):
    world.s3.put("appointments/2025-09-01/data.csv", "a\n1\n")
    assert ex.grade_appointments_file_ready(ex.appointments_file_ready, show=False).passed
    assert world.s3.keys("appointments/") == ["appointments/2025-09-01/data.csv"]
    assert world.s3.read("appointments/2025-09-01/data.csv") == b"a\n1\n"


@pytest.mark.parametrize("fn, checks", [
    (file_exists_only, ["an empty (zero-byte) file"]),
    (file_ready_bool, ["no file yet", "the day's file", "an empty", "another day's", "the day comes"]),
    (file_any_day, ["an empty", "another day's", "the day comes"]),
    (file_today, ["the day's file"]),
])
def test_file_ready_rejects_broken_versions(fn, checks):
    g = ex.grade_appointments_file_ready(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- staging_rows_ready --------------------------------------------------------------------------------------


def rows_whole_table(cursor, day, min_rows):
    """Counts the whole staging table, whatever day it holds."""
    from airflow.sdk import PokeReturnValue
    cursor.execute("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS")
    count = cursor.fetchone()[0]
    return PokeReturnValue(is_done=count >= min_rows, xcom_value=count)


def rows_strictly_more(cursor, day, min_rows):
    from airflow.sdk import PokeReturnValue
    cursor.execute("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS WHERE RAW_DATA:appointment_date::DATE = %s",
                   (day,))
    count = cursor.fetchone()[0]
    return PokeReturnValue(is_done=count > min_rows, xcom_value=count)


def rows_bool(cursor, day, min_rows):
    cursor.execute("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS WHERE RAW_DATA:appointment_date::DATE = %s",
                   (day,))
    return cursor.fetchone()[0] >= min_rows


def test_staging_rows_accepts_the_reference():
    assert ex.grade_staging_rows_ready(ex.staging_rows_ready, show=False).passed


@pytest.mark.parametrize("fn, checks", [
    (rows_whole_table, ["a day with no rows"]),
    (rows_strictly_more, ["exactly"]),
    (rows_bool, ["2025-09-30 has", "exactly", "62 needed", "a day with no rows"]),
])
def test_staging_rows_rejects_broken_versions(fn, checks):
    g = ex.grade_staging_rows_ready(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


# -- correct alternatives and the plausible wrong answers -------------------------------------------------


def file_get_key(hook, day):
    """get_key returns the boto3 Object (or None); its content_length is the size."""
    from airflow.sdk import PokeReturnValue
    key = f"appointments/{day:%Y-%m-%d}/data.csv"
    obj = hook.get_key(key, bucket_name=ex.BUCKET) if hook.check_for_key(key, bucket_name=ex.BUCKET) else None
    return PokeReturnValue(is_done=obj is not None and obj.content_length > 0, xcom_value=key)


def file_list_with_sizes(hook, day):
    """One listing of the day's prefix; the boto3 client's size of the exact key."""
    from airflow.sdk import PokeReturnValue
    key = f"appointments/{day.isoformat()}/data.csv"
    listing = hook.get_conn().list_objects_v2(Bucket=ex.BUCKET, Prefix=key)
    sizes = {item["Key"]: item["Size"] for item in listing.get("Contents", [])}
    return PokeReturnValue(is_done=sizes.get(key, 0) > 0, xcom_value=key)


@pytest.mark.parametrize("fn", [file_get_key, file_list_with_sizes])
def test_file_ready_accepts_correct_alternatives(fn):
    g = ex.grade_appointments_file_ready(fn, show=False)
    assert g.passed, g.lines


def rows_named_parameter(cursor, day, min_rows):
    from airflow.sdk import PokeReturnValue
    cursor.execute("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS "
                   "WHERE TO_DATE(RAW_DATA:appointment_date::STRING) = %(day)s", {"day": day})
    (count,) = cursor.fetchone()
    return PokeReturnValue(is_done=int(count) >= min_rows, xcom_value=int(count))


def rows_count_if(cursor, day, min_rows):
    """One pass over the table, the day's rows counted with COUNT_IF (coalesced)."""
    from airflow.sdk import PokeReturnValue
    cursor.execute("SELECT COALESCE(COUNT_IF(RAW_DATA:appointment_date::DATE = %s), 0) "
                   "FROM RAW.STAGING.RAW_APPOINTMENTS", (day,))
    count = int(cursor.fetchone()[0])
    return PokeReturnValue(is_done=count >= min_rows, xcom_value=count)


def rows_day_pasted(cursor, day, min_rows):
    from airflow.sdk import PokeReturnValue
    cursor.execute("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS "
                   f"WHERE RAW_DATA:appointment_date::DATE = '{day}'")
    count = cursor.fetchone()[0]
    return PokeReturnValue(is_done=count >= min_rows, xcom_value=count)


@pytest.mark.parametrize("fn", [rows_named_parameter, rows_count_if])
def test_staging_rows_accepts_correct_alternatives(fn):
    g = ex.grade_staging_rows_ready(fn, show=False)
    assert g.passed, g.lines


def test_staging_rows_rejects_a_pasted_day():
    g = ex.grade_staging_rows_ready(rows_day_pasted, show=False)
    assert failed_exactly(g, "the day is a bound parameter"), g.lines
