"""Build the SQL round's notebooks from the bank: notebook 14 (how the round works, the tables, the map of the
groups) and one notebook per group of drills (a bank file), each with a prompt, a SQL cell and a grading cell
per drill.

    python -m drills.notebook              # notebooks/14_sql_drills.ipynb and notebooks/3N_sql_*.ipynb
    python -m drills.notebook OUT_DIR      # the same files, elsewhere

Only a notebook whose cells changed is rewritten (without outputs), so the others keep their stored outputs.

Cell ids are derived from drill ids, so rebuilding after a bank change keeps the ids of unchanged drills;
execute the results afterwards (``jupyter nbconvert --to notebook --execute --inplace``) so outputs are stored.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import bank

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
HUB = "14_sql_drills.ipynb"
PLACEHOLDER = "-- write your Snowflake SQL here"


@dataclass(frozen=True)
class Group:
    """A bank file's notebook: its number, file name and what it practises."""

    number: int
    slug: str
    title: str
    about: str

    @property
    def filename(self) -> str:
        return f"{self.number}_sql_{self.slug}.ipynb"


# bank group (the file name after its number) -> its notebook
GROUPS: dict[str, Group] = {
    "aggregation_joins": Group(
        30,
        "aggregation_and_joins",
        "SQL drills: aggregation, HAVING, semi- and anti-joins, NULL traps",
        "GROUP BY and HAVING, COUNT(*) against COUNT(column), zeros for empty groups, EXISTS and NOT EXISTS, "
        "NOT IN over a NULL, self-joins, comparisons with NULL.",
    ),
    "windows": Group(
        31,
        "window_functions",
        "SQL drills: ranking, LAG, running totals and window frames",
        "RANK, DENSE_RANK and ROW_NUMBER and when each is right, top-N per group with QUALIFY, LAG across "
        "missing months, running totals, ROWS against the default RANGE frame, moving averages.",
    ),
    "dates_and_series": Group(
        32,
        "dates_and_series",
        "SQL drills: gaps and islands, sessions, date spines, cohorts, time zones",
        "Streaks, sessionization by a time gap, date spines and missing days, period grids, cohort retention, "
        "days in a month, local time with daylight saving time.",
    ),
    "json_money_stats": Group(
        33,
        "json_money_and_stats",
        "SQL drills: semi-structured JSON, money, percentiles, funnels",
        "VARIANT paths, FLATTEN and LATERAL, integer division and rounding of money, MEDIAN and percentiles, "
        "pivots and funnels.",
    ),
    "merge": Group(
        34,
        "merge",
        "SQL drills: MERGE upserts, SCD2, idempotent loads",
        "One MERGE per drill, run on a copy: deduplicated upserts, a type 2 history, insert-only loads, an "
        "aggregated source, update or delete and the order of WHEN clauses.",
    ),
    "more_windows": Group(
        35,
        "more_window_functions",
        "SQL drills: more window functions, one row per group, LISTAGG",
        "DENSE_RANK levels, LEAD, shares of a total, FIRST_VALUE and LAST_VALUE frames, first row per group, "
        "the latest version of a record, LAG with NULLs.",
    ),
    "reshaping_and_nulls": Group(
        36,
        "reshaping_and_nulls",
        "SQL drills: PIVOT, UNPIVOT and NULL semantics",
        "PIVOT and conditional aggregation, UNPIVOT with and without NULLs, CASE and NULL, concatenation with "
        "NULL, division by zero.",
    ),
    "clinic_metrics": Group(
        37,
        "clinic_metrics",
        "SQL drills: clinic metrics, mixed",
        "The questions a clinic asks, each mixing the patterns: hours, new and returning clients, relational "
        "division, a reconciliation without join fan-out, pay rounded once.",
    ),
}

HOW_TO = """Write a query between the triple quotes of a drill's SQL cell and run the grading cell below it.
Your query runs on the **visible** dataset and on **hidden** datasets with the edge cases the drill is about;
exactly one read-only statement is accepted (MERGE drills: one `MERGE INTO` their target, run on a copy).
Graded attempts are saved to your progress store (the one `kit-quiz` uses); failed drills come back after 1, 3
and 7 days. In a terminal, `kit-drill show ID --solution` shows the reference, alternatives and common mistakes.
How the round works and what the tables hold: [notebook 14](14_sql_drills.ipynb)."""

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

The drills run on their own small, private fakesnow database: no `sim.start()` is needed. This notebook shows
the tables and how a grade reads; the drills themselves are in one notebook per group (the map below). Graded
attempts are saved to your progress store (the one `kit-quiz` uses); failed drills come back after 1, 3 and 7
days. In a terminal, `kit-drill` lists, shows and checks the same drills
(see [`drills/cli.py`](../drills/cli.py)).
"""

TABLES = """## The tables (visible dataset)

`CLINICIANS`, `CLIENTS`, `APPOINTMENTS` (APPOINTMENT_TS is UTC, TIMESTAMP_NTZ), `PAYMENTS`, and
`RAW_APPOINTMENTS` (the partner's JSON in a VARIANT column `RAW_DATA`, with `LOADED_AT`). The hidden datasets
have the same tables with other rows.
"""

EXAMPLE = """## How a grade reads

A plausible answer to `clients-never-booked` ("which clients have no appointment at all?") uses `NOT IN`. It
returns the right rows on the visible data; on a hidden dataset where an appointment has no client, the
`NULL` in the subquery makes `NOT IN` unknown for every client. The grader names the kind of case, never the
rows (`record=False`: this example is not saved as your attempt):
"""

EXAMPLE_SQL = '''check(
    "clients-never-booked",
    "SELECT client_id, client_name FROM clients WHERE client_id NOT IN (SELECT client_id FROM appointments)",
    record=False,
)'''


def _var(drill_id: str) -> str:
    return "sql_" + re.sub(r"\W", "_", drill_id)


def _new(cells: list):
    import nbformat
    from nbformat.v4 import new_notebook

    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.validate(nb)
    return nb


def _mix(drills: list[bank.Drill]) -> str:
    counts = {level: sum(d.difficulty == level for d in drills) for level in bank.DIFFICULTIES}
    return ", ".join(f"{n} {level}" for level, n in counts.items() if n)


def groups_of(drills: list[bank.Drill]) -> dict[str, list[bank.Drill]]:
    """The drills of each group, in bank order; a group without a notebook is a bank error."""
    grouped: dict[str, list[bank.Drill]] = {}
    for d in drills:
        if d.group not in GROUPS:
            raise bank.BankError(f"drill '{d.id}': group '{d.group}' has no notebook in drills.notebook.GROUPS")
        grouped.setdefault(d.group, []).append(d)
    return grouped


def build_hub(drills: list[bank.Drill]):
    """Notebook 14: the round explained, the tables, one graded example and the map of the group notebooks."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    rows = [
        f"| {GROUPS[g].number} | [{GROUPS[g].title.removeprefix('SQL drills: ')}]({GROUPS[g].filename}) "
        f"| {len(ds)} ({_mix(ds)}) |"
        for g, ds in groups_of(drills).items()
    ]
    groups = (
        f"## The drills: {len(drills)}, one notebook per group\n\n"
        "| # | Group | Drills |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    return _new(
        [
            new_markdown_cell(INTRO, id="intro"),
            new_code_cell('from drills import check, preview\n\npreview("CLINICIANS")', id="setup"),
            new_markdown_cell(TABLES, id="tables"),
            new_code_cell('preview("APPOINTMENTS", limit=8)', id="appointments"),
            new_code_cell('preview("PAYMENTS", limit=5)', id="payments"),
            new_code_cell('preview("RAW_APPOINTMENTS", limit=2)', id="raw"),
            new_markdown_cell(EXAMPLE, id="example"),
            new_code_cell(EXAMPLE_SQL, id="example-check"),
            new_markdown_cell(groups, id="groups"),
        ]
    )


def build_group(group: str, drills: list[bank.Drill]):
    """The notebook of one group: its drills, each a prompt, a SQL cell and a grading cell."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    g = GROUPS[group]
    head = (
        f"# {g.number} · {g.title}\n\n{g.about}\n\n{len(drills)} drills ({_mix(drills)}), from "
        f"[`drills/bank/`](../drills/bank/).\n\n{HOW_TO}"
    )
    cells = [new_markdown_cell(head, id="intro"), new_code_cell("from drills import check", id="setup")]
    for d in drills:
        order = "the order of rows matters" if d.ordered else "rows in any order"
        extra = f" Numbers are compared within {d.tolerance:g}." if d.tolerance else ""
        if d.kind == "merge":
            extra += f" Write one `MERGE INTO {d.target}`; its rows afterwards are compared."
        text = (
            f"## {d.title}\n`{d.id}` · {d.difficulty} · {', '.join(d.tags)}\n\n{d.prompt}\n\n"
            f"Columns: `{', '.join(d.columns)}` ({order}).{extra}"
        )
        cells.append(new_markdown_cell(text, id=f"{d.id}-prompt"[:64]))
        cells.append(new_code_cell(f'{_var(d.id)} = """\n{PLACEHOLDER}\n"""', id=f"{d.id}-sql"[:64]))
        cells.append(new_code_cell(f'check("{d.id}", {_var(d.id)})', id=f"{d.id}-check"[:64]))
    return _new(cells)


def build_all(drills: list[bank.Drill] | None = None) -> dict[str, object]:
    """File name -> unexecuted notebook, for notebook 14 and every group."""
    drills = bank.load() if drills is None else drills
    notebooks = {HUB: build_hub(drills)}
    for group, ds in groups_of(drills).items():
        notebooks[GROUPS[group].filename] = build_group(group, ds)
    return notebooks


def main(argv: list[str] | None = None) -> int:
    import nbformat

    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1:
        print("usage: python -m drills.notebook [OUT_DIR]", file=sys.stderr)
        return 1
    out = Path(args[0]) if args else NOTEBOOKS
    if not out.is_dir():
        print(f"drills.notebook: {out} is not a directory", file=sys.stderr)
        return 1
    for name, nb in build_all().items():
        path = out / name
        if path.exists() and _cells(nbformat.read(path, as_version=4)) == _cells(nb):
            print(f"{path}: unchanged (its stored outputs kept)")
            continue
        nbformat.write(nb, path)
        print(f"{path}: written, execute it to store its outputs")
    return 0


def _cells(nb) -> list[tuple[str, str, str]]:
    return [(c.id, c.cell_type, c.source) for c in nb.cells]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
