"""`python -m sim prepare`: create the state directory and the migrated Airflow metadata DB template, so the
first notebook does not pay for `airflow db migrate`. Run by `make lab` and `make test`; idempotent."""

from __future__ import annotations

import sys
import time


def prepare() -> None:
    from sim.paths import state_dir
    from sim.runner import CACHE_DIR, ensure_template

    state = state_dir()
    started = time.perf_counter()
    template, created = ensure_template()
    what = f"migrated in {time.perf_counter() - started:.0f} s" if created else "ready"
    print(f"Sim state in {state.name}/; Airflow metadata DB template {what} ({template.relative_to(CACHE_DIR.parent)}).")


def main(argv: list[str]) -> int:
    if argv[1:] != ["prepare"]:
        print("usage: python -m sim prepare", file=sys.stderr)
        return 2
    prepare()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
