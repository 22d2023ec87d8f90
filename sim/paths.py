"""Where the sim keeps its state: DuckDB warehouse files, the Airflow home, logs.

One directory per run of the sim. Default: ``.state/`` at the top of the kit checkout; the environment
variable ``KIT_STATE_DIR`` (or an explicit argument) puts it elsewhere, e.g. a pytest tmp dir.
"""

from __future__ import annotations

import os
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
DAGS_DIR = KIT_ROOT / "solutions" / "dags"


def state_dir(path: str | os.PathLike | None = None) -> Path:
    """Resolve (and create) the state directory."""
    chosen = Path(path or os.environ.get("KIT_STATE_DIR") or KIT_ROOT / ".state").resolve()
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen
