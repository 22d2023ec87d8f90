"""The rooms of ARCHITECTURE.md keep to their imports: production code (solutions/) never reaches the sim.

Two proofs: a fresh interpreter that imports every production module loads no ``sim`` module (what a real
Airflow worker would do), and no file under solutions/ names ``sim`` or ``exercises`` in an import statement
(lazy imports inside functions included).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "solutions"
FORBIDDEN = {"sim": "the simulated world", "exercises": "the graders", "drills": "the SQL drills",
             "flashcards": "the quiz", "tests": "the tests", "bench": "the benchmarks"}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_production_code_imports_none_of_the_practice_rooms():
    offences = [f"{path.relative_to(ROOT)} imports {root} ({FORBIDDEN[root]})"
                for path in sorted(PRODUCTION.rglob("*.py")) for root in imported_roots(path) & FORBIDDEN.keys()]
    assert offences == []


def test_importing_production_code_loads_no_sim_module():
    modules = sorted(f"solutions.{p.stem}" for p in PRODUCTION.glob("*.py")
                     if p.stem not in ("__init__", "slack_notifier"))  # slack_notifier imports Airflow (slow)
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sim', 'exercises'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []
    assert "solutions.extraction" in modules and "solutions.pipeline" in modules


def test_the_sim_takes_only_the_sockets_production_code_offers():
    """sim/ may import solutions.clock (its clocks satisfy that protocol) and solutions.runtime (what it lends
    the production code), nothing else of solutions/ and nothing of the graders. One exception: the launcher
    of `make airflow` (sim/__main__.py), which plays the partner with the pipeline's own marker."""
    allowed = {"solutions.clock", "solutions.runtime", "solutions"}
    offences = []
    for path in sorted((ROOT / "sim").rglob("*.py")):
        if path.name == "__main__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            for name in names:
                root = name.split(".")[0]
                if root == "exercises" or (root == "solutions" and name not in allowed):
                    offences.append(f"{path.relative_to(ROOT)} imports {name}")
                if isinstance(node, ast.ImportFrom) and name == "solutions":
                    offences += [f"{path.relative_to(ROOT)} imports solutions.{a.name}" for a in node.names
                                 if f"solutions.{a.name}" not in allowed]
    assert offences == []
