"""Child process of ``interview.tasks.grade``: ``python -m interview.grade_task KIND TASK_FOLDER FILE``.

Prints the ``Verdict`` as one JSON line, last on stdout (the candidate's prints come before it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from interview.tasks import check_here, load


def main(argv: list[str]) -> int:
    kind, folder, file = argv
    print(check_here(load(kind, Path(folder)), Path(file)).to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
