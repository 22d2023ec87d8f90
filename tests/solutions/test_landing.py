"""solutions.landing against the simulated warehouse: bulk COPY INTO (never a statement per row), one copy per
appointment after any number of re-runs, a failed load rolls back, and table names cannot inject SQL."""

from __future__ import annotations

import json

import pytest
from payloads import INJECTIONS

from solutions.landing import TABLE, day_counts, land_day

DAY = "2025-09-10"


class Recorder:
    """A connection whose cursors record every statement they execute."""

    def __init__(self, conn) -> None:
        self.conn = conn
        self.statements: list[str] = []

    def cursor(self):
        recorder = self
        inner = self.conn.cursor()

        class Cursor:
            def execute(self, sql, params=None):
                recorder.statements.append(" ".join(sql.split()))
                return inner.execute(sql, params)

            def __getattr__(self, name):
                return getattr(inner, name)

        return Cursor()

    def kinds(self) -> list[str]:
        return [s.split()[0].upper() for s in self.statements]


@pytest.fixture(scope="module")
def warehouse(start_module_world):
    return start_module_world(appointments=3000).warehouse


@pytest.fixture
def conn(warehouse):
    connection = warehouse.connect(database="RAW", schema="STAGING")
    connection.cursor().execute(f"DROP TABLE IF EXISTS {TABLE}")
    yield Recorder(connection)
    connection.close()


def records(n: int, start: int = 1, status: str = "completed") -> list[dict]:
    return [{"appointment_id": i, "client_id": 100000 + i % 50, "appointment_date": DAY, "status": status,
             "fee_amount": "150.00", "start_time": f"{DAY}T09:00:00"} for i in range(start, start + n)]


def rows(warehouse, day: str = DAY) -> list[tuple]:
    sql = f"SELECT APPOINTMENT_ID, RAW_DATA FROM {TABLE} WHERE LOAD_DATE = %s ORDER BY 1"
    return warehouse.query(sql, (day,))


@pytest.mark.parametrize("n", [1, 5, 2000])
def test_one_copy_into_and_one_insert_whatever_the_number_of_records(conn, n):
    result = land_day(conn, DAY, records(n))
    assert (result.copied, result.replaced, result.inserted) == (n, 0, n)
    kinds = conn.kinds()
    assert kinds.count("PUT") == 1 and kinds.count("COPY") == 1 and kinds.count("INSERT") == 1
    assert kinds == ["SELECT", "USE", "CREATE", "CREATE", "CREATE", "PUT", "COPY", "BEGIN", "DELETE",
                     "INSERT", "COMMIT", "DROP", "USE"]  # where the connection was, then back there
    assert not any("PARSE_JSON" in s.upper() for s in conn.statements)
    copy = next(s for s in conn.statements if s.startswith("COPY"))
    assert "FILE_FORMAT = (TYPE = JSON)" in copy and "FORCE = TRUE" in copy


def test_the_raw_json_arrives_whole(conn, warehouse):
    sent = records(30)
    land_day(conn, DAY, sent)
    landed = rows(warehouse)
    assert [a for a, _ in landed] == [r["appointment_id"] for r in sent]
    assert [json.loads(raw) for _, raw in landed] == sent


def test_a_rerun_leaves_exactly_one_copy_per_appointment(conn, warehouse):
    for _ in range(3):
        result = land_day(conn, DAY, records(400))
    assert (result.replaced, result.inserted) == (400, 400)
    assert day_counts(conn.conn) == [(DAY, 400, 400)]


def test_a_rerun_replaces_the_day_and_only_the_day(conn, warehouse):
    land_day(conn, "2025-09-09", records(50, start=1))
    land_day(conn, DAY, records(50, start=1001))
    land_day(conn, DAY, records(20, start=1001, status="cancelled"))  # the partner corrected the day
    assert day_counts(conn.conn) == [("2025-09-09", 50, 50), (DAY, 20, 20)]
    assert {json.loads(raw)["status"] for _, raw in rows(warehouse)} == {"cancelled"}


def test_duplicates_within_a_load_are_dropped(conn):
    batch = records(10) + records(3)
    result = land_day(conn, DAY, batch)
    assert (result.copied, result.inserted) == (10, 10)


def test_of_differing_copies_the_first_given_is_kept(warehouse, conn):
    """Not whichever copy the warehouse happens to order first: the same rule as the extractor's dedupe."""
    batch = records(3, status="completed") + records(3, status="cancelled")
    land_day(conn, DAY, batch)
    assert {json.loads(raw)["status"] for _, raw in rows(warehouse)} == {"completed"}
    land_day(conn, DAY, batch[::-1])
    assert {json.loads(raw)["status"] for _, raw in rows(warehouse)} == {"cancelled"}


def test_an_empty_day_empties_the_day(conn):
    land_day(conn, DAY, records(10))
    result = land_day(conn, DAY, [])
    assert (result.copied, result.replaced, result.inserted) == (0, 10, 0)
    assert day_counts(conn.conn) == []
    assert "PUT" not in conn.kinds()[-5:]


def test_a_failed_load_rolls_back_and_keeps_the_previous_copy(conn, warehouse):
    land_day(conn, DAY, records(10))
    bad = records(5) + [{"appointment_id": "not-a-number"}]
    with pytest.raises(Exception):  # noqa: B017 - the warehouse's conversion error
        land_day(conn, DAY, bad)
    assert conn.kinds()[-2:] == ["ROLLBACK", "USE"]
    assert day_counts(conn.conn) == [(DAY, 10, 10)]


@pytest.mark.parametrize("bad", [[{"status": "x"}], ["not an object"], [{"appointment_id": None}]])
def test_records_without_an_id_are_refused_before_any_statement(conn, bad):
    with pytest.raises(ValueError, match="appointment_id"):
        land_day(conn, DAY, bad)
    assert conn.statements == []


@pytest.mark.parametrize("day", ["2025-09-10; DROP TABLE x", "yesterday", "", "2025-13-01"])
def test_the_load_date_must_be_a_date(conn, day):
    with pytest.raises(ValueError):
        land_day(conn, day, records(1))
    assert conn.statements == []


def _tables(warehouse) -> set[tuple[str, str, str]]:
    found = set()
    for database in ("RAW", "ANALYTICS", "BACKEND"):
        for row in warehouse.query(f"SHOW TERSE TABLES IN DATABASE {database}"):
            found.add((row[3], row[4], row[1]))
    return found


QUALIFIED = [f"RAW.STAGING.{p}" for p in INJECTIONS if isinstance(p, str)]


@pytest.mark.parametrize("name", [*INJECTIONS, *QUALIFIED])
def test_table_names_cannot_inject_sql(conn, warehouse, name):
    before = _tables(warehouse)
    with pytest.raises(ValueError, match="invalid"):
        land_day(conn, DAY, records(3), table=name)
    assert conn.statements == []  # refused before anything reached the warehouse
    assert _tables(warehouse) == before
    assert ("ANALYTICS", "MARTS", "DIM_CLIENTS") in before


def test_enough_payloads():
    assert len(INJECTIONS) >= 20


def test_another_valid_table_name_works(conn, warehouse):
    result = land_day(conn, DAY, records(4), table="raw.staging.partner_appointments_v2")
    assert result.table == '"RAW"."STAGING"."PARTNER_APPOINTMENTS_V2"' and result.inserted == 4
    assert warehouse.query('SELECT COUNT(*) FROM RAW.STAGING.PARTNER_APPOINTMENTS_V2') == [(4,)]


def _where(connection) -> tuple:
    cur = connection.cursor()
    cur.execute("SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()")
    return cur.fetchone()


def test_the_callers_database_and_schema_are_restored(warehouse):
    connection = warehouse.connect(database="ANALYTICS", schema="MARTS")
    try:
        land_day(connection, DAY, records(3), table="RAW.STAGING.RESTORE_CHECK")
        assert _where(connection) == ("ANALYTICS", "MARTS")
        assert connection.cursor().execute("SELECT COUNT(*) FROM FCT_APPOINTMENTS").fetchone()[0] > 0
        with pytest.raises(Exception):  # noqa: B017 - the warehouse's conversion error
            land_day(connection, DAY, [{"appointment_id": "x"}], table="RAW.STAGING.RESTORE_CHECK")
        assert _where(connection) == ("ANALYTICS", "MARTS")
    finally:
        connection.close()


def test_staged_files_live_in_the_world_and_fakesnows_temp_folder_goes_at_exit(tmp_path):
    """fakesnow makes a fakesnow_bucket_* folder in the temp directory at import and never removes it."""
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sim\n"
        "from fakesnow.transforms import stage\n"
        "print(stage.LOCAL_BUCKET_PATH)\n"
        f"world = sim.start(appointments=300, state={str(tmp_path)!r})\n"
        "print(stage.LOCAL_BUCKET_PATH)\n"
        "from solutions.landing import land_day\n"
        "conn = world.warehouse.connect(database='RAW', schema='STAGING')\n"
        "land_day(conn, '2025-09-10', [{'appointment_id': 1}])\n"
        "conn.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    fakesnows, ours = done.stdout.split()
    assert Path(fakesnows).name.startswith("fakesnow_bucket_") and not Path(fakesnows).exists()
    assert Path(ours).is_relative_to(tmp_path) and not Path(ours).exists()  # in the world's folder, gone
    assert list(tmp_path.glob("run-*")) == []
