"""Build the drill notebook(s) from the bank: a prompt, a SQL cell and a grading cell per drill.

    python -m drills.notebook notebooks/14_sql_drills.ipynb

Cell ids are derived from drill ids, so rebuilding after a bank change keeps the ids of unchanged drills;
execute the result afterwards (``jupyter nbconvert --to notebook --execute --inplace``) so outputs are stored.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from . import bank

INTRO = """# 14 · The SQL round: drills in Snowflake's dialect, graded on hidden data

Almost every data-engineering loop has a live SQL round. These drills are written in **Snowflake SQL** on the
clinic's tables (the same ones the simulated warehouse holds) and are graded offline:

* your query runs on the **visible** dataset (what `preview` shows) and on **hidden** datasets built from
  seeds with the edge cases each drill is about: NULLs, ties, duplicates, empty groups, a single row, month
  ends and time zones. On the visible data a failure shows the first differing rows; on hidden data only
  which kind of case failed, so a query cannot fit the sample by accident;
* rows compare as sets unless the prompt asks for an order, numbers within the stated tolerance, column
  names as the prompt gives them;
* exactly one read-only statement (`SELECT` / `WITH`) is accepted, with a time limit; MERGE drills take one
  `MERGE INTO` their target and run it on a copy. Nothing you run can change the data.

The drills run on their own small, private fakesnow database: this notebook needs no `sim.start()`.
Write a query between the triple quotes of a drill's SQL cell and run the grading cell below it. Graded
attempts are saved to your progress store (the one `kit-quiz` uses); failed drills come back after 1, 3 and
7 days. In a terminal, `kit-drill show ID --solution` shows the reference, alternatives and common mistakes
once you have tried.
"""

TABLES = """## The tables (visible dataset)

`CLINICIANS`, `CLIENTS`, `APPOINTMENTS` (APPOINTMENT_TS is UTC, TIMESTAMP_NTZ), `PAYMENTS`, and
`RAW_APPOINTMENTS` (the partner's JSON in a VARIANT column `RAW_DATA`, with `LOADED_AT`). The hidden datasets
have the same tables with other rows.
"""

PLACEHOLDER = "-- write your Snowflake SQL here"


def _var(drill_id: str) -> str:
    return "sql_" + re.sub(r"\W", "_", drill_id)


def build(drills: list[bank.Drill]):
    """The notebook for ``drills``, unexecuted."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    cells = [
        new_markdown_cell(INTRO, id="intro"),
        new_code_cell('from drills import check, preview\n\npreview("CLINICIANS")', id="setup"),
        new_markdown_cell(TABLES, id="tables"),
        new_code_cell('preview("APPOINTMENTS", limit=8)', id="appointments"),
        new_code_cell('preview("PAYMENTS", limit=5)', id="payments"),
        new_code_cell('preview("RAW_APPOINTMENTS", limit=2)', id="raw"),
    ]
    group = None
    for d in drills:
        if d.group != group:
            group = d.group
            cells.append(new_markdown_cell(f"## {group.replace('_', ' ').capitalize()}", id=f"group-{group}"))
        order = "the order of rows matters" if d.ordered else "rows in any order"
        extra = f" Numbers are compared within {d.tolerance:g}." if d.tolerance else ""
        if d.kind == "merge":
            extra += f" Write one `MERGE INTO {d.target}`; its rows afterwards are compared."
        text = (
            f"### {d.title}\n`{d.id}` · {d.difficulty} · {', '.join(d.tags)}\n\n{d.prompt}\n\n"
            f"Columns: `{', '.join(d.columns)}` ({order}).{extra}"
        )
        cells.append(new_markdown_cell(text, id=f"{d.id}-prompt"[:64]))
        cells.append(new_code_cell(f'{_var(d.id)} = """\n{PLACEHOLDER}\n"""', id=f"{d.id}-sql"[:64]))
        cells.append(new_code_cell(f'check("{d.id}", {_var(d.id)})', id=f"{d.id}-check"[:64]))
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


def main(argv: list[str] | None = None) -> int:
    import nbformat

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m drills.notebook OUT.ipynb", file=sys.stderr)
        return 1
    nbformat.write(build(bank.load()), Path(args[0]))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
