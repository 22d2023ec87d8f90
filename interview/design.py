"""System-design prompts: the candidate writes an answer, then grades it against a rubric, then reads a
model answer.

One prompt per file, ``interview/design/<prompt_id>.md``: TOML front matter between ``+++`` lines, then
three sections in this order:

    +++
    title = "CDC from the backend into Snowflake under HIPAA"
    minutes = 15
    tags = ["incremental", "security"]                       # from flashcards/decks/tags.md
    teaches = ["notebooks/17_cdc_and_snowflake_change_features.ipynb"]
    +++
    ## Prompt
    What the interviewer says (and the constraints they give when asked).
    ## Rubric
    - **Short name**: what a strong answer covers, concretely. (`notebooks/17_...ipynb`)
    - ... at least six points, one bullet each; the path in backticks at the end says where it is taught
    ## Model answer
    A worked answer, linked to the notebooks.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FOLDER = HERE / "design"
MIN_RUBRIC_POINTS = 6
_POINT = re.compile(r"^- \*\*(?P<name>[^*]+)\*\*:\s*(?P<text>.+?)(?:\s*\(`(?P<where>[^`]+)`\))?\s*$")


class DesignError(Exception):
    """A prompt file is malformed; the message names the file and what is wrong."""


@dataclass(frozen=True)
class RubricPoint:
    name: str
    text: str
    teaches: str | None  # repo path where the point is taught


@dataclass(frozen=True)
class Prompt:
    prompt_id: str
    title: str
    minutes: int
    tags: tuple[str, ...]
    teaches: tuple[str, ...]
    prompt: str
    rubric: tuple[RubricPoint, ...]
    model_answer: str


def _sections(text: str, where: str) -> dict[str, str]:
    parts = re.split(r"^## (Prompt|Rubric|Model answer)\s*$", text, flags=re.MULTILINE)
    names = parts[1::2]
    if names != ["Prompt", "Rubric", "Model answer"]:
        raise DesignError(f"{where}: expected sections '## Prompt', '## Rubric', '## Model answer' in that "
                          f"order, found {names}")
    bodies = {name: body.strip() for name, body in zip(names, parts[2::2], strict=True)}
    empty = [name for name, body in bodies.items() if not body]
    if empty:
        raise DesignError(f"{where}: empty sections: {empty}")
    return bodies


def _rubric(body: str, where: str) -> tuple[RubricPoint, ...]:
    points = []
    for number, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        match = _POINT.match(line.strip())
        if match is None:
            raise DesignError(f"{where}: rubric line {number} is not '- **Name**: text (`path`)': {line!r}")
        points.append(RubricPoint(match["name"].strip(), match["text"].strip(), match["where"]))
    if len(points) < MIN_RUBRIC_POINTS:
        raise DesignError(f"{where}: the rubric has {len(points)} points; at least {MIN_RUBRIC_POINTS}")
    return tuple(points)


def load(path: Path) -> Prompt:
    where = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A\+\+\+\n(.*?)\n\+\+\+\n(.*)\Z", text, flags=re.DOTALL)
    if match is None:
        raise DesignError(f"{where}: must start with TOML front matter between '+++' lines")
    try:
        meta = tomllib.loads(match[1])
        title, minutes, tags, teaches = meta["title"], int(meta["minutes"]), meta["tags"], meta["teaches"]
        for key, value in (("tags", tags), ("teaches", teaches)):
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise TypeError(f"{key} must be a list of strings, got {value!r}")
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise DesignError(f"{where}: front matter: {type(error).__name__}: {error}") from error
    sections = _sections(match[2], where)
    rubric = _rubric(sections["Rubric"], where)
    linked = [*teaches, *(p.teaches for p in rubric if p.teaches)]
    outside = sorted({p for p in linked if not (ROOT / p).resolve().is_relative_to(ROOT)})
    if outside:
        raise DesignError(f"{where}: links outside the repository: {outside}")
    missing = sorted({p for p in linked if not (ROOT / p).exists()})
    if missing:
        raise DesignError(f"{where}: links to files that do not exist: {missing}")
    return Prompt(path.stem, title, minutes, tuple(tags), tuple(teaches), sections["Prompt"], rubric,
                  sections["Model answer"])


def prompts(folder: Path = FOLDER) -> dict[str, Prompt]:
    """Every design prompt in ``folder``, by id, in id order."""
    return {path.stem: load(path) for path in sorted(folder.glob("*.md")) if path.name != "README.md"}
