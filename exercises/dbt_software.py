"""Notebook 25 (dbt as software): the project's runners, a pull request made on a copy, and the graders.

The project is ``solutions/dbt_ci``. Production builds it from the repository; a pull request is a copy of the
project with one change (:func:`open_pull_request`), built by its own runner into its own schemas
(``--vars {"env": "PR_42"}``) with production's ``manifest.json`` as ``--state``.

Exercises:

1. **What does ``state:modified+`` build?** (Python) Given the project's edges and the modified nodes, return the
   nodes a slim CI build runs: the modified ones and everything downstream of them, nothing upstream.
2. **The slim CI command** (a dbt command line): the arguments of the pull request's CI job, parsed by dbt's
   own command-line parser and checked for what makes it slim, deferred and tested.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade
from solutions.dbt_runner import DbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[1] / "solutions" / "dbt_ci"
PROJECT = "clinic_ci"
PROD_STATE = "prod-artifacts"  # the folder where the CI job downloads production's manifest.json


def runner(world: Any, name: str, project_dir: Path = PROJECT_DIR, *, in_process: bool = True) -> DbtRunner:
    """A dbt runner for the project in ``project_dir``, its profile, target/ and logs/ in ``<run dir>/<name>``."""
    return DbtRunner(world.warehouse.path, world.run_dir / name, project_dir=project_dir,
                     release=world.warehouse.released, in_process=in_process)


def open_pull_request(world: Any, changes: dict[str, tuple[str, str]], *, name: str = "pr") -> Path:
    """A copy of the project with ``changes`` applied: {relative path: (old text, new text)}, each old text
    found exactly once. Returns the copy's folder (the pull request's checkout)."""
    checkout = world.run_dir / name / "project"
    shutil.rmtree(checkout, ignore_errors=True)
    shutil.copytree(PROJECT_DIR, checkout)
    for relative, (old, new) in changes.items():
        path = checkout / relative
        text = path.read_text()
        if text.count(old) != 1:
            raise ValueError(f"{relative}: the text to change occurs {text.count(old)} times, expected once")
        path.write_text(text.replace(old, new))
    return checkout


def build_order(target_path: Path) -> list[tuple[str, str, str]]:
    """(resource type, name, status) in the order the last command ran them (run_results.json, one thread)."""
    results = json.loads((target_path / "run_results.json").read_text())["results"]
    return [(r["unique_id"].split(".")[0], r["unique_id"].split(".")[2], r["status"]) for r in results]


def lineage(target_path: Path) -> dict[str, list[str]]:
    """model -> the models it refs, from manifest.json (what `dbt docs` draws as the lineage graph)."""
    nodes = json.loads((target_path / "manifest.json").read_text())["nodes"]
    models = sorted((n for n in nodes.values() if n["resource_type"] == "model" and "probe" not in n["tags"]),
                    key=lambda n: n["name"])
    return {n["name"]: sorted(d.split(".")[-1] for d in n["depends_on"]["nodes"] if d.startswith("model."))
            for n in models}


# -- reference answers ---------------------------------------------------------------------------------------


def modified_plus(edges: Iterable[tuple[str, str]], modified: Iterable[str]) -> set[str]:
    """``state:modified+``: the modified nodes and all their descendants. ``edges`` are (parent, child)."""
    children: dict[str, list[str]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    selected, todo = set(), list(modified)
    while todo:
        node = todo.pop()
        if node not in selected:
            selected.add(node)
            todo.extend(children.get(node, ()))
    return selected


def slim_ci_command() -> str:
    """The pull request's CI job: build (models, unit and data tests, in DAG order) only what changed and
    everything downstream of it, reading unchanged parents from production's relations."""
    return f"dbt build --select state:modified+ --defer --state {PROD_STATE}"


# -- grader 1: state:modified+ -------------------------------------------------------------------------------

#: the project of notebook 25 plus a second branch, as (parent, child)
_EDGES = [("src.appointments", "stg_appointments"), ("stg_appointments", "fct_appointments"),
          ("fct_appointments", "clinician_no_show_rate"), ("clinician_no_show_rate", "clinician_ranking"),
          ("fct_appointments", "daily_revenue"), ("src.clinicians", "stg_clinicians"),
          ("stg_clinicians", "dim_clinicians"), ("dim_clinicians", "clinician_ranking"),
          ("daily_revenue", "revenue_forecast"), ("revenue_forecast", "board_pack"),
          ("clinician_ranking", "board_pack")]


def _selection(fn: Callable, edges: list[tuple[str, str]], modified: list[str]) -> set[str]:
    result = fn(list(edges), list(modified))
    if not isinstance(result, (set, frozenset, list, tuple)):
        raise Mismatch(f"return the selected nodes as a set, got {type(result).__name__}")
    return set(result)


def grade_modified_plus(fn: Callable[[list, list], set], *, show: bool = True) -> Grade:
    def case(modified: list[str], why: str) -> Callable[[Any], None]:
        return lambda f: expect(sorted(_selection(f, _EDGES, modified)), sorted(modified_plus(_EDGES, modified)),
                                f"nodes built when {', '.join(modified)} changed ({why})")

    checks = [
        ("a leaf: only itself", case(["board_pack"], "nothing is downstream")),
        ("a model and its children", case(["clinician_no_show_rate"], "the ranking reads the rate, and "
                                          "the board pack reads the ranking: two levels down")),
        ("the parents are not rebuilt", case(["daily_revenue"], "fct_appointments is upstream: "
                                            "deferred to production, not built")),
        ("a model reached twice is built once", case(["fct_appointments"], "board_pack is reached "
                                                     "through the rate and through the revenue")),
        ("two changes", case(["stg_clinicians", "revenue_forecast"], "each with its descendants")),
        ("a changed source", case(["src.appointments"], "everything that reads it")),
        ("nothing changed", lambda f: expect(sorted(_selection(f, _EDGES, [])), [], "nodes built")),
        ("the edges in any order", lambda f: expect(
            sorted(_selection(f, list(reversed(_EDGES)), ["stg_appointments"])),
            sorted(modified_plus(_EDGES, ["stg_appointments"])), "nodes built with the edges reversed")),
    ]
    return grade("modified_plus", fn, checks, show=show)


# -- grader 2: the slim CI command ---------------------------------------------------------------------------


def parse_dbt_command(text: str) -> tuple[str, dict[str, Any]]:
    """(subcommand, its parameters) as dbt's own click parser reads ``text`` (``dbt ...`` optional)."""
    import click
    from dbt.cli.main import cli

    words = shlex.split(text)
    if words[:1] == ["dbt"]:
        words = words[1:]
    if not words:
        raise Mismatch("write a dbt command line, e.g. dbt <command> --select ...")
    folders = [] if "--profiles-dir" in words else ["--profiles-dir", tempfile.gettempdir()]  # any folder: not read
    try:
        with cli.make_context("dbt", list(words)) as parent:
            name, command, rest = cli.resolve_command(parent, words)
            ctx = command.make_context(name, [*rest, *folders], parent=parent)
    except click.exceptions.UsageError as error:
        raise Mismatch(f"dbt rejects the command line: {error.format_message()}") from None
    return name, dict(ctx.params)


def _ci_checks(text_of: Callable[[], str]) -> list[tuple[str, Callable[[Any], None]]]:
    def params() -> tuple[str, dict[str, Any]]:
        return parse_dbt_command(text_of())

    def is_build(_: Any) -> None:
        name, _params = params()
        if name != "build":
            raise Mismatch(f"`dbt {name}`: the CI job must also run the tests (unit tests before each model, "
                           "data tests after it) and skip what depends on a failure: that is `dbt build`")

    def selects_modified_plus(_: Any) -> None:
        selected = " ".join(params()[1].get("select") or ())
        if "state:modified+" not in selected.split():
            hint = (" (without +, the models downstream of a change are not rebuilt: a broken child goes unseen)"
                    if "state:modified" in selected.split() else "")
            raise Mismatch(f"--select {selected or '(nothing)'}: select state:modified+{hint}")

    def defers(_: Any) -> None:
        if not params()[1].get("defer"):
            raise Mismatch("without --defer, refs to unchanged models point at the CI schema, where nothing "
                           "was built: the first model fails (or the job must rebuild everything)")

    def state_is_production(_: Any) -> None:
        state = params()[1].get("state")
        if state is None:
            raise Mismatch("--state <folder with production's manifest.json>: state:modified compares with it")
        if Path(str(state)).name != PROD_STATE:
            raise Mismatch(f"--state {state}: point it at production's artifacts ({PROD_STATE}), not at this "
                           "job's own target/ (compared with itself, nothing is modified)")

    return [("dbt build", is_build), ("selects state:modified+", selects_modified_plus),
            ("defers to production", defers), ("compares with production's manifest", state_is_production)]


def grade_slim_ci_command(fn: Callable[[], str], *, show: bool = True) -> Grade:
    def text() -> str:
        value = fn()
        if not isinstance(value, str) or not value.strip():
            raise Mismatch(f"return the command line as a string, got {type(value).__name__}")
        return value

    return grade("slim_ci_command", fn, _ci_checks(text), show=show)


def last_run_order(log_path: Path) -> list[str]:
    """The nodes the last dbt command started, in order, from its log file (``N of M START ...`` lines)."""
    text = (log_path / "dbt.log").read_text()
    last = text[text.rindex("Running with dbt="):]
    started = [line.split(" START ", 1)[1] for line in last.splitlines() if " of " in line and " START " in line]
    return [re.sub(r"[\s.]*\[RUN\]\s*$", "", line).strip() for line in started]


def freshness(target_path: Path) -> list[dict[str, Any]]:
    """What `dbt source freshness` found (target/sources.json): per source table, its status and age."""
    results = json.loads((target_path / "sources.json").read_text())["results"]
    return [{"source": r["unique_id"].split(".", 2)[2], "status": r["status"], "newest": r["max_loaded_at"][:19],
             "checked at": r["snapshotted_at"][:19],
             "age (hours)": round(r["max_loaded_at_time_ago_in_s"] / 3600, 1)} for r in results]
