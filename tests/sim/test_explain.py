"""DuckDB's EXPLAIN ANALYZE read into an operator tree: rows per operator, row groups a scan read (zone-map
pruning on sorted data), a join's output, no timings in the rendering, and bad input named."""

from __future__ import annotations

import duckdb
import pytest

from sim.explain import explain_analyze, render, scans

ROWS = 300_000  # three row groups of DuckDB's 122,880 rows


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute("SET threads = 1")  # one writer fills each row group: the same row groups on any machine
    con.execute(f"CREATE TABLE shuffled AS SELECT range AS id, (hash(range) % 30)::INT AS day FROM range({ROWS})")
    con.execute("CREATE TABLE ordered AS SELECT * FROM shuffled ORDER BY day")
    yield con
    con.close()


def test_a_filter_on_a_sorted_column_skips_row_groups(con):
    shuffled = explain_analyze(con, "SELECT COUNT(*) FROM shuffled WHERE day = ?", [3])
    ordered = explain_analyze(con, "SELECT COUNT(*) FROM ordered WHERE day = ?", [3])
    (a,), (b,) = scans(shuffled), scans(ordered)
    assert (a.row_groups_scanned, a.row_groups_total) == (3, 3)
    assert (b.row_groups_scanned, b.row_groups_total) == (1, 3)
    assert a.rows == b.rows == con.execute("SELECT COUNT(*) FROM shuffled WHERE day = 3").fetchone()[0]
    assert a.detail["Table"].endswith("shuffled") and "day" in a.detail["Filters"]


def test_a_join_on_a_non_key_shows_its_output_rows(con):
    root = explain_analyze(con, "SELECT COUNT(*) FROM ordered a JOIN ordered b ON a.day = b.day WHERE a.id < 100")
    join = next(op for op in root.walk() if "JOIN" in op.name)
    assert join.rows > 100 * 9_000       # each of 100 rows meets ~10,000 rows of its day
    assert root.name == "UNGROUPED_AGGREGATE" and root.rows == 1


def test_render_shows_rows_and_row_groups_but_no_timings(con):
    text = render(explain_analyze(con, "SELECT COUNT(*) FROM ordered WHERE day = 3"))
    assert "row groups scanned 1 of 3" in text and "rows=1" in text
    assert "time" not in text.lower() and "µs" not in text


@pytest.mark.parametrize("sql", ["", "   ", None])
def test_explain_analyze_needs_a_query(con, sql):
    with pytest.raises(ValueError, match="non-empty string"):
        explain_analyze(con, sql)


def test_an_index_reads_a_few_rows_where_a_scan_reads_them_all(con):
    con.execute("CREATE TABLE indexed AS SELECT * FROM shuffled")
    con.execute("CREATE INDEX indexed_id ON indexed(id)")
    (seq,) = scans(explain_analyze(con, "SELECT * FROM shuffled WHERE id = ?", [4242]))
    (idx,) = scans(explain_analyze(con, "SELECT * FROM indexed WHERE id = ?", [4242]))
    assert seq.detail["Type"] == "Sequential Scan" and idx.detail["Type"] == "Index Scan"
    assert idx.rows == seq.rows == 1 and idx.rows_scanned < seq.rows_scanned
