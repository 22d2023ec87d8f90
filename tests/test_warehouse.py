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
