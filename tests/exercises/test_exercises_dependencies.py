"""The notebook 02 graders accept the reference answers and reject broken ones."""

from __future__ import annotations

import pytest

from exercises import dependencies as ex
from exercises.grading import failed_exactly


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_wire_pipeline, ex.grade_parallel_waves])
def test_not_attempted_is_reported_calmly(grader):
    assert grader(not_attempted, show=False).status == "not attempted"


# -- wire_pipeline -------------------------------------------------------------------------------------------


def wire_syllabus_style(t):
    """The syllabus's habit: one straight line through every task."""
    (t["extract_appointments"] >> t["extract_payments"] >> t["run_dbt_models"] >> t["validate_appointments"]
     >> t["validate_payments"] >> t["send_completion_alert"])


def wire_twice(t):
    """The reference, then the same edges again with set_downstream/set_upstream (the syllabus's Method 2)."""
    ex.wire_pipeline(t)
    for extract in ("extract_appointments", "extract_payments"):
        t[extract].set_downstream(t["run_dbt_models"])
    for check in ("validate_appointments", "validate_payments"):
        t[check].set_upstream(t["run_dbt_models"])
        t[check].set_downstream(t["send_completion_alert"])


def wire_list_to_list(t):
    """Two lists cannot be joined with >>: Python has no list >> list."""
    [t["extract_appointments"], t["extract_payments"]] >> t["run_dbt_models"]
    [t["validate_appointments"], t["validate_payments"]] << t["run_dbt_models"]
    [t["validate_appointments"], t["validate_payments"]] >> [t["send_completion_alert"]]


def wire_with_a_cycle(t):
    ex.wire_pipeline(t)
    t["send_completion_alert"] >> t["run_dbt_models"]  # an arrow the wrong way round


def wire_missing_one(t):
    [t["extract_appointments"], t["extract_payments"]] >> t["run_dbt_models"] >> t["validate_appointments"]
    t["validate_appointments"] >> t["send_completion_alert"]


def test_wire_pipeline_accepts_the_reference():
    g = ex.grade_wire_pipeline(ex.wire_pipeline, show=False)
    assert g.passed, g.lines


def test_setting_the_same_edges_twice_is_harmless():
    """What the syllabus does (Method 1, then Method 2): Airflow keeps one copy of each edge, silently."""
    assert ex.grade_wire_pipeline(wire_twice, show=False).passed


@pytest.mark.parametrize("fn, checks", [
    (wire_syllabus_style, ["every required edge", "no edge that was not"]),
    (wire_with_a_cycle, ["no edge that was not", "no cycle"]),
    (wire_missing_one, ["every required edge"]),
])
def test_wire_pipeline_rejects_broken_versions(fn, checks):
    g = ex.grade_wire_pipeline(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_list_to_list_is_a_type_error():
    g = ex.grade_wire_pipeline(wire_list_to_list, show=False)
    assert g.status == "failed"
    assert "TypeError: unsupported operand type(s) for >>: 'list' and 'list'" in "\n".join(g.lines)


def test_the_cycle_is_reported_with_airflows_own_error():
    g = ex.grade_wire_pipeline(wire_with_a_cycle, show=False)
    assert "AirflowDagCycleException: Cycle detected in Dag: exercise_wire_pipeline" in "\n".join(g.lines)


# -- parallel_waves ------------------------------------------------------------------------------------------


def waves_shortest_path(dag):
    """Breadth-first from the roots: a task lands at its *shortest* distance, too early."""
    roots = {t for t, task in dag.task_dict.items() if not task.upstream_task_ids}
    depth = dict.fromkeys(roots, 0)
    frontier = list(roots)
    while frontier:
        nxt = []
        for task_id in frontier:
            for down in dag.task_dict[task_id].downstream_task_ids:
                if down not in depth:
                    depth[down] = depth[task_id] + 1
                    nxt.append(down)
        frontier = nxt
    if len(depth) < len(dag.task_dict):
        raise ValueError("cycle")
    return [{t for t, d in depth.items() if d == n} for n in range(max(depth.values(), default=-1) + 1)]


def waves_recursive(dag):
    """Longest path by recursion, with no cycle check: a cycle recurses until Python gives up."""
    def depth(task_id):
        ups = dag.task_dict[task_id].upstream_task_ids
        return 1 + max((depth(u) for u in ups), default=-1)
    level = {t: depth(t) for t in dag.task_dict}
    return [{t for t, d in level.items() if d == n} for n in range(max(level.values(), default=-1) + 1)]


def waves_no_guard(dag):
    """Kahn's algorithm without asking "did anything become ready?": spins forever on a cycle."""
    waiting = {t: set(task.upstream_task_ids) for t, task in dag.task_dict.items()}
    waves = []
    while waiting:
        ready = {t for t, ups in waiting.items() if not ups}
        if ready:
            waves.append(ready)
        for t in ready:
            del waiting[t]
        for ups in waiting.values():
            ups -= ready
    return waves


def test_parallel_waves_accepts_the_reference():
    g = ex.grade_parallel_waves(ex.parallel_waves, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (waves_shortest_path, ["a task waits for its longest", "a cycle raises"]),  # BFS reaches every task of a cycle
    (waves_recursive, ["a cycle raises"]),
    (waves_no_guard, ["a cycle raises"]),
    (lambda dag: [set(dag.task_dict)], ["the syllabus pipeline", "dependency_patterns", "a task waits", "a cycle"]),
])
def test_parallel_waves_rejects_broken_versions(fn, checks, monkeypatch):
    monkeypatch.setattr(ex, "CYCLE_TIME_LIMIT_S", 0.5)
    g = ex.grade_parallel_waves(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_an_endless_loop_is_stopped_and_named(monkeypatch):
    monkeypatch.setattr(ex, "CYCLE_TIME_LIMIT_S", 0.5)
    g = ex.grade_parallel_waves(waves_no_guard, show=False)
    assert "TimeoutError: still running after 0.5 s" in "\n".join(g.lines)


# -- correct alternatives ------------------------------------------------------------------------------------


def wire_with_chain(t):
    """airflow.sdk.chain with lists: pairs every element of one list with the next element."""
    from airflow.sdk import chain, cross_downstream

    cross_downstream([t["extract_appointments"], t["extract_payments"]], [t["run_dbt_models"]])
    chain(t["run_dbt_models"], [t["validate_appointments"], t["validate_payments"]])
    cross_downstream([t["validate_appointments"], t["validate_payments"]], [t["send_completion_alert"]])


def wire_method_two(t):
    """set_upstream/set_downstream only (the syllabus's Method 2), each edge once."""
    t["run_dbt_models"].set_upstream([t["extract_appointments"], t["extract_payments"]])
    t["run_dbt_models"].set_downstream([t["validate_appointments"], t["validate_payments"]])
    t["send_completion_alert"].set_upstream([t["validate_appointments"], t["validate_payments"]])


@pytest.mark.parametrize("fn", [wire_with_chain, wire_method_two])
def test_wire_pipeline_accepts_correct_alternatives(fn):
    g = ex.grade_wire_pipeline(fn, show=False)
    assert g.passed, g.lines


def waves_graphlib(dag):
    """graphlib orders the tasks (its CycleError is a ValueError); a wave is 1 + the latest upstream's."""
    from graphlib import TopologicalSorter

    graph = {t: task.upstream_task_ids for t, task in dag.task_dict.items()}
    level = {}
    for t in TopologicalSorter(graph).static_order():
        level[t] = 1 + max((level[u] for u in graph[t]), default=-1)
    last = max(level.values(), default=-1)
    return [sorted(t for t, n in level.items() if n == wave) for wave in range(last + 1)]


def waves_memoised_dfs(dag):
    """Depth-first longest path with memo and an 'in progress' mark that detects a cycle."""
    level, visiting = {}, set()

    def depth(t):
        if t in level:
            return level[t]
        if t in visiting:
            raise ValueError(f"cycle through {t}")
        visiting.add(t)
        level[t] = 1 + max((depth(u) for u in dag.task_dict[t].upstream_task_ids), default=-1)
        visiting.discard(t)
        return level[t]

    for t in dag.task_dict:
        depth(t)
    waves = [set() for _ in range(max(level.values(), default=-1) + 1)]
    for t, n in level.items():
        waves[n].add(t)
    return waves


@pytest.mark.parametrize("fn", [waves_graphlib, waves_memoised_dfs])
def test_parallel_waves_accepts_correct_alternatives(fn):
    g = ex.grade_parallel_waves(fn, show=False)
    assert g.passed, g.lines
