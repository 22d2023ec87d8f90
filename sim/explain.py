"""What the simulated warehouse's engine says about a query: DuckDB's ``EXPLAIN ANALYZE``, without the timings.

DuckDB runs the query and returns its profile as JSON (``EXPLAIN (ANALYZE, FORMAT JSON)``): a tree of operators,
each with the rows it produced, and for a table scan its filters and how many *row groups* (blocks of 122,880
rows, each with min/max statistics, "zone maps") it read out of how many the table has. That last pair is the
nearest thing the sim has to Snowflake's "Partitions scanned" / "Partitions total". Timings are left out: they
differ on every run, and a notebook's stored output must not.

    ops = explain_analyze(world.warehouse.duckdb().cursor(), "SELECT ... WHERE d = ?", ["2025-03-01"])
    print(render(ops))
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SKIP = {"RESULT_COLLECTOR", "EXPLAIN_ANALYZE"}  # the frame DuckDB puts around every query, not the query


@dataclass
class Operator:
    """One step of the plan: what it is, the rows it produced, what it read (row groups, rows), and its inputs."""

    name: str
    rows: int
    detail: dict[str, Any] = field(default_factory=dict)
    row_groups_scanned: int | None = None
    row_groups_total: int | None = None
    rows_scanned: int | None = None
    children: list[Operator] = field(default_factory=list)

    def walk(self):
        """This operator and every operator below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()


def explain_analyze(con: Any, sql: str, params: Sequence[Any] | None = None) -> Operator:
    """Run ``sql`` on a DuckDB connection with its profile on; return the root of the operator tree."""
    if not isinstance(sql, str) or not sql.strip():
        raise ValueError("explain_analyze needs one SQL query as a non-empty string")
    rows = con.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", list(params or [])).fetchall()
    profile = json.loads(rows[0][1])
    roots = [_operator(node) for node in profile["operator"]]
    return _unwrap(roots)


def _operator(node: dict[str, Any]) -> Operator:
    info = node.get("extra_info") or {}
    keep = {k: info[k] for k in ("Table", "Type", "Filters", "Join Type", "Conditions", "Aggregates", "Groups")
            if k in info}
    return Operator(
        name=node.get("name") or node.get("type", "?"),
        rows=int(node.get("intermediate_rows", node.get("operator_cardinality", 0))),
        detail=keep,
        row_groups_scanned=node.get("row_groups_scanned"),
        row_groups_total=node.get("total_row_groups_to_scan"),
        rows_scanned=node.get("rows_scanned"),
        children=[_operator(child) for child in node.get("children", [])],
    )


def _unwrap(roots: list[Operator]) -> Operator:
    node = roots[0]
    while node.name in SKIP and len(node.children) == 1:
        node = node.children[0]
    return node


def scans(root: Operator) -> list[Operator]:
    """The table scans in the plan (the operators that report row groups)."""
    return [op for op in root.walk() if op.row_groups_total is not None]


def render(root: Operator) -> str:
    """The plan as indented lines: operator, rows out, and for a scan its table, filters, row groups and rows read."""
    lines: list[str] = []

    def visit(op: Operator, depth: int) -> None:
        parts = [f"{'  ' * depth}{op.name}", f"rows={op.rows:,}"]
        for key, value in op.detail.items():
            text = " AND ".join(value) if isinstance(value, list) else str(value)
            parts.append(f"{key.lower()}: {' '.join(text.split())}")
        if op.row_groups_total is not None:
            parts.append(f"row groups scanned {op.row_groups_scanned} of {op.row_groups_total}, "
                         f"rows read {op.rows_scanned:,}")
        lines.append("  ".join(parts))
        for child in op.children:
            visit(child, depth + 1)

    visit(root, 0)
    return "\n".join(lines)
