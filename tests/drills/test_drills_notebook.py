"""The SQL round's notebooks match the bank (notebook 14 and one notebook per group, every drill in its
group's notebook, unattempted), and check() behaves in a notebook: calm when not attempted, saving graded
attempts to the progress store."""

from __future__ import annotations

import sqlite3

import nbformat
import pytest

from drills import bank, check
from drills.notebook import GROUPS, HUB, NOTEBOOKS, PLACEHOLDER, build_all, main

FRESH = build_all()
REBUILD = "rebuild with: python -m drills.notebook, then execute the notebooks (bash reexec or nbconvert)"


@pytest.mark.parametrize("name", FRESH)
def test_each_shipped_notebook_is_in_sync_with_the_bank(name):
    shipped = nbformat.read(NOTEBOOKS / name, as_version=4)
    assert [(c.id, c.source) for c in shipped.cells] == [(c.id, c.source) for c in FRESH[name].cells], REBUILD


def test_every_drill_is_in_its_groups_notebook_unattempted():
    seen = []
    for group in GROUPS.values():
        cells = nbformat.read(NOTEBOOKS / group.filename, as_version=4).cells
        assert cells[0].source.startswith(f"# {group.number} · "), "notebook 00's map reads this first line"
        for cell in (c for c in cells if c.cell_type == "code" and c.source.startswith("check(")):
            drill_id = cell.source.split('"')[1]
            seen.append(drill_id)
            printed = "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream")
            assert printed == f"{drill_id}: not attempted yet. Write your query, then run this again.\n"
    assert sorted(seen) == sorted(d.id for d in bank.load())


def test_the_hub_links_every_group_notebook_and_shows_a_hidden_failure():
    cells = nbformat.read(NOTEBOOKS / HUB, as_version=4).cells
    text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for group in GROUPS.values():
        assert f"]({group.filename})" in text
    example = next(c for c in cells if c.id == "example-check")
    printed = "".join(o["text"] for o in example.outputs if o["output_type"] == "stream")
    assert printed.startswith("clients-never-booked: right on the visible data, but wrong on a hidden case")


def test_the_generator_writes_changed_notebooks_only_and_refuses_a_missing_directory(tmp_path, capsys):
    assert main([str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FRESH)
    assert capsys.readouterr().out.count("written, execute it") == len(FRESH)
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("unchanged (its stored outputs kept)") == len(FRESH)
    assert main([str(tmp_path / "nope")]) == 1
    assert "is not a directory" in capsys.readouterr().err


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

    check("clients-never-booked", drill.wrong[0].sql, store=store, record=False)
    assert "wrong on a hidden case" in capsys.readouterr().out
    assert len(sqlite3.connect(store).execute("SELECT * FROM drill_attempts").fetchall()) == 1

