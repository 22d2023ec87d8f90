"""The readiness report's topics, what practises each one, and where each is taught.

The topics are the flashcard tags (``flashcards/decks/tags.md``): one vocabulary for the whole kit. Every kind of
practice reaches them from metadata that already exists, plus one table written by hand:

- **flashcards**: a card's ``Tags:``;
- **notebook exercises**: an exercise's grader module (the module of ``exercises/`` whose code calls
  ``grade("<exercise>", ...)``), the notebook that imports that module, then :data:`NOTEBOOK_TAGS`;
- **SQL drills**: every drill is ``sql``; a drill tag that names a topic too adds it (:data:`DRILL_TOPICS`);
- **mock-interview items**: a coding task's ``task.toml`` tags, a design prompt's tags, the drill's topics for the
  SQL section, the card's tags for the concepts section; otherwise the tags of the notebooks its result says
  teach it (``detail["teaches"]``).

:data:`NOTEBOOK_TAGS` is the hand-written part: which topics each notebook teaches (a notebook has no metadata
of its own). ``tests/test_interview_report.py`` proves every notebook is listed and every tag is a known one.
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"

# notebook (file stem) -> the topics it teaches, most central first
NOTEBOOK_TAGS: dict[str, tuple[str, ...]] = {
    "00_start_here": (),
    "01_dag_basics": ("airflow", "scheduling", "retries", "alerting"),
    "02_dependencies": ("dependencies",),
    "03_python_operator_and_context": ("context",),
    "04_xcom": ("xcom",),
    "05_branching": ("branching", "trigger-rules"),
    "06_sensors": ("sensors",),
    "07_data_quality": ("data-quality", "severity"),
    "08_api_extraction": ("api", "pagination", "retries", "idempotency"),
    "09_rate_limiting": ("rate-limiting",),
    "10_revenue_reconciliation": ("scenario-reconciliation",),
    "11_python_vs_dbt": ("python-vs-dbt", "dbt"),
    "12_scenario_daily_pipeline": ("scenario-design", "loading"),
    "13_scenario_customer_facing": ("scenario-customer-facing", "security"),
    "14_sql_drills": ("sql",),
    "15_incremental_models": ("incremental", "dbt"),
    "16_history_scd2": ("scd", "dbt"),
    "17_cdc_and_snowflake_change_features": ("snowflake", "idempotency", "incremental"),
    "18_backfills_done_right": ("scheduling", "airflow3", "idempotency"),
    "19_dynamic_task_mapping": ("airflow",),
    "20_assets_data_aware_scheduling": ("scheduling",),
    "21_protecting_shared_resources": ("concurrency",),
    "22_deferral_and_the_triggerer": ("sensors",),
    "23_orchestrating_fivetran_and_dbt": ("fivetran",),
    "24_running_airflow_for_real": ("airflow3", "airflow"),
    "25_dbt_as_software": ("dbt", "testing"),
    "26_what_the_warehouse_costs": ("snowflake",),
    "27_warehouse_performance": ("snowflake", "sql"),
    "28_protecting_patient_data": ("security", "snowflake"),
    "30_sql_aggregation_and_joins": ("sql",),
    "31_sql_window_functions": ("sql",),
    "32_sql_dates_and_series": ("sql",),
    "33_sql_json_money_and_stats": ("sql", "variant"),
    "34_sql_merge": ("sql", "idempotency"),
    "35_sql_more_window_functions": ("sql",),
    "36_sql_reshaping_and_nulls": ("sql",),
    "37_sql_clinic_metrics": ("sql",),
    "38_your_readiness": (),
}

# a drill tag that is also a topic of the report (every drill is "sql" as well)
DRILL_TOPICS = {"semi-structured": "variant", "variant": "variant", "merge": "idempotency", "scd2": "scd"}

# tags about the kit rather than the interview: reported, never proposed as a thing to study next
NOT_STUDY_TOPICS = frozenset({"sim-caveat"})


@dataclass(frozen=True)
class Exercise:
    """A notebook exercise: its name (``grade("<name>", ...)``), grader module and notebook (file stem)."""

    name: str
    module: str
    notebook: str


def topics(tags_file: Path | None = None) -> dict[str, str]:
    """Every topic and what it covers, in the order of ``tags.md``."""
    from flashcards.deck import DEFAULT_DECK_DIR, TAGS_FILE, parse_tags

    tags, problems = parse_tags(tags_file or DEFAULT_DECK_DIR / TAGS_FILE)
    if problems:
        raise ValueError(f"{problems[0]}")
    return tags


def _graded_names(module: Path) -> list[str]:
    """The exercise names a grader module passes to ``grade``: its calls with a string literal first."""
    names = []
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "grade"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.append(node.args[0].value)
    return names


def _imported_exercise_modules(notebook: Path) -> set[str]:
    """The ``exercises.<module>`` names a notebook's code cells import."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c.get("cell_type") == "code")
    return set(re.findall(r"^\s*(?:from|import)\s+exercises\.(\w+)", code, flags=re.MULTILINE))


@cache
def exercises(notebooks: Path = NOTEBOOKS, graders: Path = EXERCISES) -> dict[str, Exercise]:
    """Every notebook exercise, by name, read from the sources (no list to keep in step by hand).

    A grader module belongs to the notebook that imports it; a module imported by no notebook, or by two,
    is left out (the tests prove there is none).
    """
    owners: dict[str, list[str]] = {}
    for notebook in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        for module in _imported_exercise_modules(notebook):
            owners.setdefault(module, []).append(notebook.stem)
    found = {}
    for module in sorted(graders.glob("*.py")):
        homes = owners.get(module.stem, [])
        if len(homes) != 1:
            continue
        for name in _graded_names(module):
            found[name] = Exercise(name, module.stem, homes[0])
    return found


def notebook_of(exercise: str) -> str | None:
    """The notebook (file stem) an exercise is in, or None for a name no grader module uses."""
    found = exercises().get(exercise)
    return found.notebook if found else None


def drill_topics(drill_tags: Iterable[str]) -> tuple[str, ...]:
    """A drill's topics: ``sql``, plus a topic its own tags name."""
    extra = sorted({DRILL_TOPICS[t] for t in drill_tags if t in DRILL_TOPICS})
    return ("sql", *extra)


def notebook_topics(paths: Iterable[str]) -> tuple[str, ...]:
    """The topics of what repository paths name: notebooks (``notebooks/15_x.ipynb``) by :data:`NOTEBOOK_TAGS`,
    the drill bank (``drills/...``) as ``sql``; in first-seen order."""
    seen: dict[str, None] = {}
    for path in paths:
        if Path(path).suffix == ".ipynb":
            seen.update(dict.fromkeys(NOTEBOOK_TAGS.get(Path(path).stem, ())))
        elif Path(path).parts[:1] == ("drills",):
            seen["sql"] = None
    return tuple(seen)


def notebooks_teaching(topic: str) -> list[str]:
    """The notebooks (file stems) that teach ``topic``, in study-path order."""
    return [nb for nb, tags in NOTEBOOK_TAGS.items() if topic in tags]


def taught_in(topic: str, cards: Iterable[Any]) -> list[str]:
    """Where ``topic`` is taught, as repository paths: its notebooks in study-path order, then the deck with the
    most cards on it (``cards``: the flashcards, each with ``tags`` and ``path``)."""
    decks = Counter(c.path for c in cards if topic in c.tags)
    paths = [f"notebooks/{nb}.ipynb" for nb in notebooks_teaching(topic)]
    if decks:
        deck = min(decks, key=lambda p: (-decks[p], p.name))
        paths.append(deck.relative_to(ROOT).as_posix() if deck.is_relative_to(ROOT) else str(deck))
    return paths
