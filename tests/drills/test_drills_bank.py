"""The drill bank's shape: at least 80 drills, each complete (prompt, hints, reference, explanation, an
alternative, three named mistakes of which one only hidden data catches), every topic of the SQL round covered
by several drills of more than one difficulty, every group with its notebook. That the answers grade as the
bank says is proven drill by drill in ``test_drills_bank_proofs_1.py`` and ``_2.py``."""

from __future__ import annotations

import pytest

from drills import bank, datasets
from drills.audit import main as audit_main
from drills.notebook import GROUPS

DRILLS = bank.load()

# the SQL round's topics -> the tags that mark a drill as practising it
TOPICS = {
    "aggregation and HAVING": {"aggregation", "having"},
    "joins, anti- and semi-joins": {"anti-join", "semi-join", "self-join"},
    "top-N per group": {"top-n"},
    "ROW_NUMBER, RANK, DENSE_RANK": {"row_number", "rank", "dense_rank"},
    "LAG and LEAD": {"lag", "lead"},
    "running totals, moving averages, window frames": {"running-total", "moving-average", "frames"},
    "QUALIFY dedupe": {"qualify"},
    "gaps and islands, streaks": {"gaps-and-islands", "streaks"},
    "sessionization": {"sessionization"},
    "date spines and missing days": {"date-spine", "missing-days"},
    "cohort retention": {"cohort", "retention"},
    "funnels": {"funnel"},
    "percentiles and medians": {"percentiles", "median"},
    "pivot and unpivot": {"pivot", "unpivot"},
    "VARIANT paths, FLATTEN, LATERAL": {"semi-structured", "variant", "flatten", "lateral"},
    "MERGE upserts and SCD2": {"merge", "scd2"},
    "NULL semantics": {"nulls"},
    "integer division and rounding of money": {"integer-division", "rounding", "money"},
    "time zones": {"time-zones"},
}


def test_the_bank_holds_at_least_80_drills_with_unique_ids():
    ids = [d.id for d in DRILLS]
    assert len(ids) == len(set(ids)) >= 80


@pytest.mark.parametrize("drill", DRILLS, ids=[d.id for d in DRILLS])
def test_every_drill_is_complete(drill):
    assert drill.prompt and drill.hints and drill.explanation and drill.solution
    assert drill.alternatives, "at least one alternative approach"
    assert len(drill.wrong) >= 3, "at least three named common mistakes"
    assert len({w.name for w in drill.wrong}) == len(drill.wrong), "mistakes have distinct names"
    assert any(w.caught != "visible" for w in drill.wrong), "one mistake that only hidden data catches"
    assert drill.hidden and set(drill.hidden) <= set(datasets.HIDDEN)
    assert drill.group in GROUPS, "every group has its notebook"


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_several_drills_of_mixed_difficulty(topic):
    covering = [d for d in DRILLS if TOPICS[topic] & set(d.tags)]
    assert len(covering) >= 2, f"{topic}: {[d.id for d in covering]}"
    assert len({d.difficulty for d in covering}) >= 2, f"{topic}: one difficulty only"


def test_every_difficulty_is_well_represented():
    for level in bank.DIFFICULTIES:
        assert sum(d.difficulty == level for d in DRILLS) >= 15, level


def test_the_audit_command_names_an_unknown_drill(capsys):
    assert audit_main(["no-such-drill"]) == 1
    assert "no drill no-such-drill" in capsys.readouterr().err
