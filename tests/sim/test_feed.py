"""Partner feed damage (sim.feed): the API serves one day with named defects, the source stays the truth."""

from __future__ import annotations

import datetime as dt
import os

import pytest
import requests

from sim.feed import UNKNOWN_STATUS, plan

DAY = "2025-09-30"
RECORDS = [{"appointment_id": i, "client_id": 100 + i, "appointment_date": DAY if i <= 40 else "2025-09-29",
            "status": "completed"} for i in range(1, 61)]


def served(world, day=DAY):
    token = os.environ["AIRFLOW_VAR_PARTNER_API_KEY"]
    response = requests.get(f"{world.partner.BASE_URL}/appointments", timeout=5,
                            params={"start_date": day, "end_date": day, "per_page": 100},
                            headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.json()["appointments"]


def test_plan_is_seeded_distinct_and_only_touches_the_day():
    defects = {"null_client_id": 0.1, "orphan_client_id": 2, "duplicate_appointment_id": 2, "unknown_status": 1,
               "missing_records": 3}
    damage = plan(RECORDS, DAY, defects, seed=7, orphan_base=9000)
    again = plan(RECORDS, DAY, dict(reversed(list(defects.items()))), seed=7, orphan_base=9000)
    assert {k: v.ids for k, v in damage.injected.items()} == {k: v.ids for k, v in again.injected.items()}
    ids = [i for v in damage.injected.values() for i in v.ids]
    assert len(ids) == len(set(ids)) == 4 + 2 + 2 + 1 + 3
    assert all(i <= 40 for i in ids)  # only the day's records
    assert damage.injected["orphan_client_id"].detail == {"client_ids": [9000, 9001]}
    assert plan(RECORDS, DAY, defects, seed=8, orphan_base=9000).injected != damage.injected

    out = damage(RECORDS)
    by_id = {}
    for row in out:
        by_id.setdefault(row["appointment_id"], []).append(row)
    assert all(by_id[i][0]["client_id"] is None for i in damage.injected["null_client_id"].ids)
    assert [by_id[i][0]["client_id"] for i in damage.injected["orphan_client_id"].ids] == [9000, 9001]
    assert all(len(by_id[i]) == 2 for i in damage.injected["duplicate_appointment_id"].ids)
    assert all(by_id[i][0]["status"] == UNKNOWN_STATUS for i in damage.injected["unknown_status"].ids)
    assert not set(damage.injected["missing_records"].ids) & set(by_id)
    assert len(out) == 60 + 2 - 3
    assert RECORDS[0]["client_id"] == 101 and all(r["status"] == "completed" for r in RECORDS)  # input untouched


@pytest.mark.parametrize("defects, message", [
    ({"typo": 1}, "unknown feed defect"),
    ({"null_client_id": 0}, "fraction"),
    ({"orphan_client_id": 0}, "positive count"),
    ({"missing_records": True}, "positive count"),
    ({"orphan_client_id": 41}, "only has"),
])
def test_plan_refuses_what_it_cannot_do(defects, message):
    with pytest.raises(ValueError, match=message):
        plan(RECORDS, DAY, defects, seed=7, orphan_base=9000)


def test_world_serves_the_damage_and_heals(world):
    truth = served(world)
    injected = world.damage_partner_feed(dt.date(2025, 9, 30), null_client_id=0.1, orphan_client_id=2,
                                         duplicate_appointment_id=1)
    damaged = served(world)
    assert len(damaged) == len(truth) + 1
    nulls = sorted(r["appointment_id"] for r in damaged if r["client_id"] is None)
    assert tuple(nulls) == injected["null_client_id"].ids
    top = world.warehouse.query("SELECT MAX(CLIENT_ID) FROM BACKEND.PUBLIC.CLIENTS")[0][0]
    assert injected["orphan_client_id"].detail["client_ids"] == [top + 1000, top + 1001]
    assert served(world, "2025-09-29") == served(world, "2025-09-29")  # other days untouched
    # the source system and the marts stay the truth
    assert world.warehouse.query("SELECT COUNT(*) FROM BACKEND.PUBLIC.APPOINTMENTS WHERE CLIENT_ID IS NULL") == [(0,)]
    assert world.warehouse.query("SELECT COUNT(*) FROM FCT_APPOINTMENTS WHERE CLIENT_ID IS NULL") == [(0,)]
    world.heal_partner_feed()
    assert served(world) == truth
    world.damage_partner_feed(DAY, missing_records=2)
    world.generate()  # new data: old damage no longer applies
    assert world.partner.transform is None
