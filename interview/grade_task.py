"""Child process of ``interview.tasks.grade``: ``python -m interview.grade_task KIND TASK_ID FILE``.

Prints the ``Verdict`` as one JSON line, last on stdout (the candidate's prints come before it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from interview.tasks import Verdict, import_file, task


def main(argv: list[str]) -> int:
    kind, task_id, file = argv
    started = time.monotonic()
    t = task(kind, task_id)
    checks = import_file(t.folder / "checks.py", f"interview_checks_{task_id}")
    results = tuple(checks.check(Path(file)))
    print(Verdict(task_id, results, seconds=time.monotonic() - started).to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
