"""The graders of notebook 08 accept the reference solutions and reject broken ones."""

from __future__ import annotations

import random

import pytest

from solutions.exercises.extraction import (
    grade_backoff_delay,
    grade_collect_cursor_pages,
    grade_extract_with_resume,
    reference_backoff_delay,
    reference_collect_cursor_pages,
    reference_extract_with_resume,
)


def not_attempted(*args, **kwargs):
    raise NotImplementedError


# -- exercise 1: cursor pagination ---------------------------------------------------------------------------


def no_dedupe(fetch):
    records, cursor = [], None
    while True:
        page = fetch(cursor)
        records.extend(page["appointments"])
        cursor = page["next_cursor"]
        if cursor is None:
            return records


def never_sends_the_cursor(fetch):  # the syllabus's loop shape, with has_more, but no position sent
    records, seen, has_more = [], set(), True
    while has_more:
        page = fetch(None)
        for r in page["appointments"]:
            if r["appointment_id"] not in seen:
                seen.add(r["appointment_id"])
                records.append(r)
        has_more = page["has_more"]
    return records


def stops_a_page_early(fetch):
    page = fetch(None)
    records, seen = [], set()
    while page["next_cursor"]:
        for r in page["appointments"]:
            if r["appointment_id"] not in seen:
                seen.add(r["appointment_id"])
                records.append(r)
        page = fetch(page["next_cursor"])
    return records


def test_cursor_grader_accepts_the_reference(capsys):
    assert grade_collect_cursor_pages(reference_collect_cursor_pages).passed
    assert "PASSED" in capsys.readouterr().out


@pytest.mark.parametrize("broken", [no_dedupe, never_sends_the_cursor, stops_a_page_early])
def test_cursor_grader_rejects_broken_loops(broken):
    assert grade_collect_cursor_pages(broken, ).status == "failed"


def test_cursor_grader_reports_not_attempted_calmly(capsys):
    assert grade_collect_cursor_pages(not_attempted).status == "not attempted"
    assert "NOT ATTEMPTED" in capsys.readouterr().out


def test_a_loop_that_never_stops_is_caught():
    result = grade_collect_cursor_pages(never_sends_the_cursor)
    assert any("more than 50 requests" in line for line in result.lines)


# -- exercise 2: backoff -------------------------------------------------------------------------------------


def no_jitter(retry, retry_after, rng):
    return max(min(30.0, 0.5 * 2 ** (retry - 1)), retry_after or 0)


def ignores_retry_after(retry, retry_after, rng):
    return rng.uniform(0, min(30.0, 0.5 * 2 ** (retry - 1)))


def uncapped(retry, retry_after, rng):
    return max(rng.uniform(0, 0.5 * 2 ** (retry - 1)), retry_after or 0)


def global_random(retry, retry_after, rng):
    return max(random.uniform(0, min(30.0, 0.5 * 2 ** (retry - 1))), retry_after or 0)


def equal_jitter(retry, retry_after, rng):
    ceiling = min(30.0, 0.5 * 2 ** (retry - 1))
    return max(ceiling / 2 + rng.uniform(0, ceiling / 2), retry_after or 0)


def test_backoff_grader_accepts_the_reference():
    assert grade_backoff_delay(reference_backoff_delay).passed


@pytest.mark.parametrize("broken", [no_jitter, ignores_retry_after, uncapped, global_random, equal_jitter])
def test_backoff_grader_rejects_broken_delays(broken):
    assert grade_backoff_delay(broken).status == "failed"


def test_backoff_grader_reports_not_attempted():
    assert grade_backoff_delay(not_attempted).status == "not attempted"


# -- exercise 3: resume (needs the sim) ----------------------------------------------------------------------


def starts_over(extractor, start, end, max_resumes=3):
    for _ in range(max_resumes + 1):
        try:
            return extractor.extract(start, end).records
        except Exception:  # noqa: BLE001, S112
            continue
    raise RuntimeError("gave up")


def forgets_what_it_had(extractor, start, end, max_resumes=3):
    cursor = None
    for _ in range(max_resumes + 1):
        try:
            return extractor.extract(start, end, resume_cursor=cursor).records
        except Exception as error:  # noqa: BLE001
            cursor = error.resume_cursor
    raise RuntimeError("gave up")


def no_resume(extractor, start, end):
    return extractor.extract(start, end).records


@pytest.fixture(scope="module")
def big_world(tmp_path_factory):
    import sim

    world = sim.start(appointments=30000, state=tmp_path_factory.mktemp("sim"))
    yield world
    sim.stop()


def test_resume_grader_accepts_the_reference(big_world):
    assert grade_extract_with_resume(reference_extract_with_resume).passed


@pytest.mark.parametrize("broken", [starts_over, forgets_what_it_had, no_resume])
def test_resume_grader_rejects_broken_resumes(big_world, broken):
    assert grade_extract_with_resume(broken).status == "failed"
    assert not big_world.partner.faults.faults  # the grader cleans up after itself
