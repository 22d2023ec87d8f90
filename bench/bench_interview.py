"""How long does the mock interview take to grade one coding task, against starting an empty child process?

``interview.tasks.grade`` runs a task's hidden checks in a fresh Python process (so a candidate's endless loop or
crash cannot take the interview down): it imports the sim (and, for a DAG task, Airflow), starts fresh worlds,
runs the candidate's file on every hidden scenario and prints a verdict. Each task's reference solution is graded
this way and timed; the baseline is a child process that does nothing (``python -c pass``), started the same
way, interleaved with it. The rows report the slowest task of each kind against the target: at most 20 s on
2 cores, the time a candidate waits after pressing Enter.

    .venv/bin/python bench/bench_interview.py [--repeats 3] [--only TASK_ID ...]

A measurement to read, not a test: it always exits 0 unless a reference fails its own checks.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Row, interleaved, median, require, seconds  # noqa: E402

TARGET_SECONDS = 20.0


def run(repeats: int = 3, only: list[str] | None = None, progress: Callable[[str], None] = print) -> list[Row]:
    from interview.tasks import bank, grade

    def empty_child() -> None:
        subprocess.run([sys.executable, "-c", "pass"], check=True, cwd=ROOT)

    rows = []
    for kind in ("python", "dag"):
        timings: dict[str, tuple[float, float]] = {}
        for task in bank(kind).values():
            if only and task.task_id not in only:
                continue

            def graded(task=task) -> None:
                verdict = grade(task, task.reference)
                require(verdict.passed, f"{task.task_id}: the reference fails: {verdict.error or verdict.failures}")

            grading, baseline = interleaved(graded, empty_child, repeats)
            timings[task.task_id] = (median(grading), median(baseline))
            progress(f"  {kind:6} {task.task_id:28} grade {seconds(median(grading)):>7}  "
                     f"empty child {seconds(median(baseline)):>7}")
        if not timings:
            continue
        worst = max(timings, key=lambda k: timings[k][0])
        grading, baseline = timings[worst]
        all_medians = sorted(t[0] for t in timings.values())
        rows.append(Row(
            benchmark=f"Grade the slowest {kind.upper() if kind == 'dag' else 'Python'} task of the mock interview "
                      f"({worst}, every hidden scenario, in a child process)",
            baseline=f"an empty child process: {seconds(baseline)}",
            kit=f"grading its reference: {seconds(grading)}",
            ratio=grading / baseline,
            ratio_text=f"{grading / baseline:.0f}x the empty child",
            target=f"<= {TARGET_SECONDS:g} s",
            met=grading <= TARGET_SECONDS,
            details=[f"{len(timings)} {kind} tasks, median of {repeats} runs each; the median task takes "
                     f"{seconds(all_medians[len(all_medians) // 2])}, the fastest {seconds(all_medians[0])}"],
        ))
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    for row in run(args.repeats, args.only):
        print(row)
