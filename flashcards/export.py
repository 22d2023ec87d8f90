"""Export the decks: an Anki package (.apkg, via genanki) and CSV.

Anki identifies a note by its GUID; re-importing a package updates notes with the same GUID instead of
duplicating them, and keeps their review history. The GUID is derived from the card id only
(``genanki.guid_for``), so rewording a card and exporting again updates it in Anki. The model and deck ids
are fixed constants for the same reason (Anki would otherwise see a new note type on every export).

Each deck file becomes a sub-deck (``DE interview kit::airflow-core``); tags are carried over as Anki tags,
plus ``deck::<name>``. The Markdown the decks use (paragraphs, emphasis, code, lists) is rendered to HTML
(``to_html``).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from pathlib import Path

from .deck import Card

ROOT_DECK = "DE interview kit"
MODEL_ID = 1_730_406_871  # fixed forever: changing it makes Anki treat re-imports as a new note type
FIELDS = ("Id", "Question", "Answer", "Note", "Deck")
CSV_COLUMNS = ("id", "deck", "type", "question", "answer", "note", "aliases", "tags")

_CSS = """.card { font-family: sans-serif; font-size: 18px; text-align: left; }
pre { background: #f4f4f4; padding: 6px; border-radius: 4px; overflow-x: auto; }
code { font-family: monospace; }
.note { color: #555; font-size: 15px; }"""

def to_html(markdown: str) -> str:
    """The decks' Markdown as HTML for Anki: paragraphs, *emphasis*, **bold**, `code`, fenced code, lists.

    CommonMark via markdown-it-py (already installed with rich). Raw HTML in a card is escaped, not
    rendered (``<fast>`` stays text). A hard-wrapped source line is a soft break: it becomes a space, not a
    ``<br>`` in mid-sentence. A field that is one paragraph loses its ``<p>`` (``False``, not
    ``<p>False</p>``), which keeps short answers tidy in Anki's browser.
    """
    html = _markdown().render(markdown).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


_renderer = None


def _markdown():
    global _renderer
    if _renderer is None:
        from markdown_it import MarkdownIt

        _renderer = MarkdownIt("commonmark", {"html": False})
        _renderer.renderer.rules["softbreak"] = lambda *args: " "
    return _renderer


def note_guid(card: Card) -> str:
    """The Anki note GUID of a card: a function of its id alone."""
    import genanki

    return genanki.guid_for("kit-quiz", card.id)


def _deck_id(name: str) -> int:
    """A stable 31-bit Anki deck id from the deck's name."""
    return int(hashlib.sha1(name.encode(), usedforsecurity=False).hexdigest()[:8], 16) >> 1


def write_apkg(cards: Sequence[Card], path: Path) -> int:
    """Write ``cards`` as an Anki package at ``path``; returns the number of notes."""
    import genanki

    model = genanki.Model(
        MODEL_ID,
        "DE interview kit card",
        fields=[{"name": name} for name in FIELDS],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}{{#Note}}<div class="note">{{Note}}</div>{{/Note}}',
            }
        ],
        css=_CSS,
        sort_field_index=0,
    )
    decks: dict[str, genanki.Deck] = {}
    for card in cards:
        name = f"{ROOT_DECK}::{card.deck}"
        if name not in decks:
            decks[name] = genanki.Deck(_deck_id(name), name)
        decks[name].add_note(
            genanki.Note(
                model=model,
                fields=[card.id, to_html(card.question), to_html(card.answer), to_html(card.note), card.deck],
                tags=[*card.tags, f"deck::{card.deck}"],
                guid=note_guid(card),
            )
        )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(list(decks.values())).write_to_file(str(path))
    return len(cards)


def write_csv(cards: Sequence[Card], path: Path) -> int:
    """Write ``cards`` as CSV (Markdown kept as is; aliases joined by ``|``, tags by spaces)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for card in cards:
            writer.writerow(
                [card.id, card.deck, card.kind, card.question, card.answer, card.note, "|".join(card.aliases), " ".join(card.tags)]
            )
    return len(cards)
