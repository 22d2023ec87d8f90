"""solutions.validation: the syllabus's validate_appointments corrected, and the syllabus's own version run
against the sim to pin down what was wrong with it."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pendulum
import pytest

from solutions.connections import open_connection
from solutions.days import as_date
from solutions.validation import day_to_validate, validate_appointments

MISSING_DAY = dt.date(2025, 9, 15)
NULL_DAY = dt.date(2025, 9, 30)  # the defect day: some client ids set to NULL
CLEAN_DAY = dt.date(2025, 9, 29)


@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world(defects={"missing_day": MISSING_DAY.isoformat(), "null_client_id": 0.05},
                              defect_day=NULL_DAY)


class Spy:
    """A connection factory over the sim that records statements and closes."""

    def __init__(self, world, fail: bool = False) -> None:
        self.world, self.fail = world, fail
        self.statements: list[tuple[str, object]] = []
        self.opened = self.closed = 0

    def __call__(self):
        spy = self
        real = self.world.warehouse.connect()
        self.opened += 1

        class Cursor:
            def __init__(self, cur):
                self.cur = cur

            def execute(self, sql, params=None):
                spy.statements.append((sql, params))
                if spy.fail:
                    raise RuntimeError("warehouse unavailable")
                return self.cur.execute(sql, params)

            def __getattr__(self, name):
                return getattr(self.cur, name)

        class Connection:
            def cursor(self):
                return Cursor(real.cursor())

            def close(self):
                spy.closed += 1
                real.close()

        return Connection()


def count(world, day: dt.date) -> int:
    return world.warehouse.query("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %s", (day,))[0][0]


def test_a_clean_day_passes(world, capsys) -> None:
    n = count(world, CLEAN_DAY)
    assert n > 0
    assert validate_appointments(CLEAN_DAY, world.warehouse.connect) == {"day": "2025-09-29", "appointments": n}
    assert capsys.readouterr().out == f"✓ Validation passed: {n} appointments on 2025-09-29\n"


def test_a_day_without_rows_fails(world) -> None:
    with pytest.raises(ValueError, match="^No appointments found for 2025-09-15$"):
        validate_appointments(MISSING_DAY, world.warehouse.connect)


def test_null_ids_fail_with_their_count(world) -> None:
    nulls = len(world.manifest.ids("null_client_id"))
    assert nulls > 0
    with pytest.raises(ValueError, match=f"^Found {nulls} records with null IDs on 2025-09-30$"):
        validate_appointments(NULL_DAY, world.warehouse.connect)


@pytest.mark.parametrize(("day", "fail", "error"), [
    (CLEAN_DAY, False, None),
    (MISSING_DAY, False, ValueError),
    (NULL_DAY, False, ValueError),
    (CLEAN_DAY, True, RuntimeError),  # the query itself fails
])
def test_the_connection_is_closed_on_every_path(world, day, fail, error) -> None:
    spy = Spy(world, fail=fail)
    if error is None:
        validate_appointments(day, spy)
    else:
        with pytest.raises(error):
            validate_appointments(day, spy)
    assert (spy.opened, spy.closed) == (1, 1)


def test_the_day_is_bound_not_pasted(world) -> None:
    spy = Spy(world)
    validate_appointments(CLEAN_DAY, spy)
    [(sql, params)] = spy.statements  # one scan of the day, not two
    assert "2025-09-29" not in sql and "%s" in sql
    assert params == (CLEAN_DAY,)


def test_a_quote_in_the_day_is_refused_before_any_sql(world) -> None:
    spy = Spy(world)
    with pytest.raises(ValueError):
        validate_appointments("2025-09-29' OR '1'='1", spy)
    assert spy.statements == [] and spy.opened == 0


def test_snowflake_hook_from_an_airflow_connection(world) -> None:
    """The idiomatic route: the Snowflake provider's hook, configured by AIRFLOW_CONN_SNOWFLAKE_DEFAULT."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    hook = SnowflakeHook(snowflake_conn_id="snowflake_default")
    assert validate_appointments(CLEAN_DAY, hook)["appointments"] == count(world, CLEAN_DAY)


def test_open_connection_refuses_other_things() -> None:
    with pytest.raises(TypeError, match="hook with get_conn"):
        open_connection("snowflake://user:password@account")


@pytest.mark.parametrize(("logical_date", "day"), [
    (pendulum.datetime(2025, 10, 1, 2, tz="UTC"), dt.date(2025, 9, 30)),
    (dt.datetime(2025, 9, 1, 2, tzinfo=dt.timezone.utc), dt.date(2025, 8, 31)),  # month boundary
    ("2025-03-01", dt.date(2025, 2, 28)),
    ("2025-10-01T02:00:00+00:00", dt.date(2025, 9, 30)),
    (dt.date(2024, 3, 1), dt.date(2024, 2, 29)),  # leap year
])
def test_day_to_validate_is_the_day_before(logical_date, day) -> None:
    assert day_to_validate(logical_date) == day


def test_as_date_rejects_other_types() -> None:
    with pytest.raises(TypeError):
        as_date(20250930)


# -- the syllabus's version, verbatim (only the Airflow wiring removed) -----------------------------------------


def syllabus_validate_appointments(**context):
    """
    Custom validation logic in Python.
    context provides access to execution date, task instance, etc.
    """
    import snowflake.connector

    # Get execution date from Airflow context
    execution_date = context['ds']  # YYYY-MM-DD string

    # Connect to Snowflake
    conn = snowflake.connector.connect(
        user='airflow_user',
        password='{{ var.value.snowflake_password }}',  # From Airflow variables
        account='simplepractice',
        warehouse='ANALYTICS_WH',
        database='ANALYTICS',
        schema='MARTS'
    )

    cursor = conn.cursor()

    # Check row count
    cursor.execute(f"""
        SELECT COUNT(*) FROM fct_appointments
        WHERE appointment_date = '{execution_date}'
    """)
    row_count = cursor.fetchone()[0]

    if row_count == 0:
        raise ValueError(f"No appointments found for {execution_date}")

    # Check for nulls in required fields
    cursor.execute(f"""
        SELECT COUNT(*) FROM fct_appointments
        WHERE appointment_date = '{execution_date}'
        AND (client_id IS NULL OR clinician_id IS NULL)
    """)
    null_count = cursor.fetchone()[0]

    if null_count > 0:
        raise ValueError(f"Found {null_count} records with null IDs")

    cursor.close()
    conn.close()

    print(f"✓ Validation passed: {row_count} appointments processed")


@pytest.fixture
def connections(world):
    """Every connection the syllabus's code opens, through the sim's patched connector."""
    import snowflake.connector

    opened = []
    real = snowflake.connector.connect

    def connect(*args, **kwargs):
        conn = real(*args, **kwargs)
        opened.append((kwargs, conn))
        return conn

    with mock.patch.object(snowflake.connector, "connect", connect):
        yield opened


def test_syllabus_passes_the_template_text_as_the_password(world, connections, capsys) -> None:
    syllabus_validate_appointments(ds=CLEAN_DAY.isoformat())
    [(kwargs, conn)] = connections
    assert kwargs["password"] == "{{ var.value.snowflake_password }}"  # never rendered: not a templated field
    assert conn.is_closed()
    assert "Validation passed" in capsys.readouterr().out


def test_syllabus_leaves_the_connection_open_when_a_check_fails(world, connections) -> None:
    with pytest.raises(ValueError, match="No appointments found"):
        syllabus_validate_appointments(ds=MISSING_DAY.isoformat())
    [(_, conn)] = connections
    assert not conn.is_closed()  # close() comes after the raise
    conn.close()


def test_syllabus_sql_is_injectable_through_its_date(world, connections) -> None:
    """The f-string pastes the value into the SQL: a quote in it rewrites the query (all rows pass)."""
    injected = f"{MISSING_DAY}' OR '1'='1"
    with pytest.raises(ValueError, match="null IDs"):  # the count check now sees the whole table
        syllabus_validate_appointments(ds=injected)
    connections[0][1].close()
