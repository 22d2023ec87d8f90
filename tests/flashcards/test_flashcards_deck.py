"""Deck parsing and lint: fields, code fences, every problem at its exact file:line, and the shipped deck."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from flashcards import cli, deck

TAGS = """\
# Tags
- airflow: Airflow
- sensors: sensors
"""


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def deck_dir(tmp_path: Path) -> Path:
    write(tmp_path / "tags.md", TAGS)
    return tmp_path


def test_parses_fields_multiline_answers_and_code_fences(deck_dir: Path) -> None:
    path = write(
        deck_dir / "10-airflow-core.md",
        '''\
        # Airflow

        Free text before the first card is ignored.

        ## sensor-timeout
        Q: What is a sensor's
        default timeout?
        A: 7 days
        Type: short
        Aliases: 604800 seconds | one week
        Note: `[sensors] default_timeout`.
        Tags: sensors, airflow

        ## code-card
        Q: Show a DAG.
        A: ```python
        ## a comment, not a card heading
        with DAG("x", schedule=None):
            pass
        ```
        Then run it.
        Tags: airflow
        ''',
    )
    cards, problems = deck.parse_file(path)
    assert problems == []
    assert [c.id for c in cards] == ["sensor-timeout", "code-card"]
    first, second = cards
    assert first.deck == "airflow-core"  # the numeric prefix only orders files
    assert first.question == "What is a sensor's\ndefault timeout?"
    assert first.answer == "7 days"
    assert first.kind == "short"
    assert first.aliases == ("604800 seconds", "one week")
    assert first.accepted == ("7 days", "604800 seconds", "one week")
    assert first.note == "`[sensors] default_timeout`."
    assert first.tags == ("sensors", "airflow")
    assert (first.path, first.line) == (path, 5)
    assert second.kind == "long"
    assert second.answer.splitlines()[1] == "## a comment, not a card heading"
    assert second.answer.endswith("```\nThen run it.")
    assert second.line == 14


BAD = """\
# Broken deck
Q: floating question

## good-card
Q: What?
A: This.
Tags: airflow

## Bad_Id
Q: Something?
A: Else.
Tags: airflow

## empty-answer
Q: Is the answer empty?
A:
Tags: airflow

## unknown-tag
Q: Tag?
A: Yes.
Tags: airflow, airflw

## stray-text
This line is outside any field.
Q: Where?
A: Here.
Tags: airflow

## long-with-aliases
Q: Aliases on a long card?
A: Not allowed.
Aliases: x | y
Tags: airflow

## bad-type
Q: Type?
A: Medium.
Type: medium
Tags: airflow

## typo-field
Q: Field typo?
A: Yes.
Tag: airflow

## short-too-long
Q: Too long?
A: {long}
Type: short
Tags: airflow

## two-answers
Q: Twice?
A: One.
A: Two.
Tags: airflow
""".replace("{long}", "x" * 81)

OTHER = """\
## good-card
Q: Again?
A: Duplicate id.
Tags: airflow

## unclosed-fence
Q: Fence?
A: ```python
print("never closed")
"""


def test_lint_reports_every_problem_with_exact_file_and_line(deck_dir: Path) -> None:
    bad = write(deck_dir / "bad.md", BAD)
    other = write(deck_dir / "other.md", OTHER)
    cards, problems = deck.lint([bad, other])
    tags = deck_dir / "tags.md"
    expected = {
        f"{bad}:2: Q: outside a card (add a '## card-id' line above it)",
        f"{bad}:9: bad card id 'Bad_Id' (use lowercase words joined by hyphens)",
        f"{bad}:16: empty answer in card 'empty-answer'",
        f"{bad}:22: unknown tag 'airflw' (did you mean 'airflow'?) (declare it in {tags})",
        f"{bad}:25: text outside any field in card 'stray-text' (start it with Q: or A:)",
        f"{bad}:33: Aliases: only apply to 'Type: short' cards ('long-with-aliases')",
        f"{bad}:39: unknown Type 'medium' (short or long)",
        f"{bad}:42: card 'typo-field' has no Tags:",
        f"{bad}:45: unknown field 'Tag:' (fields are Q:, A:, Type:, Check:, Aliases:, Note:, Tags:)",
        f"{bad}:49: short answer must be one line of at most 80 characters (move the explanation to Note:)",
        f"{bad}:56: second A: in card 'two-answers' (first at line 55)",
        f"{other}:1: duplicate card id 'good-card' (first at {bad}:4)",
        f"{other}:8: code fence opened here is never closed",
        f"{other}:6: card 'unclosed-fence' has no Tags:",
    }
    assert {str(p) for p in problems} == expected
    assert len(problems) == len(expected)  # each problem reported once
    # Only the sound cards come back: the first good-card and the stray-text card (its stray line is reported).
    assert [c.id for c in cards] == ["good-card", "stray-text", "two-answers"]


def test_lint_command_prints_problems_and_exits_2(deck_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(deck_dir / "bad.md", "## no-answer\nQ: Where is the answer?\nTags: airflow\n")
    assert cli.main(["lint", str(bad)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{bad}:1: card 'no-answer' has no A: (answer)", "1 problem(s)."]


def test_lint_command_exits_0_on_a_clean_file(deck_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(deck_dir / "good.md", "## fine\nQ: Fine?\nA: Yes.\nTags: airflow\n")
    assert cli.main(["lint", str(good)]) == 0
    assert capsys.readouterr().out.strip() == "1 cards, no problems."


def test_unknown_tags_use_the_registry_given_on_the_command_line(deck_dir: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("registry") / "tags.md"
    elsewhere.write_text("- custom: a tag only this registry knows\n", encoding="utf-8")
    card = write(deck_dir / "c.md", "## c\nQ: q\nA: a\nTags: custom\n")
    assert deck.lint([card])[1] != []  # the deck directory's registry does not know it
    assert deck.lint([card], tags_file=elsewhere)[1] == []


def test_malformed_tags_registry_line_is_reported(deck_dir: Path) -> None:
    (deck_dir / "tags.md").write_text("- airflow: ok\n- Not A Tag\n", encoding="utf-8")
    card = write(deck_dir / "c.md", "## c\nQ: q\nA: a\nTags: airflow\n")
    problems = deck.lint([card])[1]
    assert [str(p) for p in problems] == [f"{deck_dir / 'tags.md'}:2: malformed tag line (expected '- tag-name: description')"]


# -- the shipped deck ------------------------------------------------------------------------------

SECTIONS = {  # deck -> minimum number of cards: every syllabus section is covered
    "airflow-core": 30,
    "airflow-3-changes": 15,
    "data-quality": 10,
    "api-patterns": 12,
    "python-vs-dbt": 8,
    "snowflake-loading": 12,
    "scenarios": 15,
    "talking-points": 6,
}
REQUIRED_TAGS = {
    "xcom", "branching", "trigger-rules", "sensors", "context", "retries", "scheduling", "dependencies",
    "airflow3", "data-quality", "severity", "pagination", "rate-limiting", "idempotency", "python-vs-dbt",
    "loading", "variant", "scenario-design", "scenario-customer-facing", "scenario-reconciliation",
    "talking-points", "seed-pitfall",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, deck.Card]:
    cards, problems = deck.load()
    assert [str(p) for p in problems] == []
    return {c.id: c for c in cards}


def test_shipped_deck_is_complete_and_every_heading_is_a_card(shipped: dict[str, deck.Card]) -> None:
    headings = sum(
        len(re.findall(r"^## ", p.read_text(encoding="utf-8"), flags=re.M)) for p in deck.deck_files(deck.DEFAULT_DECK_DIR)
    )
    assert len(shipped) == headings >= 120
    per_deck = {name: sum(c.deck == name for c in shipped.values()) for name in SECTIONS}
    assert all(per_deck[name] >= minimum for name, minimum in SECTIONS.items()), per_deck
    tags = {t for c in shipped.values() for t in c.tags}
    assert REQUIRED_TAGS <= tags
    assert sum(c.kind == "short" for c in shipped.values()) >= 20


@pytest.mark.parametrize(
    ("card_id", "expected"),
    [
        ("af3-catchup-default", "False"),
        ("af3-schedule-argument-name", "schedule"),
        ("airflow-trigger-rule-default", "all_success"),
        ("airflow-trigger-rule-join", "none_failed_min_one_success"),
        ("airflow-sensor-default-timeout", "7 days"),
        ("airflow-xcom-return-value-key", "return_value"),
        ("af3-cron-timetable", "CronTriggerTimetable"),
        ("pvd-scd2-name", "slowly changing dimension type 2"),
    ],
)
def test_key_short_answers(shipped: dict[str, deck.Card], card_id: str, expected: str) -> None:
    assert shipped[card_id].answer == expected


@pytest.mark.parametrize(
    ("card_id", "phrases"),
    [
        ("af3-schedule-interval-raises", ["TypeError", "schedule="]),
        ("af3-schedule-interval-in-default-args", ["silently ignored"]),
        ("af3-provide-context", ["raises"]),
        ("af3-execution-date-gone", ["KeyError", "logical_date", "data_interval_start"]),
        ("af3-s3-sensor-import", ["airflow.providers.amazon.aws.sensors.s3"]),
        ("af3-ds-own-date", ["2024-01-02", "2024-01-01"]),
        ("airflow-template-in-callable", ["literal", "templated field"]),
        ("sf-sum-number-exact", ["Decimal", "DOUBLE"]),
        ("sc3-decimal-float-typeerror", ["TypeError"]),
    ],
)
def test_verified_airflow_and_snowflake_facts_stay_in_the_answers(
    shipped: dict[str, deck.Card], card_id: str, phrases: list[str]
) -> None:
    answer = shipped[card_id].answer
    assert all(p in answer for p in phrases), answer


def test_trigger_rules_card_names_every_rule_of_the_installed_airflow(shipped: dict[str, deck.Card]) -> None:
    trigger_rule = pytest.importorskip("airflow.task.trigger_rule")
    answer = shipped["airflow-trigger-rules-list"].answer
    missing = [rule.value for rule in trigger_rule.TriggerRule if f"`{rule.value}`" not in answer]
    assert missing == []
