"""scripts/work_copy.py: the candidate's copy of the notebooks, synced with the kit without losing a cell."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import work_copy  # noqa: E402

KIT = ROOT / "notebooks"


def cell(cell_id: str, source: str, kind: str = "code", outputs: list | None = None) -> dict:
    made = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": source}
    if kind == "code":
        made |= {"execution_count": None, "outputs": outputs or []}
    return made


def notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def save(path: Path, nb: dict) -> Path:
    work_copy.write(path, nb)
    return path


def sources(path: Path) -> list[tuple[str, str]]:
    return [(c["id"], "".join(c["source"])) for c in json.loads(path.read_text())["cells"]]


@pytest.fixture
def dirs(tmp_path):
    kit, work = tmp_path / "notebooks", tmp_path / "work"
    kit.mkdir()
    return kit, work


def test_first_sync_copies_every_kit_notebook_and_only_notebooks(dirs):
    kit, work = dirs
    save(kit / "00_start.ipynb", notebook(cell("a", "print(1)")))
    save(kit / "01_next.ipynb", notebook(cell("b", "print(2)")))
    (kit / "CONVENTIONS.md").write_text("not a lesson")
    report = work_copy.sync(kit, work)
    assert report.added == ["00_start.ipynb", "01_next.ipynb"]
    assert sorted(p.name for p in work.glob("*")) == [".kit", "00_start.ipynb", "01_next.ipynb"]
    assert (work / "00_start.ipynb").read_bytes() == (kit / "00_start.ipynb").read_bytes()
    assert work_copy.sync(kit, work).lines() == []  # nothing changed: nothing to say, nothing written


def test_a_kit_update_never_overwrites_an_edited_cell(dirs):
    kit, work = dirs
    base = notebook(cell("intro", "# Lesson", "markdown"), cell("ex", "raise NotImplementedError"),
                    cell("grade", "grade(fn)", outputs=[{"output_type": "stream", "name": "stdout",
                                                         "text": "NOT ATTEMPTED\n"}]),
                    cell("both", "x = 1"), cell("gone", "old()"), cell("mine_deleted", "y = 2"))
    save(kit / "05_x.ipynb", base)
    work_copy.sync(kit, work)

    mine = json.loads((work / "05_x.ipynb").read_text())
    cells = {c["id"]: c for c in mine["cells"]}
    cells["ex"]["source"] = "def fn():\n    return 42"  # the candidate solves the exercise
    cells["grade"]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "PASSED\n"}]  # runs it
    cells["both"]["source"] = "x = 2  # my note"
    note = cell("note", "my own scratch cell")
    mine["cells"] = [cells[i] for i in ("intro", "ex", "grade", "both", "gone")]
    mine["cells"].insert(2, note)  # a cell of their own after the exercise; "mine_deleted" deleted
    save(work / "05_x.ipynb", mine)

    update = notebook(cell("intro", "# Lesson, revised", "markdown"), cell("ex", "raise NotImplementedError"),
                      cell("grade", "grade(fn, show=True)"), cell("new", "print('new in the kit')"),
                      cell("both", "x = 10"), cell("mine_deleted", "y = 3"))
    save(kit / "05_x.ipynb", update)
    report = work_copy.sync(kit, work)

    assert sources(work / "05_x.ipynb") == [
        ("intro", "# Lesson, revised"),  # unedited: the kit's new version
        ("ex", "def fn():\n    return 42"),  # edited: theirs
        ("note", "my own scratch cell"),  # theirs, where they put it
        ("grade", "grade(fn, show=True)"),  # only run, not edited: the kit's new version
        ("new", "print('new in the kit')"),  # new in the kit
        ("both", "x = 2  # my note"),  # changed on both sides: theirs, and reported
    ]  # "gone": removed from the kit and never edited; "mine_deleted": stays deleted
    assert report.updated == ["05_x.ipynb: 4 cell(s) from the kit"]
    assert report.kept == ["05_x.ipynb: cell both (code: x = 10)",
                           "05_x.ipynb: cell mine_deleted (code: y = 3): you deleted it, the kit changed it"]
    assert json.loads((work / ".kit" / "05_x.ipynb").read_text()) == update  # the new base
    assert work_copy.sync(kit, work).lines() == []


def test_an_edited_cell_the_kit_removed_stays(dirs):
    kit, work = dirs
    save(kit / "03_x.ipynb", notebook(cell("a", "a()"), cell("b", "b()"), cell("c", "c()")))
    work_copy.sync(kit, work)
    mine = json.loads((work / "03_x.ipynb").read_text())
    mine["cells"][1]["source"] = "b()  # I rely on this"
    save(work / "03_x.ipynb", mine)
    save(kit / "03_x.ipynb", notebook(cell("a", "a()"), cell("c", "c2()")))
    work_copy.sync(kit, work)
    assert sources(work / "03_x.ipynb") == [("a", "a()"), ("b", "b()  # I rely on this"), ("c", "c2()")]


def test_a_copy_without_a_record_of_its_kit_version_is_left_alone(dirs):
    kit, work = dirs
    save(kit / "07_x.ipynb", notebook(cell("a", "kit()")))
    save(work / "07_x.ipynb", notebook(cell("a", "my own file()")))
    report = work_copy.sync(kit, work)
    assert report.unknown == ["07_x.ipynb"] and sources(work / "07_x.ipynb") == [("a", "my own file()")]
    assert "not synced" in report.lines()[0]


def test_a_damaged_notebook_is_named_and_nothing_is_written(dirs):
    kit, work = dirs
    save(kit / "02_x.ipynb", notebook(cell("a", "a()")))
    work_copy.sync(kit, work)
    (work / "02_x.ipynb").write_text("{ half a notebook")
    save(kit / "02_x.ipynb", notebook(cell("a", "a2()")))
    with pytest.raises(SystemExit, match=r"cannot read notebook .*work/02_x.ipynb"):
        work_copy.sync(kit, work)
    assert (work / "02_x.ipynb").read_text() == "{ half a notebook"


def test_the_kit_notebooks_sync_and_make_lab_opens_the_working_copy(tmp_path):
    work = tmp_path / "work"
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "work_copy.py"), "--work", str(work)],
                         capture_output=True, text=True, check=True).stdout
    shipped = sorted(p.name for p in KIT.glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in work.glob("*.ipynb")) == shipped and f"({len(shipped)} notebooks;" in out
    config = (ROOT / "jupyter" / "jupyter_server_config.py").read_text()
    assert 'default_url = "/lab/tree/work/00_start_here.ipynb"' in config
    assert "/work/" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.slow
def test_a_solved_exercise_in_the_working_copy_leaves_make_test_green(tmp_path):
    """Solve notebook 09's first exercise in a working copy and execute it, as JupyterLab would save it;
    the shipped notebook stays byte for byte what it was, and `make test`'s nbval run of it passes."""
    import nbformat
    from nbconvert.preprocessors import ExecutePreprocessor

    name = "09_rate_limiting.ipynb"
    shipped = KIT / name
    before = hashlib.sha256(shipped.read_bytes()).hexdigest()
    work = tmp_path / "work"
    work_copy.sync(KIT, work)

    nb = nbformat.read(work / name, as_version=4)
    exercise = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("class Bucket:"))
    exercise.source = (
        "class Bucket:\n"
        "    def __init__(self, rate, capacity, clock):\n"
        "        self.rate, self.capacity, self.clock = rate, capacity, clock\n"
        "        self.tokens, self.at = float(capacity), clock.monotonic()\n\n"
        "    def try_acquire(self):\n"
        "        now = self.clock.monotonic()\n"
        "        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)\n"
        "        self.at = now\n"
        "        if self.tokens >= 1:\n"
        "            self.tokens -= 1\n"
        "            return True\n"
        "        return False\n")
    ExecutePreprocessor(timeout=120, allow_errors=True).preprocess(nb, {"metadata": {"path": str(work)}})
    nbformat.write(nb, work / name)
    grader = nb.cells[nb.cells.index(exercise) + 1]
    printed = "".join(o.get("text", "") for o in grader.outputs)
    assert "token_bucket: PASSED" in printed, printed

    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == before
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with", "notebooks/sanitize.cfg",
         f"notebooks/{name}", "-q", "-p", "no:cacheprovider"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert work_copy.sync(KIT, work).lines() == []  # and the solution stays in the working copy
    assert "self.tokens -= 1" in (work / name).read_text()
