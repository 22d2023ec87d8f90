"""The notebook 25 graders accept the reference answers and correct alternatives, and reject plausible wrong
answers for the documented reason."""

from __future__ import annotations

import functools

import pytest

from exercises import dbt_software as ex
from exercises.grading import failed_exactly


def not_attempted(*args, **kwargs):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_modified_plus, ex.grade_slim_ci_command])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- modified_plus -------------------------------------------------------------------------------------------


def recursive(edges, modified):
    """Correct: recursion over the children."""
    def down(node):
        return {node}.union(*(down(child) for parent, child in edges if parent == node))
    return set().union(*(down(m) for m in modified))


def fixed_point(edges, modified):
    """Correct: grow the set until no edge adds a node (returns a list)."""
    selected = set(modified)
    while True:
        grown = selected | {child for parent, child in edges if parent in selected}
        if grown == selected:
            return sorted(selected)
        selected = grown


def with_networkx_style_bfs(edges, modified):
    """Correct: breadth-first from every modified node at once."""
    import collections

    queue, seen = collections.deque(modified), set(modified)
    while queue:
        node = queue.popleft()
        for parent, child in edges:
            if parent == node and child not in seen:
                seen.add(child)
                queue.append(child)
    return frozenset(seen)


def only_modified(edges, modified):
    """Wrong: `state:modified` without the +: the children are not rebuilt."""
    return set(modified)


def direct_children_only(edges, modified):
    """Wrong: one level down, not every descendant."""
    return set(modified) | {child for parent, child in edges if parent in modified}


def ancestors_instead(edges, modified):
    """Wrong: +state:modified (the parents), not state:modified+."""
    selected, todo = set(), list(modified)
    while todo:
        node = todo.pop()
        if node not in selected:
            selected.add(node)
            todo.extend(parent for parent, child in edges if child == node)
    return selected


def both_directions(edges, modified):
    """Wrong: +state:modified+ rebuilds the parents too (the work --defer saves)."""
    return ancestors_instead(edges, modified) | ex.modified_plus(edges, modified)


@pytest.mark.parametrize("fn", [ex.modified_plus, recursive, fixed_point, with_networkx_style_bfs])
def test_modified_plus_accepts_correct_answers(fn):
    assert ex.grade_modified_plus(fn, show=False).passed


ALL_BUT_THE_LEAF = ["a model and its children", "the parents are not rebuilt", "a model reached twice",
                    "two changes", "a changed source", "the edges in any order"]


@pytest.mark.parametrize(("fn", "reasons"), [
    (only_modified, ALL_BUT_THE_LEAF),
    (direct_children_only, ALL_BUT_THE_LEAF),
    (ancestors_instead, ["a leaf: only itself", *ALL_BUT_THE_LEAF]),
    (both_directions, ["a leaf: only itself", *[r for r in ALL_BUT_THE_LEAF if r != "a changed source"]]),
])
def test_modified_plus_rejects_wrong_answers(fn, reasons):
    assert failed_exactly(ex.grade_modified_plus(fn, show=False), *reasons)


def test_modified_plus_rejects_a_wrong_return_type():
    result = ex.grade_modified_plus(lambda edges, modified: None, show=False)
    assert not result.passed and "return the selected nodes as a set" in "\n".join(result.lines)


# -- slim_ci_command -----------------------------------------------------------------------------------------


def command(text):
    return functools.partial(lambda t: t, text)


@pytest.mark.parametrize("text", [
    ex.slim_ci_command(),
    "dbt build -s state:modified+ --defer --state prod-artifacts",
    "build --defer --state ./prod-artifacts --select 'state:modified+' --fail-fast",
    "dbt build --select state:modified+ --defer --favor-state --state /ci/prod-artifacts --target ci",
])
def test_slim_ci_accepts_correct_commands(text):
    assert ex.grade_slim_ci_command(command(text), show=False).passed


@pytest.mark.parametrize(("text", "reasons"), [
    ("dbt run --select state:modified+ --defer --state prod-artifacts", ["dbt build"]),
    ("dbt build --select state:modified --defer --state prod-artifacts", ["selects state:modified+"]),
    ("dbt build --select state:modified+ --state prod-artifacts", ["defers to production"]),
    ("dbt build --select state:modified+ --defer --state target", ["compares with production's manifest"]),
    ("dbt build --defer --state prod-artifacts", ["selects state:modified+"]),
])
def test_slim_ci_rejects_wrong_commands(text, reasons):
    assert failed_exactly(ex.grade_slim_ci_command(command(text), show=False), *reasons)


def test_slim_ci_explains_why_the_plus_matters():
    result = ex.grade_slim_ci_command(command("dbt build --select state:modified --defer --state prod-artifacts"),
                                      show=False)
    assert "downstream of a change are not rebuilt" in "\n".join(result.lines)


def test_slim_ci_reports_what_dbt_rejects():
    result = ex.grade_slim_ci_command(command("dbt build --selct state:modified+"), show=False)
    assert not result.passed and "dbt rejects the command line" in "\n".join(result.lines)


# -- the notebook's helpers ----------------------------------------------------------------------------------


class FakeWorld:
    def __init__(self, run_dir):
        self.run_dir = run_dir


def test_a_pull_request_is_a_copy_with_the_change(tmp_path):
    checkout = ex.open_pull_request(FakeWorld(tmp_path), {"models/marts/daily_revenue.sql": (
        "where STATUS = 'completed'", "where STATUS <> 'cancelled'")})
    assert "STATUS <> 'cancelled'" in (checkout / "models/marts/daily_revenue.sql").read_text()
    assert "STATUS = 'completed'" in (ex.PROJECT_DIR / "models/marts/daily_revenue.sql").read_text()


def test_a_change_that_does_not_apply_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="daily_revenue.sql: the text to change occurs 0 times"):
        ex.open_pull_request(FakeWorld(tmp_path), {"models/marts/daily_revenue.sql": ("no such text", "x")})


def test_the_run_order_is_read_from_the_last_command_only(tmp_path):
    (tmp_path / "dbt.log").write_text(
        "10:00:00 Running with dbt=1.11\n10:00:01  1 of 1 START sql table model OLD.X ....... [RUN]\n"
        "10:01:00 Running with dbt=1.11\n"
        "10:01:01  1 of 2 START unit_test m::checks_m ........................ [RUN]\n"
        "10:01:02  2 of 2 START sql table model PROD_MARTS.M .................. [RUN]\n"
        "10:01:03  2 of 2 OK created sql table model PROD_MARTS.M ............. [OK in 0.1s]\n")
    assert ex.last_run_order(tmp_path) == ["unit_test m::checks_m", "sql table model PROD_MARTS.M"]


def test_the_project_declares_freshness_under_config():
    import yaml

    source = yaml.safe_load((ex.PROJECT_DIR / "models" / "sources.yml").read_text())["sources"][0]
    assert "freshness" not in source and source["config"]["freshness"]["error_after"] == {"count": 72,
                                                                                          "period": "hour"}
