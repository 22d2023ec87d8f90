"""How long from typing `kit-quiz` to seeing the first card?

Runs the quiz in a real pseudo-terminal (as a person would) with a fresh progress store, and times
from spawning the process to the first card's prompt. For scale it also times a bare Python start-up
(`python -c pass`) in the same run on the same machine, and reports the quiz as a multiple of it: the
absolute number depends on the machine, the ratio much less so. The target is 0.3 s.

It then lists the slowest imports on that path (`python -X importtime`) and checks that nothing heavy
(Airflow, duckdb, pandas...) is among them.

    .venv/bin/python bench/bench_quiz.py [--runs 9]

A measurement to read, not a test: it always exits 0.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect

TARGET_SECONDS = 0.3
FIRST_CARD = r"Enter = show the answer|Your answer"
HEAVY = ("airflow", "duckdb", "pandas", "numpy", "fakesnow", "snowflake", "genanki", "moto")


def quiz_command() -> list[str]:
    """The console script next to this Python if installed, else the module (same code path)."""
    script = Path(sys.executable).with_name("kit-quiz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "flashcards.cli"]


def time_to_first_card(command: list[str], env: dict[str, str]) -> float:
    with tempfile.TemporaryDirectory() as state:
        env = {**env, "KIT_QUIZ_STORE": str(Path(state) / "progress.sqlite3")}
        start = time.perf_counter()
        child = pexpect.spawn(command[0], command[1:], env=env, encoding="utf-8", dimensions=(40, 120), timeout=30)
        try:
            child.expect(FIRST_CARD)
            elapsed = time.perf_counter() - start
            _quit(child)
        finally:
            child.close(force=True)
    return elapsed


def _quit(child: pexpect.spawn) -> None:
    """Leave the quiz the way a user does, by typing q (Ctrl-C is the tests' business, not a timing's)."""
    child.sendline("q")
    child.expect(pexpect.EOF)


def time_python_startup(env: dict[str, str]) -> float:
    start = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-c", "pass"], env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    elapsed = time.perf_counter() - start
    child.close()
    return elapsed


def imports_on_the_way(env: dict[str, str]) -> list[tuple[int, int, str]]:
    """(nesting depth, cumulative microseconds, module) for every import before the first card, in a pty."""
    log = io.StringIO()
    with tempfile.TemporaryDirectory() as state:
        child = pexpect.spawn(
            sys.executable, ["-X", "importtime", "-m", "flashcards.cli"], encoding="utf-8", timeout=30,
            dimensions=(40, 120), env={**env, "KIT_QUIZ_STORE": str(Path(state) / "progress.sqlite3")},
        )
        child.logfile_read = log
        try:
            child.expect(FIRST_CARD)
            _quit(child)
        finally:
            child.close(force=True)
    rows = []
    for line in log.getvalue().splitlines():
        match = re.search(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((len(match[2]) // 2, int(match[1]), match[3]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="measurements per command (median reported)")
    args = parser.parse_args()

    env = {**os.environ, "TERM": os.environ.get("TERM", "xterm-256color")}
    command = quiz_command()
    time_to_first_card(command, env)  # warm the file cache and .pyc files once
    quiz = [time_to_first_card(command, env) for _ in range(args.runs)]
    baseline = [time_python_startup(env) for _ in range(args.runs)]
    quiz_median, base_median = statistics.median(quiz), statistics.median(baseline)

    print(f"command:                   {os.path.basename(command[0])}{' -m flashcards.cli' if len(command) > 1 else ''} (in a pseudo-terminal)")
    print(f"runs:                      {args.runs}")
    print(f"baseline `python -c pass`: {base_median * 1000:6.0f} ms median")
    print(f"kit-quiz to first card:    {quiz_median * 1000:6.0f} ms median (min {min(quiz) * 1000:.0f}, max {max(quiz) * 1000:.0f})")
    print(f"ratio to baseline:         {quiz_median / base_median:6.1f}x")
    verdict = "within" if quiz_median <= TARGET_SECONDS else "OVER"
    print(f"target:                    {TARGET_SECONDS * 1000:6.0f} ms -> {verdict} target")

    imports = imports_on_the_way(env)
    heavy = sorted({name.split(".")[0] for _, _, name in imports if name.split(".")[0] in HEAVY})
    print("\nslowest top-level imports before the first card (cumulative):")
    for _, us, name in sorted((row for row in imports if row[0] == 0), key=lambda row: -row[1])[:8]:
        print(f"  {us / 1000:6.1f} ms  {name}")
    print(f"heavy modules imported: {', '.join(heavy) if heavy else 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
