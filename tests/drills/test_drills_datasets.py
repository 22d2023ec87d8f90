"""The drills' datasets: deterministic, and each hidden case really contains the edge it is named after."""

from __future__ import annotations

from collections import Counter
from datetime import date

from drills import datasets


def test_the_same_name_gives_the_same_rows():
    for case in datasets.CASES:
        assert datasets.build(case) == datasets.build(case)
        assert set(datasets.build(case)) == set(datasets.TABLES)


def test_the_visible_data_is_clean():
    data = datasets.build("visible")
    assert all(None not in row[:3] and row[8] is not None for row in data["APPOINTMENTS"])
    revenue = Counter()
    for row in data["APPOINTMENTS"]:
        if row[5] == "completed":
            revenue[row[2]] += row[8]
    assert len(set(revenue.values())) == len(revenue)  # no ties at the top, or anywhere
    assert len({r[0] for r in data["APPOINTMENTS"]}) == len(data["APPOINTMENTS"])


def test_each_hidden_case_plants_its_edge():
    ties = datasets.build("ties")["APPOINTMENTS"]
    per_clinician = Counter(r[2] for r in ties if r[5] == "completed")
    assert len(set(per_clinician.values())) == 1 and len(per_clinician) == 3  # three-way revenue tie
    assert Counter((r[1], r[4]) for r in ties).most_common(1)[0][1] == 2

    nulls = datasets.build("nulls")
    assert any(r[1] is None for r in nulls["APPOINTMENTS"]) and any(
        r[2] is None for r in nulls["APPOINTMENTS"]
    )
    assert any(r[8] is None and r[5] == "completed" for r in nulls["APPOINTMENTS"])
    assert any(r[2] is None for r in nulls["CLIENTS"])

    dup = datasets.build("duplicates")
    assert len(set(dup["APPOINTMENTS"])) < len(dup["APPOINTMENTS"])
    assert len({p[1] for p in dup["PAYMENTS"]}) < len(dup["PAYMENTS"])

    empty = datasets.build("empty_groups")
    assert {c[0] for c in empty["CLINICIANS"]} - {a[2] for a in empty["APPOINTMENTS"]}
    assert not [a for a in empty["APPOINTMENTS"] if date(2025, 1, 13) <= a[3] < date(2025, 1, 20)]

    single = datasets.build("single_row")
    assert all(len(single[t]) == 1 for t in ("CLINICIANS", "CLIENTS", "APPOINTMENTS", "PAYMENTS"))

    ends = {a[3] for a in datasets.build("month_ends")["APPOINTMENTS"]}
    assert {date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1)} <= ends


def test_every_case_has_words_for_the_candidate():
    assert all(datasets.describe(case) for case in datasets.CASES)
    assert "visible" not in datasets.HIDDEN
