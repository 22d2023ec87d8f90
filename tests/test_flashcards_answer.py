"""Typed answers: normalisation, aliases, typos accepted, numbers and very short answers strict."""

from __future__ import annotations

import pytest

from flashcards.answer import check, normalize


def test_normalize_ignores_case_quotes_backticks_spaces_and_final_stop() -> None:
    assert normalize("  `None_Failed_Min_One_Success`.  ") == "none_failed_min_one_success"
    assert normalize("'schedule'   =") == "schedule ="


@pytest.mark.parametrize(
    ("typed", "accepted", "outcome", "expected"),
    [
        ("all_success", ("all_success",), "exact", "all_success"),
        ("`ALL_SUCCESS`", ("all_success",), "exact", "all_success"),
        ("scd2", ("slowly changing dimension type 2", "SCD2", "SCD type 2"), "exact", "SCD2"),
        ("slowly changing dimention type 2", ("slowly changing dimension type 2", "SCD2"), "close",
         "slowly changing dimension type 2"),
        ("none_faild_min_one_success", ("none_failed_min_one_success",), "close", "none_failed_min_one_success"),
        ("one week", ("7 days", "604800 seconds", "one week"), "exact", "one week"),
        ("reschedule", ("poke",), "wrong", "poke"),
        ("", ("all_done",), "blank", "all_done"),
        ("   ", ("all_done",), "blank", "all_done"),
    ],
)
def test_check(typed: str, accepted: tuple[str, ...], outcome: str, expected: str) -> None:
    verdict = check(typed, accepted)
    assert (verdict.outcome, verdict.expected) == (outcome, expected)
    assert verdict.correct is (outcome in ("exact", "close"))


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("60480 seconds", ("604800 seconds",)),  # one digit short: a different number
        ("428", ("429",)),  # short answers must be exact
        ("True", ("False",)),
        ("16 runs", ("15 runs",)),
    ],
)
def test_numbers_and_short_answers_must_match_exactly(typed: str, accepted: tuple[str, ...]) -> None:
    assert check(typed, accepted).outcome == "wrong"


def test_word_order_does_not_matter_for_close_matches() -> None:
    verdict = check("type 2 slowly changing dimension", ("slowly changing dimension type 2",))
    assert verdict.outcome == "close" and verdict.score >= 85


@pytest.mark.parametrize(
    ("typed", "accepted", "outcome"),
    [
        ("429 too many requests", ("429",), "close"),
        ("16 runs", ("16",), "close"),
        ("reschedule mode", ("reschedule",), "close"),
        ("0 or 1", ("0",), "wrong"),
        ("false or true", ("False",), "wrong"),
        ("false not true", ("False",), "wrong"),  # any hedge or negation: judged by a person, not guessed
        ("4290", ("429",), "wrong"),
    ],
)
def test_answer_followed_by_more_words(typed: str, accepted: tuple[str, ...], outcome: str) -> None:
    assert check(typed, accepted).outcome == outcome
