"""The notebook 18 graders accept right answers written differently and reject the plausible wrong ones, each
for its reason: Airflow's own backfill code is the judge."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from exercises import backfills as ex
from exercises.grading import failed_exactly

NY = ZoneInfo("America/New_York")


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_backfill_outcome, ex.grade_backfill_body])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


@pytest.mark.parametrize("grader, fn", [(ex.grade_backfill_outcome, ex.backfill_outcome),
                                        (ex.grade_backfill_body, ex.backfill_body)])
def test_the_reference_answers_pass(grader, fn):
    graded = grader(fn, show=False)
    assert graded.passed, graded.lines


# -- backfill_outcome ----------------------------------------------------------------------------------------


def outcome_as_table(existing_state, reprocess_behavior):
    """Another right answer: a lookup table."""
    table = {"none": {"success": "skip: already exists", "failed": "skip: already exists"},
             "failed": {"success": "skip: already exists", "failed": "rerun"},
             "completed": {"success": "rerun", "failed": "rerun"}}
    if reprocess_behavior not in table:
        raise ValueError(reprocess_behavior)
    if existing_state is None:
        return "create"
    return table[reprocess_behavior].get(existing_state, "skip: in flight")


def outcome_by_match(existing_state, reprocess_behavior):
    """Another right answer: structural pattern matching."""
    match (existing_state, reprocess_behavior):
        case (_, b) if b not in ("none", "failed", "completed"):
            raise ValueError(f"unknown behavior {b}")
        case (None, _):
            return "create"
        case ("queued" | "running", _):
            return "skip: in flight"
        case (_, "completed") | ("failed", "failed"):
            return "rerun"
        case _:
            return "skip: already exists"


def outcome_reruns_running(existing_state, reprocess_behavior):
    """Treats a run still going like a finished one: 'completed' would clear it mid-flight."""
    if reprocess_behavior not in ex.BEHAVIORS:
        raise ValueError(reprocess_behavior)
    if existing_state is None:
        return "create"
    if reprocess_behavior == "completed" or (reprocess_behavior == "failed" and existing_state == "failed"):
        return "rerun"
    return "skip: already exists"


def outcome_none_reruns_failed(existing_state, reprocess_behavior):
    """Believes the default 'none' still retries the red days."""
    if reprocess_behavior not in ex.BEHAVIORS:
        raise ValueError(reprocess_behavior)
    if existing_state is None:
        return "create"
    if existing_state in ("queued", "running"):
        return "skip: in flight"
    if reprocess_behavior == "completed" or existing_state == "failed":
        return "rerun"
    return "skip: already exists"


def outcome_failed_means_everything(existing_state, reprocess_behavior):
    """Reads 'failed' as 'also the failed ones', i.e. every finished run."""
    if reprocess_behavior not in ex.BEHAVIORS:
        raise ValueError(reprocess_behavior)
    if existing_state is None:
        return "create"
    if existing_state in ("queued", "running"):
        return "skip: in flight"
    return "skip: already exists" if reprocess_behavior == "none" else "rerun"


def outcome_never_validates(existing_state, reprocess_behavior):
    """Right on every real case, but an unknown behavior slips through as 'none'."""
    if existing_state is None:
        return "create"
    if existing_state in ("queued", "running"):
        return "skip: in flight"
    if reprocess_behavior == "completed" or (reprocess_behavior == "failed" and existing_state == "failed"):
        return "rerun"
    return "skip: already exists"


@pytest.mark.parametrize("answer", [outcome_as_table, outcome_by_match])
def test_outcome_other_right_answers_pass(answer):
    graded = ex.grade_backfill_outcome(answer, show=False)
    assert graded.passed, graded.lines


@pytest.mark.parametrize(("answer", "reasons"), [
    (outcome_reruns_running, ["a queued or running run is never touched"]),
    (outcome_none_reruns_failed, ["none: a finished run"]),
    (outcome_failed_means_everything, ["failed: only the red runs"]),
    (outcome_never_validates, ["an unknown behavior raises ValueError"]),
])
def test_outcome_wrong_answers_fail_for_their_reason(answer, reasons):
    assert failed_exactly(ex.grade_backfill_outcome(answer, show=False), *reasons)


def test_an_outcome_outside_the_vocabulary_is_named():
    graded = ex.grade_backfill_outcome(lambda state, behavior: "skip", show=False)
    assert graded.status == "failed" and "expected one of" in "\n".join(graded.lines)


# -- backfill_body -------------------------------------------------------------------------------------------


def body(from_date, to_date, **options):
    return {"dag_id": "ny_daily_report", "from_date": from_date, "to_date": to_date,
            "reprocess_behavior": "failed", "max_active_runs": 2, **options}


def guard(first_day, last_day):
    if first_day > last_day:
        raise ValueError("first_day after last_day")


def utc_instants(first_day, last_day):
    """Another right answer: the same two runs, written in UTC with 'Z'."""
    guard(first_day, last_day)

    def run(day):
        local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2), NY)
        return local.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    return body(run(first_day), run(last_day))


def bare_utc_midnights(first_day, last_day):
    """Another right answer: bare dates (midnight UTC = 19:00/20:00 the evening before in New York) that
    fall between the runs: the day after the first data day to two days after the last."""
    guard(first_day, last_day)
    return body((first_day + dt.timedelta(days=1)).isoformat(), (last_day + dt.timedelta(days=2)).isoformat(),
                run_backwards=False)


def fixed_edt_offset(first_day, last_day):
    """02:00 with -04:00 written in: right all summer, one run short once New York is on EST (-05:00)."""
    guard(first_day, last_day)
    return body(f"{first_day + dt.timedelta(days=1)}T02:00:00-04:00", f"{last_day + dt.timedelta(days=1)}T02:00:00-04:00")


def naive_two_am(first_day, last_day):
    """02:00 without a zone: the API reads it as 02:00 UTC, hours before 02:00 in New York."""
    guard(first_day, last_day)
    return body(f"{first_day + dt.timedelta(days=1)}T02:00:00", f"{last_day + dt.timedelta(days=1)}T02:00:00")


def api_defaults(first_day, last_day):
    """The right range with the API's defaults: reprocess 'none' and 10 runs at once."""
    guard(first_day, last_day)
    right = ex.backfill_body(first_day, last_day)
    return {key: right[key] for key in ("dag_id", "from_date", "to_date")}


def with_unknown_key(first_day, last_day):
    """The CLI's flag name as a key: the API's model refuses unknown keys (422)."""
    guard(first_day, last_day)
    return {**ex.backfill_body(first_day, last_day), "reprocess": "failed"}


@pytest.mark.parametrize("answer", [utc_instants, bare_utc_midnights])
def test_body_other_right_answers_pass(answer):
    graded = ex.grade_backfill_body(answer, show=False)
    assert graded.passed, graded.lines


@pytest.mark.parametrize(("answer", "reasons"), [
    (fixed_edt_offset, ["a week across the end of daylight saving", "one November day"]),
    (naive_two_am, ["one September day", "a week in September", "a week across the end",
                    "one November day"]),
    (api_defaults, ["dag_id, reprocess failed days"]),
])
def test_body_wrong_answers_fail_for_their_reason(answer, reasons):
    assert failed_exactly(ex.grade_backfill_body(answer, show=False), *reasons)


def test_a_body_the_api_refuses_is_named_with_its_422():
    graded = ex.grade_backfill_body(with_unknown_key, show=False)
    assert graded.status == "failed" and "422" in "\n".join(graded.lines)
