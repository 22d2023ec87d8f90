"""Run the kit's benchmarks, print a table, and write it to ``bench/results.md`` (machine, versions, date).

Every figure is a ratio against a baseline measured in the same run, on the same data, interleaved with it,
as the median of several runs; the two sides are checked to produce the same result first. None of this is
a test (the smoke test ``tests/project/test_bench_smoke.py`` only checks that the code paths run at a tiny scale).

    .venv/bin/python bench/run.py                     # everything, full scale (about 15 minutes)
    .venv/bin/python bench/run.py --skip-notebooks    # without the notebook suite
    .venv/bin/python bench/run.py --only landing      # one benchmark (repeatable: --only quality --only ...)
    .venv/bin/python bench/run.py --quick             # tiny scale, to try the code paths (writes nothing)

Benchmarks: ``landing`` (row-by-row INSERT vs bulk COPY INTO), ``quality`` (one query per check vs the kit's
checker), ``ratelimit`` (the syllabus's decorator vs the token bucket), ``drills`` and ``interview`` (grading a SQL
drill, a coding task of the mock interview), ``startup`` (quiz to first card,
``import sim``), ``notebooks`` (the nbval suite). ``bench/results.md`` is rewritten only by a full-scale
run of every benchmark (``--skip-notebooks`` allowed: the file then says they were skipped); ``--output
PATH`` writes any run to PATH. It always exits 0 unless a benchmark fails or its results disagree.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make `bench`, `sim` and `solutions` importable
    sys.path.insert(0, str(ROOT))

from bench.common import Row, load, machine, now, versions  # noqa: E402

RESULTS = ROOT / "bench" / "results.md"
NAMES = ("landing", "quality", "ratelimit", "drills", "interview", "startup", "notebooks")


def benchmarks(args: argparse.Namespace,
               progress: Callable[[str], None]) -> dict[str, Callable[[], list[Row]]]:
    """Name -> a call that runs it with the command line's scale."""
    from bench import (bench_drills, bench_interview, bench_landing, bench_notebooks, bench_quality, bench_ratelimit,
                       bench_startup)

    return {
        "landing": lambda: bench_landing.run(records=args.records, sample=args.sample, repeats=args.repeats,
                                             full_slow_path=args.full_slow_path, progress=progress),
        "quality": lambda: bench_quality.run(appointments=args.appointments, repeats=args.repeats + 2,
                                             progress=progress),
        "ratelimit": lambda: bench_ratelimit.run(days=args.days, latency=args.latency, progress=progress),
        "drills": lambda: bench_drills.run(repeats=args.repeats, progress=progress),
        "interview": lambda: bench_interview.run(repeats=args.repeats, progress=progress),
        "startup": lambda: (bench_startup.quiz(repeats=args.startup_runs, progress=progress)
                            + bench_startup.sim_import(repeats=args.startup_runs, progress=progress)),
        "notebooks": lambda: bench_notebooks.run(runs=args.notebook_runs, progress=progress),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=NAMES, help="run only this benchmark (repeatable)")
    parser.add_argument("--skip-notebooks", action="store_true",
                        help="leave out the notebook suite (minutes)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny scale and one run each: tries the code paths")
    parser.add_argument("--records", type=int, default=100_000, help="landing: records to land (100,000)")
    parser.add_argument("--sample", type=int, default=2_000, help="landing: row-by-row sample size (2,000)")
    parser.add_argument("--full-slow-path", action="store_true",
                        help="landing: also run row by row over all records once (about 5 minutes at 100k)")
    parser.add_argument("--appointments", type=int, default=10_000_000, help="quality: table size (10M)")
    parser.add_argument("--days", type=int, default=20, help="ratelimit: days to extract (20)")
    parser.add_argument("--latency", type=float, default=0.3, help="ratelimit: seconds per request (0.3)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side (quality: this + 2)")
    parser.add_argument("--startup-runs", type=int, default=9, help="start-up: runs per command (9)")
    parser.add_argument("--notebook-runs", type=int, default=1, help="notebooks: suite runs (1)")
    parser.add_argument("--output", type=Path, help="write the results here (default: bench/results.md "
                        "after a full-scale run of every benchmark)")
    if "--quick" in (sys.argv[1:] if argv is None else argv):  # tiny defaults; explicit options still win
        parser.set_defaults(records=2_000, sample=200, appointments=50_000, days=4, repeats=1, startup_runs=1)
    return parser.parse_args(argv)


def destination(args: argparse.Namespace) -> Path | None:
    """Where to write the results: ``--output``, else bench/results.md after a full-scale run of all."""
    if args.output is not None:
        return args.output
    full = not args.quick and not args.only and args.records >= 100_000 and args.appointments >= 10_000_000
    return RESULTS if full else None


def selected(args: argparse.Namespace) -> list[str]:
    names = list(dict.fromkeys(args.only)) if args.only else list(NAMES)
    return [n for n in names if not (n == "notebooks" and args.skip_notebooks)]


def table_markdown(rows: list[Row]) -> str:
    lines = ["| Benchmark | Baseline (same run) | Kit | Ratio | Target | Met |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = [r.benchmark, r.baseline, r.kit, r.ratio_text, r.target or "-", r.verdict or "-"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def print_table(rows: list[Row]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text
        print(table_markdown(rows))
        return
    table = Table(title="Benchmarks: ratios against a baseline measured in the same run", show_lines=True)
    for column in ("Benchmark", "Baseline (same run)", "Kit", "Ratio", "Target", "Met"):
        table.add_column(column, overflow="fold")
    for r in rows:
        style = {"yes": "green", "NO": "red"}.get(r.verdict, "")
        table.add_row(r.benchmark, r.baseline, r.kit, r.ratio_text, r.target or "-",
                      f"[{style}]{r.verdict}[/]" if style else "-")
    Console(width=max(120, shutil.get_terminal_size((160, 40)).columns)).print(table)


def results_markdown(rows: list[Row], ran: list[str], skipped: list[str], info: dict[str, str],
                     load_after: str, command: str, minutes: float) -> str:
    v = versions()
    out = [
        "# Benchmark results",
        "",
        f"Written by `{command}` on {now()} in {minutes:.1f} minutes. Every figure is a ratio against a "
        "baseline measured in the same run, on the same data, interleaved with it; medians of several runs "
        "unless a line says otherwise. Both sides were checked to give identical results before they were "
        "timed.",
        "",
        f"- **Machine:** {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}",
        f"- **Load average** (1/5/15 min) before: {info['load']}; after: {load_after}. Absolute times move "
        "with the load; the ratios much less.",
        f"- **Versions:** Python {v['python']}, duckdb {v['duckdb']}, fakesnow {v['fakesnow']}, "
        f"apache-airflow {v['apache-airflow']}, snowflake-connector-python {v['snowflake-connector-python']}",
        f"- **Benchmarks run:** {', '.join(ran)}" + (f"; skipped: {', '.join(skipped)}" if skipped else ""),
        "",
        table_markdown(rows),
        "",
        "## Details",
    ]
    for r in rows:
        if r.details:
            out += ["", f"**{r.benchmark}**", ""] + [f"- {line}" for line in r.details]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = selected(args)
    skipped = [n for n in NAMES if n not in names]
    info = machine()
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    progress(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram']}, load {info['load']}")
    runners = benchmarks(args, progress)
    rows: list[Row] = []
    for name in names:
        rows += runners[name]()
    minutes = (time.perf_counter() - started) / 60

    print_table(rows)
    for r in rows:
        if r.details:
            print(f"\n{r.benchmark}")
            for line in r.details:
                print(f"  - {line}")

    target = destination(args)
    if target is not None:
        command = "bench/run.py" + (" " + " ".join(argv if argv is not None else sys.argv[1:])).rstrip()
        target.write_text(results_markdown(rows, names, skipped, info, load(), command.strip(), minutes),
                          encoding="utf-8")
        print(f"\nwritten: {target}")
    else:
        print("\n(not written: bench/results.md holds full-scale runs of every benchmark; --output PATH "
              "writes this one)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
