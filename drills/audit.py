"""Prove a drill: grade its reference, its alternatives and its named mistakes, and list what disagrees with
the bank. The tests run this on every drill; run it yourself after writing one:

    python -m drills.audit                    # every drill
    python -m drills.audit DRILL_ID ...       # some

A drill is sound when the reference gives the visible data some rows, the reference and every alternative
pass the visible and every hidden dataset, and every named mistake fails first exactly where its ``caught``
says, a hidden failure naming only the kind of case.
"""

from __future__ import annotations

import sys

from . import bank, datasets, engine
from .grade import grade, reference


def audit(drill: bank.Drill) -> list[str]:
    """What is wrong with ``drill``; an empty list when the bank's claims all hold."""
    problems = []
    outcome = reference(drill, "visible", engine.scratch())
    if [c.upper() for c in outcome.columns] != list(drill.columns):
        problems.append(f"the reference returns {outcome.columns}, the prompt promises {drill.columns}")
    if not outcome.rows:
        problems.append("the reference returns no rows on the visible data: nothing for the candidate to see")
    for n, sql in enumerate([drill.solution] + [a.sql for a in drill.alternatives]):
        result = grade(drill, sql)
        what = "the reference" if n == 0 else f"alternative {n}"
        if not result.passed:
            problems.append(f"{what} fails: {result.message}")
        elif not result.message.endswith(f"and {len(drill.hidden)} hidden cases."):
            problems.append(f"{what}: unexpected verdict {result.message}")
    for wrong in drill.wrong:
        result = grade(drill, wrong.sql)
        where = result.case or result.stage  # the dataset it first failed on (refusals have none)
        if result.passed:
            problems.append(f"mistake '{wrong.name}' passes")
        elif where != wrong.caught:
            problems.append(f"mistake '{wrong.name}' is caught at {where}, not {wrong.caught}: {result.message}")
        elif result.stage == "hidden" and result.message != (
            f"{drill.id}: right on the visible data, but wrong on a hidden case: "
            f"when {datasets.describe(result.case)}."
        ):
            problems.append(f"mistake '{wrong.name}': a hidden failure must name only the case: {result.message}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ids = sys.argv[1:] if argv is None else argv
    drills = bank.by_id()
    unknown = [i for i in ids if i not in drills]
    if unknown:
        print(f"drills.audit: no drill {', '.join(unknown)}", file=sys.stderr)
        return 1
    failed = 0
    for drill in [drills[i] for i in ids] or list(drills.values()):
        problems = audit(drill)
        failed += bool(problems)
        print(f"{drill.id}: {'ok' if not problems else ''}")
        for problem in problems:
            print(f"  {problem}")
    print(f"{failed} drill(s) with problems")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
