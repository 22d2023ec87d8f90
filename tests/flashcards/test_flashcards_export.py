"""Export: the .apkg is opened and read back (notes, fields, tags, decks, GUIDs); CSV round-trips."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest

from flashcards import cli, deck
from flashcards.export import CSV_COLUMNS, ROOT_DECK, to_html, write_apkg, write_csv

CARDS = [
    deck.Card(id="af3-catchup-default", deck="airflow-3-changes", question="Default `catchup`?", answer="False",
              tags=("airflow3", "scheduling"), kind="short", aliases=("off",), note="Airflow 2: True."),
    deck.Card(id="sf-put-copy", deck="snowflake-loading", question="Load a file <fast>?",
              answer="```sql\nPUT file:///x @s;\nCOPY INTO t FROM @s;\n```\nThen **check** it.", tags=("loading",)),
]


def read_apkg(path: Path, tmp: Path) -> tuple[list[tuple[str, list[str], list[str]]], set[str]]:
    """(guid, fields, tags) per note, and the deck names, from an Anki package."""
    with zipfile.ZipFile(path) as package:
        package.extract("collection.anki2", tmp)
    db = sqlite3.connect(tmp / "collection.anki2")
    notes = [(guid, flds.split("\x1f"), tags.split()) for guid, flds, tags in db.execute("SELECT guid, flds, tags FROM notes ORDER BY id")]
    decks = {d["name"] for d in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).values()}
    db.close()
    return notes, decks


def test_apkg_notes_fields_tags_and_decks(tmp_path: Path) -> None:
    out = tmp_path / "kit.apkg"
    assert write_apkg(CARDS, out) == 2
    notes, decks = read_apkg(out, tmp_path)
    assert len(notes) == 2
    by_id = {fields[0]: (guid, fields, tags) for guid, fields, tags in notes}
    guid, fields, tags = by_id["af3-catchup-default"]
    assert fields == ["af3-catchup-default", "Default <code>catchup</code>?", "False", "Airflow 2: True.", "airflow-3-changes"]
    assert sorted(tags) == ["airflow3", "deck::airflow-3-changes", "scheduling"]
    assert guid == genanki.guid_for("kit-quiz", "af3-catchup-default")
    _, fields, _ = by_id["sf-put-copy"]
    assert fields[1] == "Load a file &lt;fast&gt;?"  # HTML is escaped
    assert fields[2] == (
        '<pre><code class="language-sql">PUT file:///x @s;\nCOPY INTO t FROM @s;\n</code></pre>\n'
        "<p>Then <strong>check</strong> it.</p>"
    )
    assert {f"{ROOT_DECK}::airflow-3-changes", f"{ROOT_DECK}::snowflake-loading"} <= decks


def test_guids_are_stable_across_exports_and_rewording(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    write_apkg(CARDS, first / "kit.apkg")
    reworded = [CARDS[0].__class__(**{**CARDS[0].__dict__, "question": "What does catchup default to?"}), CARDS[1]]
    write_apkg(reworded, second / "kit.apkg")
    notes_one, _ = read_apkg(first / "kit.apkg", first)
    notes_two, _ = read_apkg(second / "kit.apkg", second)
    guids_one = {fields[0]: guid for guid, fields, _ in notes_one}
    guids_two = {fields[0]: guid for guid, fields, _ in notes_two}
    assert guids_one == guids_two
    assert len(set(guids_one.values())) == 2
    assert {fields[1] for _, fields, _ in notes_two} != {fields[1] for _, fields, _ in notes_one}


def test_csv_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "cards.csv"
    assert write_csv(CARDS, out) == 2
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows[0] == {
        "id": "af3-catchup-default", "deck": "airflow-3-changes", "type": "short", "question": "Default `catchup`?",
        "answer": "False", "note": "Airflow 2: True.", "aliases": "off", "tags": "airflow3 scheduling",
    }
    assert rows[1]["answer"] == CARDS[1].answer  # multi-line Markdown survives quoting


def test_export_command_writes_the_shipped_deck(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shipped, problems = deck.load()
    assert problems == []
    apkg, table = tmp_path / "kit.apkg", tmp_path / "kit.csv"
    assert cli.main(["export", "--anki", str(apkg), "--csv", str(table)]) == 0
    notes, decks = read_apkg(apkg, tmp_path)
    assert len(notes) == len(shipped)
    assert len({guid for guid, _, _ in notes}) == len(shipped)
    assert {f"{ROOT_DECK}::{c.deck}" for c in shipped} <= decks
    with open(table, newline="", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == len(shipped)
    assert capsys.readouterr().out.splitlines() == [f"{len(shipped)} notes -> {apkg}", f"{len(shipped)} cards -> {table}"]


def test_export_command_with_a_tag_filter(tmp_path: Path) -> None:
    table = tmp_path / "sensors.csv"
    assert cli.main(["export", "--csv", str(table), "--tag", "sensors"]) == 0
    with open(table, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all("sensors" in row["tags"].split() for row in rows)


def test_export_needs_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["export"]) == 1
    assert "give --anki" in capsys.readouterr().err


def test_to_html_keeps_code_verbatim() -> None:
    assert to_html("a `x < y`\nb") == "a <code>x &lt; y</code> b"  # a hard wrap is a space, not <br>


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("The run is *for* a date.", "The run is <em>for</em> a date."),
        ("a **bold** move", "a <strong>bold</strong> move"),
        ("one line\nwrapped in the source", "one line wrapped in the source"),
        ("First.\n\nSecond.", "<p>First.</p>\n<p>Second.</p>"),
        ("Checks:\n- `unique`\n- *not* null",
         "<p>Checks:</p>\n<ul>\n<li><code>unique</code></li>\n<li><em>not</em> null</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("<script>x</script> and <b>", "&lt;script&gt;x&lt;/script&gt; and &lt;b&gt;"),
    ],
)
def test_to_html_renders_the_markdown_the_decks_use(markdown: str, html: str) -> None:
    assert to_html(markdown) == html


def test_no_exported_field_keeps_markdown_syntax_or_breaks_mid_sentence() -> None:
    cards, problems = deck.load()
    assert not problems
    for card in cards:
        for text in (card.question, card.answer, card.note):
            rendered = to_html(text)
            outside_code = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", rendered, flags=re.S)
            assert "<br>" not in rendered, card.id
            assert "**" not in outside_code and "\n- " not in outside_code, card.id
            italic = re.search(r"(?<![\w*])\*[^*\s][^*]*\*(?!\w)", outside_code)
            assert not italic, card.id  # *italic* was rendered
