from __future__ import annotations

import pytest

from payloads import INJECTIONS

from solutions.sql import quote_identifier, quote_table, validate_identifier


@pytest.mark.parametrize("name", ["fct_appointments", "CLIENT_ID", "_tmp$1"])
def test_plain_identifiers_pass(name):
    assert validate_identifier(name) == name.upper()
    assert quote_identifier(name) == f'"{name.upper()}"'


@pytest.mark.parametrize("name", INJECTIONS)
def test_anything_else_is_rejected(name):
    with pytest.raises(ValueError, match="invalid"):
        validate_identifier(name)
    with pytest.raises(ValueError, match="invalid"):
        quote_table(name)


def test_qualified_names():
    assert quote_table("analytics.marts.fct_appointments") == '"ANALYTICS"."MARTS"."FCT_APPOINTMENTS"'
    with pytest.raises(ValueError, match="invalid table name"):
        quote_table("a.b.c.d")
