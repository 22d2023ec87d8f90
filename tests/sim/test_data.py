"""The generator: deterministic by seed, and the manifest equals what SQL finds."""

from __future__ import annotations

import datetime as dt

import pytest

from sim import data

ALL_DEFECTS = {
    "null_client_id": 0.05,
    "orphan_client_id": 3,
    "duplicate_appointment_id": 2,
    "out_of_range_date": 2,
    "missing_day": True,
    "missing_payment": 2,
    "duplicate_payment": 1,
    "misamounted_payment": 2,
}
TABLES = ["ANALYTICS.MARTS.FCT_APPOINTMENTS", "ANALYTICS.MARTS.FCT_PAYMENTS", "ANALYTICS.MARTS.DIM_CLIENTS",
          "ANALYTICS.MARTS.DIM_CLINICIANS", "BACKEND.PUBLIC.PAYMENTS", "RAW.STAGING.RAW_APPOINTMENTS"]


def content_hash(world, table: str) -> str:
    """md5 over every row rendered as text, in sorted order: equal iff the table contents are equal."""
    duck = world.warehouse.duckdb()
    return duck.execute(f"SELECT md5(string_agg(t::VARCHAR, '\n' ORDER BY t::VARCHAR)) FROM {table} t").fetchone()[0]


def test_same_seed_same_tables_other_seed_other_tables(start_world):
    first = {t: content_hash(start_world(seed=11, defects=ALL_DEFECTS), t) for t in TABLES}
    again = {t: content_hash(start_world(seed=11, defects=ALL_DEFECTS), t) for t in TABLES}
    other = {t: content_hash(start_world(seed=12, defects=ALL_DEFECTS), t) for t in TABLES}
    assert first == again
    assert all(first[t] != other[t] for t in TABLES)


def test_clean_world_shape(world):
    q = world.warehouse.query
    (n, days, first, last), = q("SELECT COUNT(*), COUNT(DISTINCT appointment_date), MIN(appointment_date), "
                                "MAX(appointment_date) FROM fct_appointments")
    assert n == data.APPOINTMENTS and days == data.DAYS
    assert (first, last) == (data.START, data.START + dt.timedelta(days=data.DAYS - 1))
    assert q("SELECT COUNT(*) FROM fct_appointments WHERE client_id IS NULL") == [(0,)]
    assert q("SELECT COUNT(*) FROM fct_appointments a LEFT JOIN dim_clients c USING (client_id) "
             "WHERE c.client_id IS NULL") == [(0,)]
    # one payment per completed appointment, same amount as the fee
    assert q("SELECT COUNT(*) FROM fct_appointments WHERE status = 'completed'") == \
        q("SELECT COUNT(*) FROM fct_payments")
    assert q("SELECT COUNT(*) FROM fct_payments p JOIN fct_appointments a USING (appointment_id) "
             "WHERE p.payment_amount <> a.fee_amount") == [(0,)]
    assert world.manifest.defects == {}


def test_manifest_equals_what_sql_finds(start_world):
    world = start_world(defects=ALL_DEFECTS, defect_day="2025-09-20")
    m, q = world.manifest, world.warehouse.query
    day = dt.date(2025, 9, 20)
    assert m.defect_day == "2025-09-20"

    def ids(sql, *params):
        return tuple(r[0] for r in q(sql, params))

    assert ids("SELECT appointment_id FROM fct_appointments WHERE client_id IS NULL ORDER BY 1") == \
        m.ids("null_client_id")
    day_total = q("SELECT COUNT(DISTINCT appointment_id) FROM backend.public.appointments "
                  "WHERE appointment_date = %s", (day,))[0][0]
    assert m.defects["null_client_id"].count == round(day_total * 0.05)
    assert ids("SELECT a.appointment_id FROM fct_appointments a LEFT JOIN dim_clients c USING (client_id) "
               "WHERE a.client_id IS NOT NULL AND c.client_id IS NULL ORDER BY 1") == m.ids("orphan_client_id")
    assert ids("SELECT appointment_id FROM fct_appointments GROUP BY 1 HAVING COUNT(*) > 1 ORDER BY 1") == \
        m.ids("duplicate_appointment_id")
    assert ids("SELECT appointment_id FROM fct_appointments WHERE appointment_date NOT BETWEEN %s AND %s "
               "ORDER BY 1", data.START, dt.date(2025, 9, 30)) == m.ids("out_of_range_date")
    missing = dt.date.fromisoformat(m.defects["missing_day"].day)
    assert q("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %s", (missing,)) == [(0,)]
    assert ids("SELECT appointment_id FROM backend.public.appointments WHERE appointment_date = %s ORDER BY 1",
               missing) == m.ids("missing_day")
    # payments: compare the marts with the backend truth for the defect day
    truth = dict(q("SELECT payment_id, payment_amount FROM backend.public.payments WHERE payment_date = %s",
                   (day,)))
    loaded = q("SELECT payment_id, payment_amount FROM fct_payments WHERE payment_date = %s", (day,))
    loaded_ids = [p for p, _ in loaded]
    assert tuple(sorted(set(truth) - set(loaded_ids))) == m.ids("missing_payment")
    assert tuple(sorted({p for p in loaded_ids if loaded_ids.count(p) > 1})) == m.ids("duplicate_payment")
    assert tuple(sorted({p for p, a in loaded if a != truth[p]})) == m.ids("misamounted_payment")
    assert m.defects["misamounted_payment"].detail["truth"] == [f"{truth[p]:.2f}" for p in m.ids("misamounted_payment")]


def test_defects_touch_disjoint_rows(start_world):
    m = start_world(defects=ALL_DEFECTS).manifest
    appointment_defects = ["null_client_id", "orphan_client_id", "duplicate_appointment_id", "out_of_range_date"]
    seen = [i for name in appointment_defects for i in m.ids(name)]
    assert len(seen) == len(set(seen))


def test_staging_holds_the_defect_day_as_json(world):
    rows = world.warehouse.query("SELECT raw_data:appointment_date::varchar, COUNT(*) FROM raw_appointments "
                                 "GROUP BY 1", database="RAW", schema="STAGING")
    typed = world.warehouse.query("SELECT COUNT(*) FROM analytics.staging.appointments")[0][0]
    assert rows == [(world.manifest.defect_day, typed)] and typed > 0


@pytest.mark.parametrize("defects, message", [
    ({"nul_client_id": 0.1}, "unknown defect"),
    ({"null_client_id": 2}, "fraction"),
    ({"orphan_client_id": 0}, "positive count"),
    ({"duplicate_payment": "3"}, "positive count"),
    ({"missing_day": "yesterday"}, "True or a date"),
])
def test_bad_defects_are_rejected_with_a_clear_message(defects, message):
    with pytest.raises(ValueError, match=message):
        data.validate_defects(defects)


@pytest.mark.parametrize("kwargs, message", [
    ({"appointments": 10}, "between 50"),
    ({"appointments": 10**9}, "between 50"),
    ({"appointments": 1.5}, "between 50"),
    ({"defect_day": "2024-01-01"}, "outside the data range"),
    ({"defects": {"orphan_client_id": 10_000}}, "only has"),
])
def test_bad_scale_and_days_are_rejected(start_world, kwargs, message):
    with pytest.raises(ValueError, match=message):
        start_world(**kwargs)


def test_large_scale_runs_in_sql(start_world):
    """A mid-size run through the same code path the 10M benchmark uses (kept small for CI)."""
    world = start_world(appointments=200_000)
    assert world.warehouse.query("SELECT COUNT(*) FROM fct_appointments") == [(200_000,)]
