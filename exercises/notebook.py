"""What every notebook uses to look at the kit's code and DAGs, so no notebook redefines it.

    from exercises.notebook import show, show_dag, dag_file, draw

    show(run_quality_checks)          # the source of a function, class or module of solutions/ (the code is the
                                      # truth, not a copy), highlighted in JupyterLab
    show_dag("branch_on_volume")      # a kit DAG file from solutions/dags, the file a real scheduler would load
    path = dag_file("my_dag", source) # DAG source written from a notebook where the sim's runner loads it
    world.run_dag(path, "2025-10-01T02:00:00+00:00")
    draw(dag)                         # the DAG's real graph (from dag.task_dict) as a Mermaid diagram
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from IPython.display import Code, display

from sim.lazy_iri import defer_iri_grammar

defer_iri_grammar()  # notebooks import this module first: Airflow then starts about 1 s sooner (see sim.lazy_iri)


def show(obj: Any) -> None:
    """Display the source of a module, class or function (``inspect.getsource``): what runs is what you read."""
    display(Code(inspect.getsource(obj), language="python"))


def show_dag(name: str) -> None:
    """Display the kit's DAG file ``solutions/dags/<name>.py``."""
    show(importlib.import_module(f"solutions.dags.{name}"))


def dag_file(name: str, source: str) -> Path:
    """Write DAG source from a notebook to ``<name>.py`` in the running sim's run folder (removed by
    ``sim.stop()``), where the sim's runner loads it; returns the path, for ``world.run_dag``."""
    import sim

    path = sim.current().run_dir / f"{name}.py"
    path.write_text(source)
    return path


def draw(dag: Any) -> None:
    """Display the DAG's real graph as a Mermaid diagram: drawn by JupyterLab (and GitHub), text elsewhere."""
    from solutions.dag_inspect import mermaid

    source = mermaid(dag, fenced=False)
    display({"text/vnd.mermaid": source, "text/markdown": f"```mermaid\n{source}\n```", "text/plain": source},
            raw=True)
