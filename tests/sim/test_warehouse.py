from __future__ import annotations

import pytest

from sim.warehouse import Warehouse


def test_connect_before_start_is_a_clear_error(tmp_path):
    with pytest.raises(RuntimeError, match="not started"):
        Warehouse(tmp_path).connect()


def test_cursor_closes_connection_when_the_body_raises(world):
    with pytest.raises(Exception, match="(?i)fct_nope"):
        with world.warehouse.cursor() as cur:
            cur.execute("SELECT * FROM fct_nope")
    assert world.warehouse.query("SELECT 1") == [(1,)]


def test_real_mode_needs_credentials_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KIT_SNOWFLAKE_MODE", "real")
    for v in ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_USER", "SNOWFLAKE_PASSWORD"):
        monkeypatch.delenv(v, raising=False)
    with Warehouse(tmp_path) as wh, pytest.raises(RuntimeError, match="SNOWFLAKE_ACCOUNT"):
        wh.connect()


# -- aggregates stay exact where Snowflake keeps them exact --------------------------------------------------


@pytest.fixture
def money(tmp_path):
    """A bare warehouse with a NUMBER(12,2), an integer, a FLOAT and a text column."""
    with Warehouse(tmp_path) as wh:
        with wh.cursor() as cur:
            cur.execute("CREATE TABLE T (AMOUNT NUMBER(12, 2), N INTEGER, F FLOAT, TXT VARCHAR, K VARCHAR)")
            cur.execute("INSERT INTO T VALUES (0.10, 1, 0.10, '0.10', 'a'), (0.20, 2, 0.20, '0.20', 'a'), "
                        "(19.99, 2, 19.99, '19.99', 'b')")
        yield wh


def _typed(wh, sql):
    with wh.cursor() as cur:
        cur.execute(sql)
        row = cur.fetchone()
        return [(type(v).__name__, v) for v in row], [d.name for d in cur.description]


def test_sum_and_avg_over_number_are_exact_decimals(money):
    from decimal import Decimal

    values, names = _typed(money, "SELECT SUM(AMOUNT), AVG(AMOUNT), SUM(N), AVG(N) FROM T")
    assert values == [("Decimal", Decimal("20.29")), ("Decimal", Decimal("6.76333333")),  # 2 + 6 decimals
                      ("int", 5), ("Decimal", Decimal("1.666667"))]  # Snowflake: AVG(1, 2, 2) = 1.666667
    assert names == ["SUM(AMOUNT)", "AVG(AMOUNT)", "SUM(N)", "AVG(N)"]  # Snowflake's column names


def test_exact_through_aliases_qualifiers_joins_and_groups(money):
    from decimal import Decimal

    values, names = _typed(money, "SELECT SUM(t.AMOUNT) AS total FROM T t JOIN (SELECT 1 AS one) o ON TRUE")
    assert (values, names) == ([("Decimal", Decimal("20.29"))], ["TOTAL"])
    rows = money.query("SELECT K, SUM(AMOUNT) FROM T GROUP BY K ORDER BY K")
    assert rows == [("a", Decimal("0.30")), ("b", Decimal("19.99"))]


def test_the_syllabus_subtraction_fails_as_on_snowflake(money):
    [(total,)] = money.query("SELECT SUM(AMOUNT) FROM T")
    with pytest.raises(TypeError, match="'decimal.Decimal' and 'float'"):
        abs(total - 20.29)  # response.json()'s float


def test_text_and_floats_still_behave_as_snowflake(money):
    values, _ = _typed(money, "SELECT SUM(TXT), SUM(F), AVG(F) FROM T")  # Snowflake casts text implicitly
    assert [t for t, _ in values] == ["float", "float", "float"]
    assert values[0][1] == pytest.approx(20.29)


def test_what_stays_a_double_in_the_sim(money):
    """The documented gaps: a CTE's column, an expression, a window (cast inside the aggregate there)."""
    values, _ = _typed(money, "WITH c AS (SELECT AMOUNT FROM T) SELECT SUM(AMOUNT), "
                              "(SELECT SUM(AMOUNT * 1) FROM T) FROM c")
    assert [t for t, _ in values] == ["float", "float"]
    values, _ = _typed(money, "SELECT SUM(AMOUNT) OVER () FROM T")
    assert values[0][0] == "float"
    values, _ = _typed(money, "WITH c AS (SELECT AMOUNT FROM T) SELECT SUM(AMOUNT::NUMBER(12, 2)) FROM c")
    assert values[0][0] == "Decimal"
