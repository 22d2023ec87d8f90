"""The coding tasks of the mock interview: what each one is, and how its grading is run and reported.

A task is a folder, ``interview/tasks/<kind>/<task_id>/`` (``kind`` is ``python`` or ``dag``):

    task.toml      title, minutes, tags (from flashcards/decks/tags.md), teaches (repo paths), file
    prompt.md      what the candidate reads: the spec, the signature, what is given
    starter.py     copied into the candidate's scratch folder as ``file``: imports, signature, docstring
    checks.py      the hidden checks: ``def check(solution: pathlib.Path) -> list[Check]``
    reference.py   a solution that passes every check
    wrong_*.py     plausible wrong solutions; each one's docstring starts ``Fails: <check name> - why``,
                   and the tests prove it fails exactly that check (and passes the others where it can)
    alternative_*.py  optional: correct solutions written another way; the tests prove they pass too

``check`` imports the candidate's file (``import_file``), runs it against the sim with the task's hidden
fault plans and defective days, and returns one ``Check`` per property, in a fixed order. It never raises
for a wrong solution: a crash in the candidate's code is a failed check that says where it crashed.

``grade(task, path)`` runs ``check`` in a child process with a time budget and returns a ``Verdict``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KINDS = ("python", "dag")
GRADE_TIMEOUT = 60.0  # seconds for the whole child process; a task's own budget is enforced inside check()


class TaskError(Exception):
    """A task folder is incomplete or malformed; the message names the folder and what is wrong."""


@dataclass(frozen=True)
class Check:
    """One hidden property of a solution: ``passed``, and in ``detail`` what was expected and what came back
    (for a failure, worded to teach; never the hidden data itself)."""

    name: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    """The outcome of grading one file: every check, or ``error`` when the grading itself could not run."""

    task_id: str
    checks: tuple[Check, ...] = ()
    error: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def score(self) -> float:
        """The share of checks passed, 0.0 to 1.0 (0.0 when grading failed)."""
        if self.error is not None or not self.checks:
            return 0.0
        return sum(c.passed for c in self.checks) / len(self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Verdict:
        data = json.loads(text)
        return cls(data["task_id"], tuple(Check(**c) for c in data["checks"]), data["error"], data["seconds"])


@dataclass(frozen=True)
class Task:
    kind: str
    task_id: str
    title: str
    minutes: int
    tags: tuple[str, ...]
    teaches: tuple[str, ...]  # repo paths (notebooks, drills, solutions) where the skill is taught
    file: str  # the candidate's file name in the scratch folder
    folder: Path = field(repr=False)

    @property
    def prompt(self) -> str:
        return (self.folder / "prompt.md").read_text(encoding="utf-8")

    @property
    def starter(self) -> str:
        return (self.folder / "starter.py").read_text(encoding="utf-8")

    @property
    def reference(self) -> Path:
        return self.folder / "reference.py"

    @property
    def wrong_solutions(self) -> list[Path]:
        return sorted(self.folder.glob("wrong_*.py"))


def load(kind: str, folder: Path) -> Task:
    """The task in ``folder``; ``TaskError`` naming what is missing or malformed."""
    where = folder.relative_to(ROOT) if folder.is_relative_to(ROOT) else folder
    for name in ("task.toml", "prompt.md", "starter.py", "checks.py", "reference.py"):
        if not (folder / name).is_file():
            raise TaskError(f"{where}: {name} is missing")
    try:
        meta = tomllib.loads((folder / "task.toml").read_text(encoding="utf-8"))
        task = Task(kind, folder.name, meta["title"], int(meta["minutes"]), tuple(meta["tags"]),
                    tuple(meta["teaches"]), meta["file"], folder)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as error:
        raise TaskError(f"{where}/task.toml: {type(error).__name__}: {error}") from error
    missing = [path for path in task.teaches if not (ROOT / path).exists()]
    if missing:
        raise TaskError(f"{where}/task.toml: teaches names files that do not exist: {missing}")
    return task


def bank(kind: str, root: Path = HERE / "tasks") -> dict[str, Task]:
    """Every task of ``kind`` (``python`` or ``dag``) under ``root``, by id, in id order."""
    if kind not in KINDS:
        raise TaskError(f"unknown task kind {kind!r}; expected one of {KINDS}")
    folders = sorted(p for p in (root / kind).iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    return {folder.name: load(kind, folder) for folder in folders}


def task(kind: str, task_id: str) -> Task:
    tasks = bank(kind)
    if task_id not in tasks:
        raise TaskError(f"no {kind} task {task_id!r}; the bank has {sorted(tasks)}")
    return tasks[task_id]


def import_file(path: Path, name: str = "candidate_solution") -> ModuleType:
    """Import a file as a fresh module (each call re-reads it). Errors propagate: for the candidate's file,
    ``check`` turns them into a failed check naming the file and line."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def check_here(t: Task, solution: Path) -> Verdict:
    """Run ``t``'s hidden checks on ``solution`` in this process (the child's work; tests call it directly)."""
    started = time.monotonic()
    checks = import_file(t.folder / "checks.py", f"interview_checks_{t.kind}_{t.task_id}")
    results = tuple(checks.check(Path(solution)))
    return Verdict(t.task_id, results, seconds=time.monotonic() - started)


def expected_failures(wrong: Path) -> list[str]:
    """The check names a wrong solution documents in its docstring's first line: ``Fails: a, b - why``."""
    first = (ast.get_docstring(ast.parse(wrong.read_text(encoding="utf-8"))) or "").splitlines()[:1]
    match = re.match(r"Fails: (?P<names>.+?) - ", first[0]) if first else None
    if match is None:
        raise TaskError(f"{wrong}: the docstring must start 'Fails: <check name>[, <check name>] - why'")
    return [name.strip() for name in match["names"].split(",")]


def grade(t: Task, solution: Path, timeout: float = GRADE_TIMEOUT) -> Verdict:
    """Grade ``solution`` for task ``t`` in a child process (``python -m interview.grade_task``)."""
    started = time.monotonic()
    solution = Path(solution)
    if not solution.is_file():
        return Verdict(t.task_id, error=f"{solution} does not exist: write your answer there first")
    command = [sys.executable, "-m", "interview.grade_task", t.kind, str(t.folder), str(solution.resolve())]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env,
                              check=False)
    except subprocess.TimeoutExpired:
        return Verdict(t.task_id, error=f"grading took longer than {timeout:.0f} s: an endless loop or wait?",
                       seconds=time.monotonic() - started)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-8:])
        return Verdict(t.task_id, error=f"the grader stopped (exit {done.returncode}):\n{tail}",
                       seconds=time.monotonic() - started)
    verdict = Verdict.from_json(lines[-1])
    return Verdict(verdict.task_id, verdict.checks, verdict.error, time.monotonic() - started)
