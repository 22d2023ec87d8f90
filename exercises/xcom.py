"""Exercises of notebook 04 (XCom): the graders, and reference answers to read after trying.

1. ``check_appointment_threshold(ti, params)``: the syllabus's second task, pulling by key and task_ids.
   The grader calls it the way PythonOperator does (context values passed by parameter name) with a task
   instance whose ``xcom_pull`` answers like Airflow 3's: a missing XCom is ``None``, not an error.
2. ``write_handoff(s3, df, day)``: push a reference, not the data: write the frame to S3, return the key.
3. ``money_for_xcom(amount)``: a Decimal that survives XCom exactly (Airflow's serde turns a Decimal with
   decimals into a float). The pulling task rebuilds it with ``Decimal(value)``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade, world

BUCKET = "simplepractice-raw-data"
COUNT_KEY = "appointment_count"
EXTRACT = "extract_appointment_count"
HANDOFF_PREFIX = "handoff/appointments/"

# -- reference answers -------------------------------------------------------------------------------------------


def check_appointment_threshold(ti: Any, params: dict) -> None:
    """Pull the count by key and task_ids; fail without retries when it is missing or below the threshold."""
    from airflow.sdk.exceptions import AirflowFailException

    count = ti.xcom_pull(task_ids=EXTRACT, key=COUNT_KEY)
    if count is None:
        raise AirflowFailException(f"no {COUNT_KEY!r} XCom from {EXTRACT}")
    if count < params["threshold"]:
        raise AirflowFailException(f"only {count} appointments, expected at least {params['threshold']}")
    print(f"count {count} meets threshold {params['threshold']}")


def write_handoff(s3: Any, df: Any, day: dt.date) -> str:
    """Write ``df`` as CSV (header, no index) to ``handoff/appointments/<day>.csv``; return that key.
    The same day always gets the same key, so a re-run overwrites instead of piling up copies."""
    key = f"{HANDOFF_PREFIX}{day.isoformat()}.csv"
    s3.put_object(Bucket=BUCKET, Key=key, Body=df.to_csv(index=False).encode())
    return key


def money_for_xcom(amount: Decimal) -> str:
    """A string keeps every digit and the scale; ``Decimal(text)`` on the other side restores it exactly."""
    return str(amount)


# -- a task instance that answers xcom_pull like Airflow 3's -----------------------------------------------------


class FakeTaskInstance:
    """Enough of Airflow 3's RuntimeTaskInstance for a callable that pulls XComs.

    ``xcom_pull(task_ids=None, key="return_value")``: ``task_ids=None`` means this task itself; a str returns
    one value or ``default`` (``None``) when there is none; a list returns a list with ``None`` for a task
    that pushed nothing. Every pull is recorded in ``pulls``.
    """

    def __init__(self, xcoms: dict[tuple[str, str], Any], task_id: str = "check_appointment_threshold") -> None:
        self.xcoms = dict(xcoms)
        self.task_id = task_id
        self.pulls: list[tuple[Any, str]] = []

    def xcom_pull(self, task_ids: Any = None, dag_id: str | None = None, key: str = "return_value",
                  include_prior_dates: bool = False, *, map_indexes: Any = None, default: Any = None,
                  run_id: str | None = None) -> Any:
        self.pulls.append((task_ids, key))
        if task_ids is None:
            task_ids = self.task_id
        if isinstance(task_ids, str):
            return self.xcoms.get((task_ids, key), default)
        return [self.xcoms.get((t, key)) for t in task_ids]

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[(self.task_id, key)] = value


def call_like_python_operator(fn: Callable[..., Any], ti: Any, params: dict) -> Any:
    """Call ``fn`` the way PythonOperator does: context values passed only for the names it accepts."""
    from airflow.sdk.bases.decorator import KeywordParameters

    context = {"ti": ti, "task_instance": ti, "params": params, "ds": "2025-10-01", "ds_nodash": "20251001",
               "logical_date": dt.datetime(2025, 10, 1, tzinfo=dt.timezone.utc)}
    return fn(**KeywordParameters.determine(fn, (), context).unpacking())


# -- graders -----------------------------------------------------------------------------------------------------


def grade_check_appointment_threshold(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    from airflow.sdk.exceptions import AirflowFailException

    def run(xcoms: dict[tuple[str, str], Any], threshold: int) -> Any:
        return call_like_python_operator(fn, FakeTaskInstance(xcoms), {"threshold": threshold})

    def passes(count: int, threshold: int) -> None:
        run({(EXTRACT, COUNT_KEY): count}, threshold)

    def fails(xcoms: dict[tuple[str, str], Any], threshold: int, mention: str) -> None:
        try:
            run(xcoms, threshold)
        except AirflowFailException as error:
            if mention not in str(error):
                raise Mismatch(f"the message should mention {mention!r}: {error}") from None
        except Exception as error:  # noqa: BLE001 - say what came instead
            raise Mismatch(f"expected AirflowFailException (no retries can change this), got "
                           f"{type(error).__name__}: {error}; a task that raises it is retried "
                           "(retries=2: three runs, same answer)") from None
        else:
            raise Mismatch("expected AirflowFailException, the check passed")

    checks = [
        ("1536 against a threshold of 1000 passes", lambda f: passes(1536, 1000)),
        ("61 against 1000 fails at once (AirflowFailException)", lambda f: fails({(EXTRACT, COUNT_KEY): 61}, 1000, "61")),
        ("a count equal to the threshold passes", lambda f: passes(1000, 1000)),
        ("the threshold comes from params (61 against 50 passes)", lambda f: passes(61, 50)),
        ("the count is pulled by key and task_ids, not the task's return value",
         lambda f: fails({(EXTRACT, COUNT_KEY): 61, (EXTRACT, "return_value"): 5000}, 1000, "61")),
        ("a missing XCom fails with a message naming the key, not a TypeError",
         lambda f: fails({(EXTRACT, "return_value"): 5000}, 1000, COUNT_KEY)),
    ]
    return grade("check_appointment_threshold", fn, checks, show=show)


def _handoff_keys() -> list[str]:
    return world().s3.keys(HANDOFF_PREFIX)


def _clear_handoff() -> None:
    s3 = world().s3
    for key in s3.keys("handoff/"):
        s3.client.delete_object(Bucket=BUCKET, Key=key)


def _frame() -> Any:
    import pandas as pd

    rows = world().warehouse.query(
        "SELECT APPOINTMENT_ID, CLIENT_ID, STATUS, FEE_AMOUNT::VARCHAR FROM ANALYTICS.STAGING.APPOINTMENTS "
        "ORDER BY APPOINTMENT_ID")
    return pd.DataFrame(rows, columns=["appointment_id", "client_id", "status", "fee_amount"])


def grade_write_handoff(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    import pandas as pd

    from airflow.sdk.serde import serialize

    df, day, other = _frame(), dt.date(2025, 9, 30), dt.date(2025, 9, 29)
    returned: dict[str, Any] = {}

    def call(when: dt.date = day) -> Any:
        return fn(world().s3.client, df, when)

    def small_key(_: Any) -> None:
        key = call()
        if not isinstance(key, str):
            try:
                size = f" ({len(json.dumps(serialize(key))):,} bytes as an XCom)"
            except Exception:  # noqa: BLE001 - not serializable at all: say only what it is
                size = ""
            raise Mismatch(f"expected the S3 key (a str), got a {type(key).__name__}{size}")
        returned["key"] = key

    def key() -> str:
        if "key" not in returned:
            raise Mismatch("needs the key the first check expected")
        return returned["key"]

    def at_day_key(_: Any) -> None:
        expect(key(), f"{HANDOFF_PREFIX}{day.isoformat()}.csv", "key")

    def reads_back(_: Any) -> None:
        body = world().s3.read(key())
        back = pd.read_csv(io.BytesIO(body), dtype=str)
        want = pd.read_csv(io.StringIO(df.to_csv(index=False)), dtype=str)
        if list(back.columns) != list(want.columns):
            raise Mismatch(f"columns: expected {list(want.columns)}, got {list(back.columns)}")
        expect(back.to_dict("records") == want.to_dict("records"), True, f"the {len(want)} rows read back equal")

    def idempotent(_: Any) -> None:
        first, before = key(), _handoff_keys()
        expect(call(), first, "the key of a re-run for the same day")
        expect(_handoff_keys(), before, "objects under handoff/ after a re-run")

    def other_day(_: Any) -> None:
        key()
        expect(call(other), f"{HANDOFF_PREFIX}{other.isoformat()}.csv", "the key for 2025-09-29")

    checks = [
        ("returns the key (a small str), not the data", small_key),
        ("the key is handoff/appointments/<day>.csv", at_day_key),
        ("the object at that key reads back as the same rows (CSV, header, no index)", reads_back),
        ("a re-run for the same day overwrites the same key", idempotent),
        ("another day gets its own key", other_day),
    ]
    _clear_handoff()
    try:
        return grade("write_handoff", fn, checks, show=show)
    finally:
        _clear_handoff()


def xcom_round_trip(value: Any) -> Any:
    """What the task on the other side gets: Airflow's XCom serialization, JSON (as stored), and back."""
    from airflow.sdk.serde import deserialize, serialize

    return deserialize(json.loads(json.dumps(serialize(value))))


def grade_money_for_xcom(fn: Callable[[Decimal], Any], *, show: bool = True) -> Grade:
    def exact(text: str) -> None:
        amount = Decimal(text)
        value = fn(amount)
        back = Decimal(xcom_round_trip(value))
        if back.as_tuple() != amount.as_tuple():
            raise Mismatch(f"{amount!r} -> XCom -> {back!r}")

    checks = [
        ("a fee keeps its cents: 195.36", lambda f: exact("195.36")),
        ("and its scale: 10.50 stays 10.50", lambda f: exact("10.50")),
        ("a NUMBER(18,4) total with 17 digits stays exact", lambda f: exact("1234567890123.4567")),
        ("a whole amount stays whole: 300", lambda f: exact("300")),
    ]
    return grade("money_for_xcom", fn, checks, show=show)
