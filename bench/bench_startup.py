"""Start-up costs: the quiz to its first card, and ``import sim``, each against a bare ``python -c pass``.

The quiz is timed exactly as ``bench/bench_quiz.py`` times it (a real pseudo-terminal, a fresh progress
store, from spawning the process to the first card's prompt); this module reuses its functions. ``import
sim`` is timed as a fresh interpreter running ``python -c "import sim"``. The baseline runs interleaved
with each, and the median of the runs is quoted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable

from bench import bench_quiz
from bench.common import Row, interleaved, interleaved_values, median, seconds, spread, timed


def _python(code: str) -> Callable[[], None]:
    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True, stdout=subprocess.DEVNULL)
    return run


def slowest_imports(module: str, top: int = 5) -> list[tuple[str, float]]:
    """What ``import module`` spends its time on: the slowest modules it pulls in from outside its own
    package (cumulative seconds, nested ones included), from ``python -X importtime``."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], check=True,
                          capture_output=True, text=True)
    block: list[tuple[str, float]] = []
    for line in done.stderr.splitlines():  # a module's imports are printed before it, one level deeper
        match = re.search(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if not match:
            continue
        if len(match[2]) // 2 >= 1:
            block.append((match[3], int(match[1]) / 1e6))
        elif match[3] == module:
            break
        else:
            block = []  # the subtree of another top-level import (site, encodings...)
    outside = [row for row in block if row[0].split(".")[0] != module]
    return sorted(outside, key=lambda r: -r[1])[:top]


def quiz(repeats: int = 9, progress: Callable[[str], None] = print) -> list[Row]:
    env = {**os.environ, "TERM": os.environ.get("TERM", "xterm-256color")}
    command = bench_quiz.quiz_command()
    progress(f"start-up: quiz to first card vs `python -c pass`, {repeats} run(s) each")
    bench_quiz.time_to_first_card(command, env)  # warm the file cache and .pyc files once
    card, base = interleaved_values(lambda: bench_quiz.time_to_first_card(command, env),
                                    lambda: bench_quiz.time_python_startup(env), repeats)
    ratio = median(card) / median(base)
    return [Row(
        benchmark="Quiz start-up to first card",
        baseline=f"`python -c pass`: {seconds(median(base))}",
        kit=f"kit-quiz: {seconds(median(card))}",
        ratio=ratio,
        ratio_text=f"{ratio:.1f}x the baseline",
        target=f"<= {seconds(bench_quiz.TARGET_SECONDS)}",
        met=median(card) <= bench_quiz.TARGET_SECONDS,
        details=[f"kit-quiz to first card (pseudo-terminal, fresh store): {spread(card, seconds)}",
                 f"`python -c pass` (pseudo-terminal): {spread(base, seconds)}",
                 f"the {seconds(bench_quiz.TARGET_SECONDS)} target is absolute, so it moves with the "
                 "machine's load (bare Python's start-up above says how busy it was); the ratio much less"],
    )]


def sim_import(repeats: int = 9, progress: Callable[[str], None] = print) -> list[Row]:
    progress(f"start-up: `import sim` vs `python -c pass`, {repeats} run(s) each")
    timed(_python("import sim"))  # warm .pyc files
    imported, base = interleaved(_python("import sim"), _python("pass"), repeats)
    ratio = median(imported) / median(base)
    heavy = ", ".join(f"{name} {seconds(s)}" for name, s in slowest_imports("sim"))
    return [Row(
        benchmark="`import sim` (fresh interpreter)",
        baseline=f"`python -c pass`: {seconds(median(base))}",
        kit=f"`python -c 'import sim'`: {seconds(median(imported))}",
        ratio=ratio,
        ratio_text=f"{ratio:.1f}x the baseline",
        details=[f"`python -c 'import sim'`: {spread(imported, seconds)}",
                 f"`python -c pass`: {spread(base, seconds)}",
                 f"slowest modules it imports (python -X importtime, cumulative, one run): {heavy}"],
    )]
