"""Typed answers: canonical tokens, kinds of answer, typos only in plain words, hedges make it "unsure".

The adversarial probe set over every typed card is in ``test_flashcards_probes``.
"""

from __future__ import annotations

import pytest

from flashcards.answer import Lexicon, check, infer_kind, normalize, tokens

WORDS = Lexicon(words=frozenset({"schedule", "trigger", "poke"}))  # what "the decks use", for these tests


def test_normalize_ignores_case_quotes_backticks_spaces_and_final_stop() -> None:
    assert normalize("  `None_Failed_Min_One_Success`.  ") == "none_failed_min_one_success"
    assert normalize("'schedule'   =") == "schedule ="


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sixteen", ["#n16"]),
        ("five minutes", ["#d300"]),
        ("timedelta(minutes=5)", ["#d300"]),
        ("300 s", ["#d300"]),
        ("a week", ["#d604800"]),
        ("60*60*24*7", ["#n604800"]),
        ("sixty-four days", ["#d5529600"]),
        ("2 PM", ["#t14:00"]),
        ("2:00 a.m.", ["#t02:00"]),
        ("12am", ["#t00:00"]),
        ("TriggerRule.ALL_SUCCESS", ["all", "_success"]),
        ("retries=0", ["retries=", "#n0"]),
        ("soft_fail = True", ["soft", "_fail=", "true"]),
        ("time.monotonic()", ["time.monotonic"]),
        ("SCD type II", ["scd", "type", "#n2"]),
        ("fct_appointments+", ["fct_appointments+"]),
    ],
)
def test_tokens_are_canonical(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("answer", "kind"),
    [("16", "number"), ("5 minutes", "number"), ("64 days", "number"),
     ("slowly changing dimension type 2", "text"), ("all_success", "code"), ("airflow.sdk", "code"),
     ("EmptyOperator", "code"), ("token bucket", "text")],
)
def test_kind_is_inferred_from_the_answer(answer: str, kind: str) -> None:
    assert infer_kind(answer) == kind


@pytest.mark.parametrize(
    ("typed", "accepted", "outcome", "expected"),
    [
        ("all_success", ("all_success",), "exact", "all_success"),
        ("`ALL_SUCCESS`", ("all_success",), "exact", "all_success"),
        ("scd2", ("slowly changing dimension type 2", "SCD2", "SCD type 2"), "exact", "SCD2"),
        ("slowly changing dimention type 2", ("slowly changing dimension type 2", "SCD2"), "close",
         "slowly changing dimension type 2"),
        ("none_faild_min_one_success", ("none_failed_min_one_success",), "wrong",
         "none_failed_min_one_success"),
        ("one week", ("7 days", "604800 seconds", "one week"), "exact", "7 days"),  # the same duration
        ("reschedule", ("poke",), "wrong", "poke"),
        ("", ("all_done",), "blank", "all_done"),
        ("   ", ("all_done",), "blank", "all_done"),
    ],
)
def test_check(typed: str, accepted: tuple[str, ...], outcome: str, expected: str) -> None:
    verdict = check(typed, accepted, lexicon=WORDS)
    assert (verdict.outcome, verdict.expected) == (outcome, expected)
    assert verdict.correct is (outcome in ("exact", "close"))


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [
        ("60480 seconds", ("604800 seconds",)),  # one digit short: a different number
        ("428", ("429",)),
        ("True", ("False",)),
        ("16 runs", ("15 runs",)),
        ("4290", ("429",)),
        ("0 or 1", ("0",)),  # a second value
        ("return_values", ("return_value",)),  # identifiers: no typo tolerance
        ("schedule_interval", ("schedule",)),  # an identifier is not the word it starts with
        ("schedule", ("reschedule",)),  # a term of the decks is never a typo of another
        ("trigger", ("triggerer",)),
        ("airflow.providers.amazon.sensors.s3", ("airflow.providers.amazon.aws.sensors.s3",)),
    ],
)
def test_near_misses_are_wrong(typed: str, accepted: tuple[str, ...]) -> None:
    assert check(typed, accepted, lexicon=WORDS).outcome == "wrong"


@pytest.mark.parametrize(
    ("typed", "accepted", "question", "outcome"),
    [
        ("429 too many requests", ("429",), 'Which status means "Too Many Requests"?', "exact"),
        ("16 runs", ("16",), "How many runs may be active?", "exact"),
        ("reschedule mode", ("reschedule",), "Which mode frees the slot?", "exact"),
        ("the triggerer process", ("triggerer",), "Which component runs triggers?", "exact"),  # fillers
        ("trigerer", ("triggerer",), "", "close"),
        ("false or true", ("False",), "", "unsure"),
        ("false not true", ("False",), "", "unsure"),  # a hedge or negation: judged by a person, not guessed
        ("not null and unique", ("NOT NULL",), "", "unsure"),
        ("16 dags", ("16",), "How many runs may be active?", "unsure"),  # a word the question did not use
        ("sixteen thousand", ("16",), "How many runs may be active?", "unsure"),
    ],
)
def test_answer_with_more_words(typed: str, accepted: tuple[str, ...], question: str, outcome: str) -> None:
    assert check(typed, accepted, question=question, lexicon=WORDS).outcome == outcome


def test_another_cards_term_next_to_the_answer_is_a_second_answer() -> None:
    lexicon = Lexicon(terms=frozenset({"run", "build", "test"}))
    question = "Which dbt command builds models and runs their tests?"
    accepted = ("dbt build", "build")
    assert check("dbt build", accepted, question=question, lexicon=lexicon).outcome == "exact"
    assert check("dbt run build", accepted, question=question, lexicon=lexicon).outcome == "unsure"
    assert check("dbt run build", accepted, question=question).outcome == "exact"  # "run" unknown as a term


def test_placeholders_in_an_accepted_answer_match_one_name_only() -> None:
    accepted = ("COPY INTO <table>", "ALTER TABLE x SWAP WITH y")
    assert check("copy into raw.payments", accepted).correct
    assert not check("copy into @stage", accepted).correct  # COPY INTO a stage unloads
    assert check("alter table live swap with staging", accepted).outcome == "exact"


def test_a_declared_kind_overrides_the_inferred_one() -> None:
    answer = ("Every day at 02:00",)
    assert check("daily at 2 AM", answer, kind="schedule").correct
    assert not check("daily at 2 PM", answer, kind="schedule").correct
    assert check("at 2 AM", answer, kind="schedule").outcome == "unsure"  # how often? the user decides
    items = ("unique, not_null",)
    assert check("not null and unique", items, kind="list").correct
    assert not check("unique", items, kind="list").correct
