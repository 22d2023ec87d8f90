"""The design bank: every prompt loads, its rubric is long enough to grade against and points to where the kit
teaches each point, its tags are the flashcards' tags, its links lead somewhere; and a malformed prompt file is
refused with a message that names the file and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flashcards.deck import parse_tags
from interview import design
from interview.design import MIN_RUBRIC_POINTS, ROOT, DesignError

MAX_RUBRIC_POINTS = 9  # a candidate grades each point by hand: more than nine is a checklist, not a rubric
ANSWER_WORDS = (300, 600)
BANK = design.prompts()
TAGS, TAG_PROBLEMS = parse_tags(ROOT / "flashcards" / "decks" / "tags.md")
NOTEBOOK = re.compile(r"notebooks/[\w.-]+\.ipynb")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _words(text: str) -> int:
    return len(re.findall(r"\S+", text))


# -- the shipped bank ------------------------------------------------------------------------------------------


def test_the_bank_has_at_least_ten_prompts():
    assert len(BANK) >= 10, sorted(BANK)


def test_ids_are_snake_case_and_titles_unique():
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", prompt_id) for prompt_id in BANK), sorted(BANK)
    titles = [p.title for p in BANK.values()]
    assert len(set(titles)) == len(titles), sorted(titles)


@pytest.mark.parametrize("prompt_id", sorted(BANK))
def test_the_rubric_has_six_to_nine_points_each_taught_somewhere(prompt_id):
    prompt = BANK[prompt_id]
    assert MIN_RUBRIC_POINTS <= len(prompt.rubric) <= MAX_RUBRIC_POINTS, len(prompt.rubric)
    names = [p.name for p in prompt.rubric]
    assert len(set(names)) == len(names), names
    untaught = [p.name for p in prompt.rubric if not p.teaches]
    assert untaught == [], f"points without a `path` saying where they are taught: {untaught}"
    assert all((ROOT / p.teaches).exists() for p in prompt.rubric)


@pytest.mark.parametrize("prompt_id", sorted(BANK))
def test_metadata_uses_known_tags_and_a_sensible_time(prompt_id):
    prompt = BANK[prompt_id]
    assert TAG_PROBLEMS == []
    assert prompt.tags and set(prompt.tags) <= set(TAGS), sorted(set(prompt.tags) - set(TAGS))
    assert 5 <= prompt.minutes <= 30
    assert prompt.teaches, "the front matter names the notebooks the prompt draws on"


@pytest.mark.parametrize("prompt_id", sorted(BANK))
def test_every_notebook_and_link_in_the_file_exists(prompt_id):
    path = design.FOLDER / f"{prompt_id}.md"
    text = path.read_text(encoding="utf-8")
    named = set(NOTEBOOK.findall(text))
    assert named, "a design prompt draws on at least one notebook"
    assert sorted(n for n in named if not (ROOT / n).exists()) == []
    links = [target for target in MARKDOWN_LINK.findall(text) if not target.startswith(("http://", "https://"))]
    assert sorted(t for t in links if not (path.parent / t.split("#")[0]).exists()) == []


@pytest.mark.parametrize("prompt_id", sorted(BANK))
def test_the_model_answer_is_a_worked_answer_linked_to_the_notebooks(prompt_id):
    prompt = BANK[prompt_id]
    low, high = ANSWER_WORDS
    assert low <= _words(prompt.model_answer) <= high, _words(prompt.model_answer)
    assert NOTEBOOK.search(prompt.model_answer), "the model answer says where to read more"
    assert _words(prompt.prompt) >= 40, "the prompt sets a scene with constraints, not a one-line question"


# -- the loader's errors, on files of our own ------------------------------------------------------------------

FRONT = '''+++
title = "A small prompt"
minutes = 10
tags = ["snowflake"]
teaches = ["notebooks/17_cdc_and_snowflake_change_features.ipynb"]
+++
'''
PROMPT = "## Prompt\nDesign something.\n"
POINT = "- **Point {n}**: a strong answer says `thing {n}` (with an aside). (`notebooks/17_cdc_and_snowflake_change_features.ipynb`)"
RUBRIC = "## Rubric\n" + "\n".join(POINT.format(n=n) for n in range(1, 7)) + "\n"
ANSWER = "## Model answer\nA worked answer.\n"


def _write(tmp_path: Path, text: str, name: str = "small_prompt.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refused(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(DesignError) as raised:
        design.load(path)
    message = str(raised.value)
    assert str(path) in message, "the message names the file"
    return message


def test_a_well_formed_file_loads_with_its_parts(tmp_path):
    prompt = design.load(_write(tmp_path, FRONT + PROMPT + "\n" + RUBRIC + "\n" + ANSWER))
    assert (prompt.prompt_id, prompt.title, prompt.minutes, prompt.tags) == ("small_prompt", "A small prompt", 10,
                                                                               ("snowflake",))
    assert (prompt.prompt, prompt.model_answer) == ("Design something.", "A worked answer.")
    first = prompt.rubric[0]
    assert (first.name, first.text, first.teaches) == (
        "Point 1", "a strong answer says `thing 1` (with an aside).",
        "notebooks/17_cdc_and_snowflake_change_features.ipynb")


def test_a_point_without_a_path_loads_with_no_teaches(tmp_path):
    rubric = RUBRIC.replace(" (`notebooks/17_cdc_and_snowflake_change_features.ipynb`)\n- **Point 2**", "\n- **Point 2**")
    prompt = design.load(_write(tmp_path, FRONT + PROMPT + rubric + ANSWER))
    assert prompt.rubric[0].teaches is None and prompt.rubric[1].teaches is not None


def test_a_missing_section_is_named(tmp_path):
    assert "found ['Prompt', 'Rubric']" in _refused(tmp_path, FRONT + PROMPT + RUBRIC)


def test_sections_out_of_order_are_refused(tmp_path):
    message = _refused(tmp_path, FRONT + RUBRIC + PROMPT + ANSWER)
    assert "in that order, found ['Rubric', 'Prompt', 'Model answer']" in message


def test_a_repeated_section_is_refused(tmp_path):
    assert "found ['Prompt', 'Rubric', 'Model answer', 'Model answer']" in _refused(
        tmp_path, FRONT + PROMPT + RUBRIC + ANSWER + ANSWER)


def test_an_empty_section_is_refused(tmp_path):
    assert "empty sections: ['Model answer']" in _refused(tmp_path, FRONT + PROMPT + RUBRIC + "## Model answer\n\n")


def test_a_short_rubric_says_how_short(tmp_path):
    short = "## Rubric\n" + "\n".join(POINT.format(n=n) for n in range(1, 6)) + "\n"
    assert f"the rubric has 5 points; at least {MIN_RUBRIC_POINTS}" in _refused(tmp_path, FRONT + PROMPT + short + ANSWER)


@pytest.mark.parametrize("bad", [
    "* **Point 7**: a star instead of a dash",
    "- Point 7: the name is not bold",
    "- **Point 7** no colon after the name",
    "- **Point 7**:",
    "A sentence of prose between the points.",
])
def test_a_malformed_rubric_line_is_quoted_with_its_number(tmp_path, bad):
    message = _refused(tmp_path, FRONT + PROMPT + RUBRIC + bad + "\n" + ANSWER)
    assert "rubric line 7 is not '- **Name**: text (`path`)'" in message
    assert repr(bad) in message


@pytest.mark.parametrize(("front", "expected"), [
    ("title = 'no delimiters'\n", "must start with TOML front matter between '+++' lines"),
    ('+++\ntitle = "unterminated\nminutes = 10\n+++\n', "front matter: TOMLDecodeError"),
    ('+++\ntitle = "x"\nminutes = 10\ntags = ["snowflake"]\n+++\n', "front matter: KeyError: 'teaches'"),
    (FRONT.replace("minutes = 10", 'minutes = "ten"'), "front matter: ValueError"),
    (FRONT.replace('tags = ["snowflake"]', 'tags = "snowflake"'), "tags must be a list of strings"),
    (FRONT.replace('teaches = ["', 'teaches = [1, "'), "teaches must be a list of strings"),
])
def test_bad_front_matter_is_refused_with_the_reason(tmp_path, front, expected):
    assert expected in _refused(tmp_path, front + PROMPT + RUBRIC + ANSWER)


@pytest.mark.parametrize("where", ["rubric", "front matter"])
def test_a_dead_link_is_named(tmp_path, where):
    dead = "notebooks/99_nowhere.ipynb"
    front, rubric = FRONT, RUBRIC
    if where == "rubric":
        rubric = RUBRIC.replace("(`notebooks/17_cdc_and_snowflake_change_features.ipynb`)\n", f"(`{dead}`)\n", 1)
    else:
        front = FRONT.replace('teaches = ["', f'teaches = ["{dead}", "')
    assert f"links to files that do not exist: ['{dead}']" in _refused(tmp_path, front + PROMPT + rubric + ANSWER)


def test_a_link_outside_the_repository_is_refused_even_if_it_exists(tmp_path):
    outside = str(Path("..") / ROOT.name / ".." / ROOT.name / "README.md")  # resolves into the repo: allowed
    escape = "../" * (len(ROOT.parts) + 1) + "etc/hostname"  # resolves to /etc/hostname: refused
    front = FRONT.replace('teaches = ["', f'teaches = ["{outside}", "{escape}", "')
    assert f"links outside the repository: ['{escape}']" in _refused(tmp_path, front + PROMPT + RUBRIC + ANSWER)


def test_a_folder_loads_every_prompt_but_its_readme(tmp_path):
    _write(tmp_path, FRONT + PROMPT + RUBRIC + ANSWER, "b_prompt.md")
    _write(tmp_path, FRONT.replace("A small prompt", "Another") + PROMPT + RUBRIC + ANSWER, "a_prompt.md")
    _write(tmp_path, "# What this folder holds\n", "README.md")
    assert list(design.prompts(tmp_path)) == ["a_prompt", "b_prompt"]


def test_one_malformed_file_stops_the_folder_from_loading(tmp_path):
    _write(tmp_path, FRONT + PROMPT + RUBRIC + ANSWER, "good.md")
    _write(tmp_path, FRONT + PROMPT + ANSWER, "broken.md")
    with pytest.raises(DesignError, match="broken.md"):
        design.prompts(tmp_path)
