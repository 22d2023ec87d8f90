"""Where the sim keeps its state: DuckDB warehouse files, the Airflow home, logs.

One directory per run of the sim. Default: ``.state/`` at the top of the kit checkout; the environment
variable ``KIT_STATE_DIR`` (or an explicit argument) puts it elsewhere, e.g. a pytest tmp dir.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
DAGS_DIR = KIT_ROOT / "solutions" / "dags"


def state_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve (and create) the state directory."""
    chosen = Path(path or os.environ.get("KIT_STATE_DIR") or KIT_ROOT / ".state").resolve()
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def reap_stale(state: Path, *patterns: str) -> None:
    """Delete the ``<name>-<pid>`` (or ``<name>-<pid>-<suffix>``) folders in ``state`` whose process is gone
    (killed before it cleaned up)."""
    for pattern in patterns:
        for folder in state.glob(pattern):
            pid = folder.name.split("-")[1]
            if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, owned by another user
        pass
    return True
