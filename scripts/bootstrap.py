"""Create or refresh .venv from the lock file that matches the interpreter (run by `make`, with any python3).

Idempotent: the install runs only when the lock, pyproject.toml or the interpreter changed (a stamp file in
.venv records what was installed). Stdlib only, so it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED = [(3, 11), (3, 12), (3, 13)]


def lock_for(version: tuple[int, int]) -> Path:
    return ROOT / "requirements" / f"lock-py{version[0]}{version[1]}.txt"


def main(argv: list[str]) -> int:
    """Install if needed; with ``--check`` only report whether an install would run (exit 1 if so)."""
    venv_dir = Path(os.environ.get("VENV", ROOT / ".venv"))
    here = sys.version_info[:2]
    where = f"Python {sys.version.split()[0]} ({sys.executable})"
    if here not in SUPPORTED:
        wanted = ", ".join(f"{a}.{b}" for a, b in SUPPORTED)
        print(f"Refusing {where}: the kit is locked for Python {wanted}. "
              f"Install one of those and run e.g. `make test PYTHON=python3.11`.", file=sys.stderr)
        return 1
    lock = lock_for(here)
    stamp_text = "\n".join([
        sys.version,
        hashlib.sha256(lock.read_bytes()).hexdigest(),
        hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest(),
    ])
    venv_python = venv_dir / "bin" / "python"
    stamp = venv_dir / ".kit-installed"
    if stamp.exists() and venv_python.exists() and stamp.read_text() == stamp_text:
        print(f"Using {where} via {venv_dir.name}/ ({lock.name}): up to date, nothing to install.")
        return 0
    if "--check" in argv:
        print(f"{venv_dir.name}/ is missing or out of date for {lock.name}: `make setup` would install.")
        return 1

    print(f"Using {where}; installing {lock.name} into {venv_dir.name}/ (first time: a few minutes).", flush=True)
    if venv_python.exists() and _version_of(venv_python) != here:
        print(f"{venv_dir.name}/ was made with another Python: recreating it.", flush=True)
        venv.EnvBuilder(clear=True, with_pip=True).create(venv_dir)
    elif not venv_python.exists():
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    pip = [str(venv_python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "-r", str(lock)], check=True)
    # the kit itself, editable, without touching the locked set
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    stamp.write_text(stamp_text)
    print(f"Installed. {venv_dir.name}/ is ready.")
    return 0


def _version_of(python: Path) -> tuple[int, int] | None:
    out = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2])"],
                         capture_output=True, text=True)
    return tuple(int(x) for x in out.stdout.split()) if out.returncode == 0 else None  # type: ignore[return-value]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
