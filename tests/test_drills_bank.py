"""The drill bank proven drill by drill: every reference and alternative passes the visible and every hidden
dataset, every named common mistake is rejected where the bank says (visible or hidden data), and every drill
has at least three mistakes, at least one of them caught only by hidden data."""

from __future__ import annotations

import pytest

from drills import bank, datasets
from drills.grade import grade, reference

DRILLS = bank.load()
IDS = [d.id for d in DRILLS]


def test_the_bank_loads_with_unique_ids_and_complete_entries():
    assert len(IDS) == len(set(IDS)) >= 10
    for d in DRILLS:
        assert d.hints and d.alternatives and d.explanation, d.id
        assert len(d.wrong) >= 3, f"{d.id}: at least three named mistakes"
        assert any(w.caught != "visible" for w in d.wrong), f"{d.id}: one mistake only hidden data catches"
        assert set(d.hidden) <= set(datasets.HIDDEN) and d.hidden, d.id


@pytest.mark.slow
@pytest.mark.parametrize("drill", DRILLS, ids=IDS)
def test_reference_and_alternatives_pass_everywhere(drill):
    outcome = reference(drill, "visible", __import__("drills.engine", fromlist=["scratch"]).scratch())
    assert [c.upper() for c in outcome.columns] == list(drill.columns)
    assert outcome.rows, f"{drill.id}: the visible data should give the candidate something to see"
    for sql in [drill.solution] + [a.sql for a in drill.alternatives]:
        result = grade(drill, sql)
        assert result.passed, f"{drill.id}: {result.message}\n{sql}"
        assert result.message.endswith(f"and {len(drill.hidden)} hidden cases.")


@pytest.mark.slow
@pytest.mark.parametrize("drill", DRILLS, ids=IDS)
def test_common_mistakes_fail_where_the_bank_says(drill):
    for wrong in drill.wrong:
        result = grade(drill, wrong.sql)
        assert not result.passed, f"{drill.id}: mistake '{wrong.name}' passed"
        where = result.case or result.stage  # the dataset it first failed on (refusals have none)
        assert where == wrong.caught, f"{drill.id}: '{wrong.name}' failed at {where}: {result.message}"
        if result.stage == "hidden":
            # only the kind of case is named, never rows or counts
            assert result.message == (
                f"{drill.id}: right on the visible data, but wrong on a hidden case: "
                f"when {datasets.describe(result.case)}."
            )
