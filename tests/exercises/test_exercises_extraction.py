"""The graders of notebook 08 accept the reference solutions and reject broken ones."""

from __future__ import annotations

import random

import pytest

from solutions.extraction import ExtractionError, RetriesExhausted
from exercises.grading import failed_exactly
from exercises.extraction import (
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


def retry_after_plus_jitter(retry, retry_after, rng):
    """A defensible reading: wait what the server asked, then the usual jittered backoff on top."""
    return (retry_after or 0.0) + rng.uniform(0.0, min(30.0, 0.5 * 2 ** (retry - 1)))


def jitter_by_random_fraction(retry, retry_after, rng):
    """The same full jitter written with rng.random(), Retry-After as a floor."""
    delay = rng.random() * min(30.0, 0.5 * 2 ** (retry - 1))
    return delay if retry_after is None else max(delay, float(retry_after))


def retry_after_alone(retry, retry_after, rng):
    """Retry-After replaces the jittered delay: every client that got the 429 comes back at once."""
    if retry_after is not None:
        return retry_after
    return rng.uniform(0, min(30.0, 0.5 * 2 ** (retry - 1)))


def exponent_off_by_one(retry, retry_after, rng):
    return max(rng.uniform(0, min(30.0, 0.5 * 2 ** retry)), retry_after or 0)


@pytest.mark.parametrize("fn", [retry_after_plus_jitter, jitter_by_random_fraction])
def test_backoff_grader_accepts_correct_alternatives(fn):
    g = grade_backoff_delay(fn)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (retry_after_alone, ["still jittered when Retry-After"]),
    (exponent_off_by_one, ["delays within", "jittered", "never sooner than Retry-After"]),
    (ignores_retry_after, ["never sooner than Retry-After"]),
    (global_random, ["reproducible with a seeded rng"]),
    (uncapped, ["delays within", "jittered", "capped at 30 s"]),
])
def test_backoff_grader_rejects_plausible_wrong_answers(fn, checks):
    g = grade_backoff_delay(fn)
    assert failed_exactly(g, *checks), g.lines


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
def big_world(start_module_world):
    return start_module_world(appointments=30000)


def test_resume_grader_accepts_the_reference(big_world):
    assert grade_extract_with_resume(reference_extract_with_resume).passed


@pytest.mark.parametrize("broken", [starts_over, forgets_what_it_had, no_resume])
def test_resume_grader_rejects_broken_resumes(big_world, broken):
    assert grade_extract_with_resume(broken).status == "failed"
    assert not big_world.partner.faults.faults  # the grader cleans up after itself


def resume_swallows_the_last_error(extractor, start, end, max_resumes=3):
    """Returns what it has when the resumes run out, and keeps every copy of a record."""
    records, cursor = [], None
    for _ in range(max_resumes + 1):
        try:
            return records + extractor.extract(start, end, resume_cursor=cursor).records
        except ExtractionError as error:
            records += error.records
            cursor = error.resume_cursor
    return records


def resume_one_too_few(extractor, start, end, max_resumes=3):
    """max_resumes attempts in all: one resume short."""
    records, seen, cursor = [], set(), None
    for attempt in range(max_resumes):
        try:
            batch = extractor.extract(start, end, resume_cursor=cursor).records
        except RetriesExhausted as error:
            if attempt == max_resumes - 1:
                raise
            batch, cursor = error.records, error.resume_cursor
        else:
            cursor = "done"
        records += [r for r in batch if r["appointment_id"] not in seen]
        seen.update(r["appointment_id"] for r in batch)
        if cursor == "done":
            return records


def resume_everything(extractor, start, end, max_resumes=3):
    """Resumes any ExtractionError, a rejected token too, then raises the last one."""
    records, seen, cursor, last = [], set(), None, None
    for _ in range(max_resumes + 1):
        try:
            batch = extractor.extract(start, end, resume_cursor=cursor).records
        except ExtractionError as error:
            last, batch, cursor = error, error.records, error.resume_cursor
        else:
            last = None
        records += [r for r in batch if r["appointment_id"] not in seen]
        seen.update(r["appointment_id"] for r in batch)
        if last is None:
            return records
    raise last


def resume_recursive(extractor, start, end, max_resumes=3, cursor=None, records=None):
    """A correct alternative: recursion instead of a loop, a dict keyed by id for the dedupe."""
    records = {} if records is None else records
    try:
        result = extractor.extract(start, end, resume_cursor=cursor)
    except RetriesExhausted as error:
        if max_resumes == 0:
            raise
        records.update((r["appointment_id"], r) for r in error.records if r["appointment_id"] not in records)
        return resume_recursive(extractor, start, end, max_resumes - 1, error.resume_cursor, records)
    records.update((r["appointment_id"], r) for r in result.records if r["appointment_id"] not in records)
    return list(records.values())


def test_resume_grader_accepts_a_correct_alternative(big_world):
    g = grade_extract_with_resume(resume_recursive)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (resume_swallows_the_last_error, ["records repeated across a resume", "four outages",
                                      "a rejected token"]),
    (resume_one_too_few, ["three outages", "four outages"]),
    (resume_everything, ["a rejected token"]),
])
def test_resume_grader_rejects_plausible_wrong_answers(big_world, fn, checks):
    g = grade_extract_with_resume(fn)
    assert failed_exactly(g, *checks), g.lines
    assert not big_world.partner.faults.faults


def test_resume_messages_stay_short(big_world):
    g = grade_extract_with_resume(forgets_what_it_had)
    assert g.status == "failed" and max(len(line) for line in g.lines) < 300, g.lines


def collect_with_dict(fetch):
    """An insertion-ordered dict keeps the first copy of each id."""
    by_id, cursor = {}, None
    while True:
        page = fetch(cursor)
        for record in page["appointments"]:
            by_id.setdefault(record["appointment_id"], record)
        if not page["next_cursor"]:
            return list(by_id.values())
        cursor = page["next_cursor"]


def collect_with_generator(fetch):
    """Pages from a generator, deduplicated while flattening."""
    def pages():
        page = fetch(None)
        yield page
        while page["next_cursor"] is not None:
            page = fetch(page["next_cursor"])
            yield page

    seen = set()
    return [r for page in pages() for r in page["appointments"]
            if r["appointment_id"] not in seen and not seen.add(r["appointment_id"])]


@pytest.mark.parametrize("fn", [collect_with_dict, collect_with_generator])
def test_cursor_grader_accepts_correct_alternatives(fn):
    g = grade_collect_cursor_pages(fn)
    assert g.passed, g.lines


def resume_while_loop(extractor, start, end, max_resumes=3):
    """A while loop counting resumes; re-raises the error itself when none are left."""
    records, seen, cursor, resumes = [], set(), None, 0
    while True:
        try:
            batch, finished = extractor.extract(start, end, mode="cursor", resume_cursor=cursor).records, True
        except RetriesExhausted as error:
            if resumes == max_resumes:
                raise
            resumes += 1
            batch, finished, cursor = error.records, False, error.resume_cursor
        for record in batch:
            if record["appointment_id"] not in seen:
                seen.add(record["appointment_id"])
                records.append(record)
        if finished:
            return records


def test_resume_grader_accepts_a_while_loop(big_world):
    g = grade_extract_with_resume(resume_while_loop)
    assert g.passed, g.lines
