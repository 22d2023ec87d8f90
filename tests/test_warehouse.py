from __future__ import annotations

import pytest

from sim.warehouse import Warehouse, validate_identifier


@pytest.mark.parametrize("name", ["fct_appointments", "CLIENT_ID", "_tmp$1"])
def test_plain_identifiers_pass(name):
    assert validate_identifier(name) == name.upper()


@pytest.mark.parametrize("name", ["", "1table", "fct; DROP TABLE x", "a b", "t--", "x'", '"q"', None, "a" * 300])
def test_anything_else_is_rejected(name):
    with pytest.raises(ValueError, match="invalid"):
        validate_identifier(name)


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
