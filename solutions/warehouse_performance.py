"""How Snowflake skips data it does not need: micro-partitions, their min/max metadata, pruning, clustering depth.

Snowflake stores every table in micro-partitions (50-500 MB of uncompressed data each, columnar) and keeps, for
each one, the range of values of every column (docs.snowflake.com/user-guide/tables-clustering-micropartitions).
A filter that no value of a partition's ``[min, max]`` can satisfy lets the query skip that partition: *pruning*.
The query profile's TableScan reports it as "Partitions scanned" out of "Partitions total".

This module models that metadata for one column, so the arithmetic can be done by hand and run on real data:

- :func:`partition_ranges`: the ``[min, max]`` of each block of consecutive rows, as rows were loaded;
- :func:`scanned`: the partitions a filter ``low <= column <= high`` still has to read;
- :func:`clustering_information`: the fields of ``SYSTEM$CLUSTERING_INFORMATION`` on that model
  (``total_partition_count``, ``total_constant_partition_count``, ``average_overlaps``, ``average_depth``,
  ``partition_depth_histogram``).

Snowflake does not publish how it computes depth and overlaps; the definitions here follow the docs' words
(overlaps: the other partitions a partition's range overlaps; depth: how many partitions overlap at a value,
1 or more for a populated table) and are a model to reason with, not Snowflake's numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Partition:
    """One micro-partition's metadata for one column: its smallest and largest non-NULL value, and its rows.

    ``low`` and ``high`` are ``None`` when every value in it is NULL (no range filter can match it).
    """

    low: Any
    high: Any
    rows: int

    @property
    def constant(self) -> bool:
        """One value only: clustering cannot improve it (the docs' "constant" micro-partition)."""
        return self.low is not None and self.low == self.high


def partition_ranges(values: Iterable[Any], rows_per_partition: int) -> list[Partition]:
    """Cut ``values`` (one column, in load order) into blocks of ``rows_per_partition`` rows; keep each min/max."""
    if not isinstance(rows_per_partition, int) or isinstance(rows_per_partition, bool) or rows_per_partition < 1:
        raise ValueError(f"rows_per_partition must be a positive integer, got {rows_per_partition!r}")
    parts: list[Partition] = []
    block: list[Any] = []
    for value in values:
        block.append(value)
        if len(block) == rows_per_partition:
            parts.append(_summarise(block))
            block = []
    if block:
        parts.append(_summarise(block))
    return parts


def _summarise(block: Sequence[Any]) -> Partition:
    present = [v for v in block if v is not None]
    return Partition(min(present), max(present), len(block)) if present else Partition(None, None, len(block))


def may_match(part: Partition, low: Any, high: Any) -> bool:
    """Could ``low <= value <= high`` hold for some row of ``part``? (Both ends inclusive, as BETWEEN.)"""
    if low is not None and high is not None and low > high:
        raise ValueError(f"empty range: low {low!r} is above high {high!r}")
    if part.low is None:
        return False
    return (high is None or part.low <= high) and (low is None or part.high >= low)


def scanned(partitions: Sequence[Partition], low: Any = None, high: Any = None) -> list[Partition]:
    """The partitions a filter ``low <= column <= high`` must read; the rest are pruned (``None``: unbounded)."""
    return [p for p in partitions if may_match(p, low, high)]


def _overlap(a: Partition, b: Partition) -> bool:
    return a.low is not None and b.low is not None and a.low <= b.high and b.low <= a.high


def depth(part: Partition, partitions: Sequence[Partition]) -> int:
    """The most partitions (``part`` included) whose ranges hold one same value of ``part``'s range."""
    if part.low is None:
        return 0
    neighbours = [q for q in partitions if _overlap(part, q)]
    # the deepest point of ``part`` is where some range starts: its own low, or a neighbour's low inside it
    points = [part.low] + [q.low for q in neighbours if part.low <= q.low <= part.high]
    return max(sum(1 for q in neighbours if q.low <= v <= q.high) for v in points)


def clustering_information(partitions: Sequence[Partition]) -> dict[str, Any]:
    """``SYSTEM$CLUSTERING_INFORMATION``'s fields on this model (partitions of NULLs count, but overlap nothing)."""
    ranged = [p for p in partitions if p.low is not None]
    depths = [depth(p, ranged) for p in ranged]
    overlaps = [sum(1 for q in ranged if q is not p and _overlap(p, q)) for p in ranged]
    return {
        "total_partition_count": len(partitions),
        "total_constant_partition_count": sum(p.constant for p in partitions),
        "average_overlaps": round(sum(overlaps) / len(ranged), 4) if ranged else 0.0,
        "average_depth": round(sum(depths) / len(ranged), 4) if ranged else 0.0,
        "partition_depth_histogram": dict(sorted(Counter(depths).items())),
    }
