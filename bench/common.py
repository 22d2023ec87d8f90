"""What every benchmark shares: timing with medians, the result row, and the machine it ran on.

Rules the benchmarks follow:

* a figure is a **ratio** against a baseline measured in the same process, on the same data, in the same run:
  absolute seconds depend on the machine and on whatever else it is doing, ratios much less;
* the baseline and the kit's path are **interleaved** (A B, then B A, ...) so that a slow minute of a shared
  machine hits both, and the **median** of the repetitions is quoted;
* before anything is timed, both sides are checked to produce the **same result** (table contents, counts,
  records): a faster path that computes something else is not faster. A mismatch raises :class:`Mismatch`.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any


class Mismatch(AssertionError):
    """The baseline and the kit's path disagree: the benchmark is void (raised, never just printed)."""


def require(condition: bool, message: str) -> None:
    """Like ``assert``, but never stripped by ``python -O``: a benchmark on wrong results must not run."""
    if not condition:
        raise Mismatch(message)


@dataclass
class Row:
    """One line of the results table.

    ``ratio`` is the number the row is about (a speed-up, a fraction, a multiple of a baseline) and
    ``ratio_text`` how to read it; ``met`` is ``None`` when the row has no target. ``details`` are the
    lines printed under the table (sample sizes, extrapolations, why a figure is what it is).
    """

    benchmark: str
    baseline: str
    kit: str
    ratio: float
    ratio_text: str
    target: str = ""
    met: bool | None = None
    details: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "" if self.met is None else ("yes" if self.met else "NO")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call, on ``time.perf_counter``."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(a: Callable[[], Any], b: Callable[[], Any], repeats: int,
                setup: Callable[[], Any] | None = None) -> tuple[list[float], list[float]]:
    """Time ``a`` and ``b`` ``repeats`` times each, alternating which goes first; ``setup`` runs untimed
    before every call. Returns the two lists of seconds."""
    times_a: list[float] = []
    times_b: list[float] = []
    for i in range(repeats):
        order = [(a, times_a), (b, times_b)] if i % 2 == 0 else [(b, times_b), (a, times_a)]
        for fn, out in order:
            if setup is not None:
                setup()
            out.append(timed(fn)[0])
    return times_a, times_b


def interleaved_values(a: Callable[[], float], b: Callable[[], float],
                       repeats: int) -> tuple[list[float], list[float]]:
    """Like :func:`interleaved` for functions that measure themselves: collects what they return (seconds)."""
    values_a: list[float] = []
    values_b: list[float] = []
    for i in range(repeats):
        order = [(a, values_a), (b, values_b)] if i % 2 == 0 else [(b, values_b), (a, values_a)]
        for fn, out in order:
            out.append(fn())
    return values_a, values_b


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], unit: Callable[[float], str]) -> str:
    """``median (min-max, n runs)`` for the details lines."""
    if len(values) == 1:
        return f"{unit(values[0])} (1 run)"
    return f"{unit(median(values))} median ({unit(min(values))}-{unit(max(values))}, {len(values)} runs)"


def seconds(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f} s"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"


# -- the machine -------------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, RAM, OS and load: the context a reader needs to weigh absolute numbers."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    ram = "unknown"
    try:
        with open("/proc/meminfo", encoding="utf-8") as info:
            kib = next(int(line.split()[1]) for line in info if line.startswith("MemTotal:"))
        ram = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count() or "unknown"),
        "ram": ram,
        "os": f"{platform.system()} {platform.release()}",
        "load": load(),
    }


def load() -> str:
    """The 1/5/15-minute load averages (how busy the machine was), or ``n/a`` where there are none."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("duckdb", "fakesnow", "apache-airflow", "snowflake-connector-python"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
