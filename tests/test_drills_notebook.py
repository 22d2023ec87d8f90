"""The drill notebook matches the bank, and check() behaves in a notebook: calm when not attempted, saving
graded attempts to the progress store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import nbformat

from drills import bank, check
from drills.notebook import PLACEHOLDER, build

NOTEBOOK = Path(__file__).parents[1] / "notebooks" / "14_sql_drills.ipynb"


def test_the_shipped_notebook_has_every_drill_unattempted_and_is_in_sync():
    shipped = nbformat.read(NOTEBOOK, as_version=4)
    fresh = build(bank.load())
    assert [(c.id, c.source) for c in shipped.cells] == [(c.id, c.source) for c in fresh.cells], (
        "rebuild with: python -m drills.notebook notebooks/14_sql_drills.ipynb, then execute it"
    )
    checks = [c for c in shipped.cells if c.cell_type == "code" and c.source.startswith("check(")]
    assert len(checks) == len(bank.load())
    for cell in checks:
        printed = "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream")
        assert (
            printed
            == f"{cell.source.split(chr(34))[1]}: not attempted yet. Write your query, then run this again.\n"
        )


def test_check_saves_graded_attempts_only(tmp_path, capsys):
    store = tmp_path / "progress.sqlite3"
    check("clients-never-booked", f"\n{PLACEHOLDER}\n", store=store)
    assert "not attempted yet" in capsys.readouterr().out
    assert not store.exists()

    drill = bank.by_id()["clients-never-booked"]
    check("clients-never-booked", drill.solution, store=store)
    assert "passed on the visible data and 6 hidden cases" in capsys.readouterr().out
    rows = sqlite3.connect(store).execute("SELECT drill_id, passed, stage FROM drill_attempts").fetchall()
    assert rows == [("clients-never-booked", 1, "passed")]
