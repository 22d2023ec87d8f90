"""The drill bank: one TOML file per group in ``drills/bank/`` (plain text, human-editable).

Each ``[[drill]]`` table has::

    id, title, difficulty (easy|medium|hard), tags = [...], prompt, columns = [...] (the result's names),
    ordered = false (true when the prompt asks for an order), tolerance = 0.0 (absolute, for numbers),
    hints = [...], solution, explanation, alternatives = [{sql, note}, ...],
    wrong = [{name, sql, why, caught = "visible" | <the hidden case that catches it first>}, ...],
    hidden = [...] (dataset cases, default all of ``datasets.HIDDEN``),
    kind = "select" | "merge", target (MERGE drills: the table graded), setup (MERGE drills: SQL run first)

``load`` checks every field and names the file and drill of any problem; the tests then prove that every
solution and alternative passes and every named wrong answer fails where it says.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import datasets

BANK_DIR = Path(__file__).parent / "bank"
DIFFICULTIES = ("easy", "medium", "hard")


class BankError(Exception):
    """A drill file is malformed; the message names the file, the drill and the field."""


@dataclass(frozen=True)
class Wrong:
    name: str
    sql: str
    why: str
    caught: str  # where grading rejects it first: "visible" or the name of a hidden case


@dataclass(frozen=True)
class Alternative:
    sql: str
    note: str


@dataclass(frozen=True)
class Drill:
    id: str
    title: str
    group: str
    difficulty: str
    tags: tuple[str, ...]
    prompt: str
    columns: tuple[str, ...]
    hints: tuple[str, ...]
    solution: str
    explanation: str
    alternatives: tuple[Alternative, ...]
    wrong: tuple[Wrong, ...]
    hidden: tuple[str, ...] = datasets.HIDDEN
    ordered: bool = False
    tolerance: float = 0.0
    kind: str = "select"
    target: str | None = None
    setup: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)


def _need(raw: dict, key: str, kind: type, where: str):
    if key not in raw:
        raise BankError(f"{where}: missing '{key}'")
    value = raw[key]
    if not isinstance(value, kind) or (isinstance(value, (str, list)) and not value):
        raise BankError(f"{where}: '{key}' must be a non-empty {kind.__name__}")
    return value


def _drill(raw: dict, group: str, where: str) -> Drill:
    known = {
        "id",
        "title",
        "difficulty",
        "tags",
        "prompt",
        "columns",
        "ordered",
        "tolerance",
        "hints",
        "solution",
        "explanation",
        "alternatives",
        "wrong",
        "hidden",
        "kind",
        "target",
        "setup",
    }
    unknown = set(raw) - known
    if unknown:
        raise BankError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    difficulty = _need(raw, "difficulty", str, where)
    if difficulty not in DIFFICULTIES:
        raise BankError(f"{where}: difficulty '{difficulty}' is not one of {', '.join(DIFFICULTIES)}")
    hidden = tuple(raw.get("hidden", datasets.HIDDEN))
    for case in hidden:
        if case not in datasets.HIDDEN:
            raise BankError(f"{where}: hidden case '{case}' is not one of {', '.join(datasets.HIDDEN)}")
    kind = raw.get("kind", "select")
    if kind not in ("select", "merge"):
        raise BankError(f"{where}: kind must be 'select' or 'merge'")
    if kind == "merge" and not raw.get("target"):
        raise BankError(f"{where}: a merge drill needs 'target'")
    wrong = []
    for n, w in enumerate(_need(raw, "wrong", list, where), start=1):
        spot = f"{where} wrong #{n}"
        caught = _need(w, "caught", str, spot)
        if caught != "visible" and caught not in hidden:
            raise BankError(f"{spot}: caught must be 'visible' or one of this drill's hidden cases {hidden}")
        wrong.append(
            Wrong(_need(w, "name", str, spot), _need(w, "sql", str, spot), _need(w, "why", str, spot), caught)
        )
    alternatives = [
        Alternative(_need(a, "sql", str, f"{where} alternative"), a.get("note", ""))
        for a in _need(raw, "alternatives", list, where)
    ]
    return Drill(
        id=raw["id"],
        title=_need(raw, "title", str, where),
        group=group,
        difficulty=difficulty,
        tags=tuple(_need(raw, "tags", list, where)),
        prompt=_need(raw, "prompt", str, where).strip(),
        columns=tuple(c.upper() for c in _need(raw, "columns", list, where)),
        hints=tuple(_need(raw, "hints", list, where)),
        solution=_need(raw, "solution", str, where).strip(),
        explanation=_need(raw, "explanation", str, where).strip(),
        alternatives=tuple(alternatives),
        wrong=tuple(wrong),
        hidden=hidden,
        ordered=bool(raw.get("ordered", False)),
        tolerance=float(raw.get("tolerance", 0.0)),
        kind=kind,
        target=raw.get("target"),
        setup=raw.get("setup", ""),
    )


def load(directory: Path | None = None) -> list[Drill]:
    """Every drill, in file order then drill order; ``BankError`` on the first malformed entry."""
    directory = directory or BANK_DIR
    drills: list[Drill] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        try:
            with path.open("rb") as handle:
                content = tomllib.load(handle)
        except tomllib.TOMLDecodeError as error:
            raise BankError(f"{path.name}: not valid TOML: {error}") from None
        group = path.stem.split("_", 1)[-1]
        for n, raw in enumerate(content.get("drill", []), start=1):
            drill_id = raw.get("id")
            where = f"{path.name} drill #{n} ({drill_id or 'no id'})"
            if not isinstance(drill_id, str) or not drill_id.replace("-", "").isalnum():
                raise BankError(f"{where}: 'id' must be letters, digits and dashes")
            if drill_id in seen:
                raise BankError(f"{where}: id '{drill_id}' already used in {seen[drill_id]}")
            seen[drill_id] = path.name
            drills.append(_drill(raw, group, where))
    return drills


def by_id(drills: list[Drill] | None = None) -> dict[str, Drill]:
    return {d.id: d for d in (drills if drills is not None else load())}
