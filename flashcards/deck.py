"""Parse and lint the Markdown decks.

A deck is a Markdown file; everything before the first card is free text (a title, a paragraph on what the
deck covers). Each card starts with a level-2 heading holding its id, followed by fields::

    ## airflow3-catchup-default
    Q: In Airflow 3, what does `catchup` default to when a DAG does not set it?
    A: False
    Type: short
    Aliases: catchup=False
    Note: Airflow 2 defaulted to True ([scheduler] catchup_by_default).
    Tags: airflow3, scheduling

- ``Q:`` and ``A:`` may continue over several lines (code fences included) until the next field or card.
- ``Type:`` is ``short`` (you type the answer; it is fuzzy-matched against ``A:`` and ``Aliases:``) or
  ``long`` (you think, reveal, and grade yourself). The default is ``long``.
- ``Check:`` (short cards, optional) says what the answer is, so it is compared the right way: ``number``
  (a count or a duration), ``schedule`` (a time of day, every day), ``list`` (comma-separated items, any
  order), ``code`` (identifiers, paths, commands: exact) or ``text``. Without it, it is inferred (see
  ``answer``).
- ``Aliases:`` lists other accepted answers for a short card, separated by ``|``.
- ``Note:`` is shown after the answer: the why, and how Airflow 2 differed.
- ``Tags:`` are comma-separated and must be declared in ``tags.md`` next to the deck files.

The id is the card's identity: review history is keyed by it, so rewording a question or an answer keeps
the history, while changing the id starts the card afresh.

``lint`` reports every problem with ``file:line`` so an editor can jump to it; ``kit-quiz lint`` exits
with status 2 when there is any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DECK_DIR = Path(__file__).with_name("decks")
TAGS_FILE = "tags.md"
FIELDS = ("Q", "A", "Type", "Check", "Aliases", "Note", "Tags")
KINDS = ("short", "long")
MAX_SHORT_ANSWER = 80

_HEADER = re.compile(r"^##(?!#)\s*(.*?)\s*$")
_FIELD = re.compile(r"^(?P<key>[A-Za-z]+):(?:\s(?P<value>.*)|$)")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TAG_LINE = re.compile(r"^-\s+(?P<tag>[a-z0-9]+(?:-[a-z0-9]+)*)\s*:\s*(?P<text>.*)$")
_DECK_PREFIX = re.compile(r"^\d+[-_]")
# Words that look like a field but are not one: most likely a typo of a real field.
_FIELD_TYPOS = {"question", "answer", "tag", "alias", "notes", "types", "kind", "id"} | {
    f.lower() for f in FIELDS
}


@dataclass(frozen=True)
class Card:
    """One flashcard, with where it came from (for error messages and editors)."""

    id: str
    deck: str
    question: str
    answer: str
    tags: tuple[str, ...]
    kind: str = "long"
    aliases: tuple[str, ...] = ()
    note: str = ""
    check: str = ""  # how a typed answer is compared (answer.KINDS); "" = inferred
    path: Path = Path("?")
    line: int = 0

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every answer accepted in typed mode: the answer itself, then its aliases."""
        return (self.answer, *self.aliases)


@dataclass(frozen=True)
class Problem:
    """A lint finding, printed as ``path:line: message``."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{_display(self.path)}:{self.line}: {self.message}"


@dataclass
class _Block:
    """A card being parsed: its header line and the (line, key, value lines) of each field."""

    id: str
    line: int
    fields: dict[str, tuple[int, list[str]]] = field(default_factory=dict)


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """A deck or tags file's text, or the problem that stops it being read (named with file:line)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, Problem(path, 0, f"cannot read: {error.strerror or error}")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        byte = data[error.start : error.start + 1].hex()
        message = f"not UTF-8 text (byte 0x{byte} at column {column}); save the file as UTF-8"
        return None, Problem(path, line, message)


def deck_name(path: Path) -> str:
    """``10-airflow-core.md`` -> ``airflow-core`` (the number only orders the files)."""
    return _DECK_PREFIX.sub("", path.stem)


def deck_files(directory: Path) -> list[Path]:
    """The deck files of a directory, in study order (sorted by name), without the tags registry."""
    return sorted(p for p in directory.glob("*.md") if p.name != TAGS_FILE)


def parse_tags(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """Read a tags registry: lines ``- tag: what it covers``; other lines are free text."""
    tags: dict[str, str] = {}
    problems: list[Problem] = []
    text, problem = read_text(path)
    if problem:
        return tags, [problem]
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("-"):
            continue
        match = _TAG_LINE.match(line)
        if not match:
            problems.append(Problem(path, number, "malformed tag line (expected '- tag-name: description')"))
        elif match["tag"] in tags:
            problems.append(Problem(path, number, f"tag '{match['tag']}' declared twice"))
        else:
            tags[match["tag"]] = match["text"].strip()
    return tags, problems


def parse_file(path: Path) -> tuple[list[Card], list[Problem]]:
    """Parse one deck file into cards, collecting (not raising) every structural problem.

    Cards with problems are left out of the result, so a caller can still count what parsed.
    Checks that need more than one file (duplicate ids) or the tags registry live in ``lint``.
    """
    problems: list[Problem] = []
    blocks: list[_Block] = []
    current: _Block | None = None
    key: str | None = None  # the field receiving continuation lines
    fence_line = 0  # line of the opening ``` while inside a code fence, else 0

    text, problem = read_text(path)
    if problem:
        return [], [problem]
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if fence_line:
            if line.lstrip().startswith("```"):
                fence_line = 0
            if current is not None and key is not None:
                current.fields[key][1].append(line)
            continue

        header = _HEADER.match(line)
        if header:
            current = _Block(id=header[1], line=number)
            blocks.append(current)
            key = None
            continue

        match = _FIELD.match(line)
        if match and match["key"] in FIELDS:
            if current is None:
                problems.append(Problem(path, number, f"{match['key']}: outside a card (add a '## card-id' line above it)"))
                continue
            key = match["key"]
            if key in current.fields:
                first = current.fields[key][0]
                problems.append(Problem(path, number, f"second {key}: in card '{current.id}' (first at line {first})"))
                key = None
                continue
            value = (match["value"] or "").strip()
            current.fields[key] = (number, [value])
            if value.startswith("```") and value.count("```") % 2 == 1:
                fence_line = number  # "A: ```sql" opens a code block on the field's own line
            continue
        if match and match["key"].lower() in _FIELD_TYPOS and current is not None:
            problems.append(
                Problem(path, number, f"unknown field '{match['key']}:' (fields are {', '.join(f + ':' for f in FIELDS)})")
            )
            continue

        if line.lstrip().startswith("```"):
            fence_line = number
        if current is None:
            continue  # free text before the first card
        if key is None:
            if line.strip():
                problems.append(Problem(path, number, f"text outside any field in card '{current.id}' (start it with Q: or A:)"))
            continue
        if key in ("Q", "A", "Note"):
            current.fields[key][1].append(line)
        elif line.strip():
            problems.append(Problem(path, number, f"{key}: must fit on one line"))

    if fence_line:
        problems.append(Problem(path, fence_line, "code fence opened here is never closed"))

    name = deck_name(path)
    cards = []
    for block in blocks:
        card, found = _build(block, path, name)
        problems.extend(found)
        if card is not None:
            cards.append(card)
    problems.sort(key=lambda p: p.line)
    return cards, problems


def _text(lines: list[str]) -> str:
    """Join a field's lines, dropping trailing blank lines (the gap before the next card)."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines).strip("\n").strip()


def _build(block: _Block, path: Path, deck: str) -> tuple[Card | None, list[Problem]]:
    problems: list[Problem] = []

    def report(line: int, message: str) -> None:
        problems.append(Problem(path, line, message))

    if not block.id:
        report(block.line, "card heading has no id (write '## some-card-id')")
    elif not _ID.match(block.id):
        report(block.line, f"bad card id '{block.id}' (use lowercase words joined by hyphens)")

    values = {key: (line, _text(lines)) for key, (line, lines) in block.fields.items()}
    for key, message in (("Q", "no Q: (question)"), ("A", "no A: (answer)"), ("Tags", "no Tags:")):
        if key not in values:
            report(block.line, f"card '{block.id}' has {message}")
    if "Q" in values and not values["Q"][1]:
        report(values["Q"][0], f"empty question in card '{block.id}'")
    if "A" in values and not values["A"][1]:
        report(values["A"][0], f"empty answer in card '{block.id}'")

    tags: tuple[str, ...] = ()
    if "Tags" in values:
        raw = [t.strip() for t in values["Tags"][1].split(",")]
        tags = tuple(t for t in raw if t)
        if not tags or len(tags) != len(raw):
            report(values["Tags"][0], f"empty tag in card '{block.id}' (Tags: a, b, c)")
        if len(set(tags)) != len(tags):
            report(values["Tags"][0], f"repeated tag in card '{block.id}'")

    kind = values.get("Type", (0, "long"))[1] or "long"
    if kind not in KINDS:
        report(values["Type"][0], f"unknown Type '{kind}' (short or long)")

    check = values.get("Check", (0, ""))[1]
    if "Check" in values:
        from .answer import KINDS as CHECKS

        if check not in CHECKS:
            report(values["Check"][0], f"unknown Check '{check}' ({', '.join(CHECKS)})")
        elif kind != "short":
            report(values["Check"][0], f"Check: only applies to 'Type: short' cards ('{block.id}')")

    aliases: tuple[str, ...] = ()
    if "Aliases" in values:
        aliases = tuple(a.strip() for a in values["Aliases"][1].split("|") if a.strip())
        if kind != "short":
            report(values["Aliases"][0], f"Aliases: only apply to 'Type: short' cards ('{block.id}')")
        elif not aliases:
            report(values["Aliases"][0], f"empty Aliases: in card '{block.id}'")

    if kind == "short" and "A" in values:
        line, answer = values["A"]
        if "\n" in answer or len(answer) > MAX_SHORT_ANSWER:
            report(line, f"short answer must be one line of at most {MAX_SHORT_ANSWER} characters (move the explanation to Note:)")

    if problems:
        return None, problems
    return (
        Card(
            id=block.id,
            deck=deck,
            question=values["Q"][1],
            answer=values["A"][1],
            tags=tags,
            kind=kind,
            aliases=aliases,
            check=check,
            note=values.get("Note", (0, ""))[1],
            path=path,
            line=block.line,
        ),
        [],
    )


def lint(paths: list[Path], tags_file: Path | None = None) -> tuple[list[Card], list[Problem]]:
    """Parse every deck file in ``paths`` (files or directories) and check them together.

    Beyond ``parse_file``'s structural checks: duplicate ids across all files, and tags missing from the
    registry (``tags_file``; by default the ``tags.md`` beside each deck file, else the shipped one).
    """
    files: list[Path] = []
    for path in paths:
        files.extend(deck_files(path) if path.is_dir() else [path])

    problems: list[Problem] = []
    registries: dict[Path, set[str]] = {}

    def registry_for(deck_file: Path) -> tuple[Path, set[str]]:
        source = tags_file or (deck_file.parent / TAGS_FILE)
        if not source.exists():
            source = DEFAULT_DECK_DIR / TAGS_FILE
        if source not in registries:
            tags, found = parse_tags(source)
            problems.extend(found)
            registries[source] = set(tags)
        return source, registries[source]

    cards: list[Card] = []
    seen: dict[str, Card] = {}
    for deck_file in files:
        if not deck_file.exists():
            problems.append(Problem(deck_file, 0, "no such file"))
            continue
        parsed, found = parse_file(deck_file)
        problems.extend(found)
        source, known = registry_for(deck_file)
        for card in parsed:
            if card.id in seen:
                first = seen[card.id]
                problems.append(
                    Problem(deck_file, card.line, f"duplicate card id '{card.id}' (first at {_display(first.path)}:{first.line})")
                )
                continue
            seen[card.id] = card
            unknown = [t for t in card.tags if t not in known]
            for tag in unknown:
                problems.append(Problem(deck_file, _tags_line(card), f"unknown tag '{tag}'{_suggest(tag, known)} (declare it in {_display(source)})"))
            if not unknown:
                cards.append(card)
    return cards, problems


def load(directory: Path | None = None) -> tuple[list[Card], list[Problem]]:
    """All cards of a deck directory (the shipped decks by default), linted."""
    return lint([directory or DEFAULT_DECK_DIR])


def _tags_line(card: Card) -> int:
    """The line of a card's Tags: field (re-read lazily: only needed for error messages)."""
    lines = card.path.read_text(encoding="utf-8").splitlines()
    for number in range(card.line, len(lines)):
        if lines[number].startswith("Tags:"):
            return number + 1
        if _HEADER.match(lines[number]):
            break
    return card.line


def _suggest(tag: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(tag, sorted(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _display(path: Path) -> str:
    """A path relative to the working directory when it is below it (shorter, clickable in editors)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
