"""Without ``history=`` the source is exactly what ``sim.data`` generates and the partner has no change feed;
with it, the marts and the first versions of the source are the very same data."""

from __future__ import annotations

import hashlib

import requests

URL = "https://api.partner.com/v1/appointments"
MARTS = ("FCT_APPOINTMENTS", "FCT_PAYMENTS", "DIM_CLIENTS", "DIM_CLINICIANS")
SOURCE = ("APPOINTMENTS", "PAYMENTS", "CLIENTS")


def digest(world, sql: str) -> str:
    return hashlib.sha256(repr(world.warehouse.duckdb().execute(sql).fetchall()).encode()).hexdigest()


def test_without_history_the_source_is_untouched_and_there_is_no_feed(start_world):
    plain = start_world()
    assert plain.history is None
    duck = plain.warehouse.duckdb()
    for table in SOURCE:
        assert duck.execute("SELECT column_name FROM duckdb_columns() WHERE database_name = 'BACKEND' "
                            "AND column_name = 'UPDATED_AT' AND table_name = ?", [table]).fetchall() == []
    assert duck.execute("SELECT schema_name FROM duckdb_schemas() WHERE database_name = 'BACKEND' "
                        "AND schema_name = 'HISTORY'").fetchall() == []
    auth = {"Authorization": f"Bearer {plain.partner.token}"}
    answer = requests.get(URL, params={"updated_since": "2025-09-20T00:00:00"}, headers=auth, timeout=5)
    assert answer.status_code == 400 and "no change history" in answer.json()["message"]

    marts = {t: digest(plain, f"SELECT * FROM ANALYTICS.MARTS.{t} ORDER BY ALL") for t in MARTS}
    source = {t: digest(plain, f"SELECT * FROM BACKEND.PUBLIC.{t} ORDER BY ALL") for t in SOURCE}
    changing = start_world(history=True)
    assert {t: digest(changing, f"SELECT * FROM ANALYTICS.MARTS.{t} ORDER BY ALL") for t in MARTS} == marts
    assert {t: digest(changing, f"SELECT * EXCLUDE (UPDATED_AT) FROM BACKEND.HISTORY.{t}_ORIGINAL ORDER BY ALL")
            for t in SOURCE} == source


def test_the_served_sim_keeps_the_history_and_serves_the_change_feed_over_http(tmp_path):
    """``make airflow``'s sim (``sim.services.serve``) takes the same knob: the feed reaches a real worker."""
    from sim.services import serve

    with serve(tmp_path, history=True, requests_per_second=100) as services:
        deleted = services.history.of_kind("appointment_delete")[0]
        since = deleted.changed_at.replace(" ", "T")
        answer = requests.get(f"{services.partner_url}/appointments", params={"updated_since": since},
                              headers={"Authorization": f"Bearer {services.partner.token}"}, timeout=10)
        assert answer.status_code == 200
        first = answer.json()["appointments"][0]
        assert first == {"appointment_id": deleted.key, "deleted": True, "updated_at": since}
