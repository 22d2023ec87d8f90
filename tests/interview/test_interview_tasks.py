"""The coding-task contract: a task folder loads or says what is wrong, grading runs in a child process that
survives the candidate's crash or endless loop, and a wrong solution documents the checks it fails."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from interview.tasks import Check, TaskError, Verdict, bank, check_here, expected_failures, grade

CHECKS = '''
from interview.tasks import Check, import_file

def check(solution):
    try:
        module = import_file(solution)
        value = module.double(21)
    except Exception as error:
        return [Check("runs", False, f"{type(error).__name__}: {error}"), Check("doubles", False, "did not run")]
    return [Check("runs", True), Check("doubles", value == 42, f"double(21) returned {value!r}, expected 42")]
'''


def _task(root: Path, **files: str) -> Path:
    folder = root / "python" / "double"
    folder.mkdir(parents=True)
    defaults = {
        "task.toml": 'title = "Double"\nminutes = 5\ntags = ["testing"]\nteaches = ["README.md"]\nfile = "double.py"\n',
        "prompt.md": "Write double(x).", "starter.py": "def double(x):\n    raise NotImplementedError\n",
        "checks.py": CHECKS, "reference.py": "def double(x):\n    return 2 * x\n",
    }
    for name, text in {**defaults, **files}.items():
        (folder / name).write_text(text)
    return folder


def test_a_task_folder_loads_with_its_metadata(tmp_path):
    _task(tmp_path)
    task = bank("python", tmp_path)["double"]
    assert (task.title, task.minutes, task.tags, task.file) == ("Double", 5, ("testing",), "double.py")
    assert task.starter.startswith("def double")


@pytest.mark.parametrize(("files", "message"), [
    ({"task.toml": 'title = "x"\n'}, "KeyError"),
    ({"task.toml": "title = \n"}, "TOMLDecodeError"),
    ({"task.toml": 'title="x"\nminutes=1\ntags=[]\nteaches=["nowhere.md"]\nfile="x.py"\n'}, "do not exist"),
])
def test_a_broken_task_folder_is_named_with_what_is_wrong(tmp_path, files, message):
    _task(tmp_path, **files)
    with pytest.raises(TaskError, match=message):
        bank("python", tmp_path)


def test_a_missing_file_is_named(tmp_path):
    (_task(tmp_path) / "checks.py").unlink()
    with pytest.raises(TaskError, match="checks.py is missing"):
        bank("python", tmp_path)


def test_the_score_is_the_share_of_checks_passed():
    verdict = Verdict("t", (Check("a", True), Check("b", False, "why"), Check("c", True), Check("d", True)))
    assert (verdict.passed, verdict.score, [c.name for c in verdict.failures]) == (False, 0.75, ["b"])
    assert Verdict.from_json(verdict.to_json()) == verdict
    assert Verdict("t", error="boom").score == 0.0 and not Verdict("t").passed


def test_checks_run_in_process_and_in_a_child(tmp_path):
    _task(tmp_path)
    task = bank("python", tmp_path)["double"]
    assert check_here(task, task.reference).passed
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def double(x):\n    return x + x + 1\n")
    child = grade(task, wrong)
    assert child.error is None and [c.name for c in child.failures] == ["doubles"]
    assert "returned 43" in child.failures[0].detail


def test_an_endless_loop_is_stopped_by_the_time_budget(tmp_path):
    _task(tmp_path)
    task = bank("python", tmp_path)
    loop = tmp_path / "loop.py"
    loop.write_text("while True:\n    pass\n")
    verdict = grade(task["double"], loop, timeout=3)
    assert verdict.error is not None and "longer than 3 s" in verdict.error and verdict.score == 0.0


def test_a_missing_answer_file_says_where_to_write(tmp_path):
    _task(tmp_path)
    task = bank("python", tmp_path)
    verdict = grade(task["double"], tmp_path / "double.py")
    assert verdict.error is not None and "write your answer there" in verdict.error


@pytest.mark.parametrize(("docstring", "names"), [
    ("Fails: doubles - adds one", ["doubles"]),
    ("Fails: no lost records, no duplicates - pages twice", ["no lost records", "no duplicates"]),
])
def test_a_wrong_solution_names_the_checks_it_fails(tmp_path, docstring, names):
    wrong = tmp_path / "wrong_x.py"
    wrong.write_text(f'"""{docstring}\n\nMore text."""\n')
    assert expected_failures(wrong) == names


@pytest.mark.parametrize("source", ["x = 1\n", '"""Adds one."""\n', '"""Fails: doubles"""\n'])
def test_a_wrong_solution_without_its_reason_is_refused(tmp_path, source):
    wrong = tmp_path / "wrong_x.py"
    wrong.write_text(textwrap.dedent(source))
    with pytest.raises(TaskError, match="must start 'Fails:"):
        expected_failures(wrong)


def test_the_banks_hold_what_the_interview_draws_from():
    from interview.design import prompts

    sizes = {"python": len(bank("python")), "dag": len(bank("dag")), "design": len(prompts())}
    assert sizes["python"] >= 12 and sizes["dag"] >= 8 and sizes["design"] >= 10, sizes
