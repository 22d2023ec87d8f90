"""The set-up a candidate trusts: locks, environment.yml, Makefile, README and CI agree with each other."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import environment_yml  # noqa: E402


def lock_pins(version: str) -> dict[str, str]:
    pins = environment_yml.pins((ROOT / "requirements" / f"lock-py{version}.txt").read_text())
    return {p.split("==")[0].lower(): p.split("==")[1].split(";")[0].strip() for p in pins}


def test_environment_yml_carries_exactly_the_311_lock():
    assert (ROOT / "environment.yml").read_text() == environment_yml.render(), \
        "environment.yml is stale: run `make lock` (or python3 scripts/environment_yml.py > environment.yml)"


@pytest.mark.parametrize("version", ["311", "312", "313"])
def test_each_lock_pins_the_stack_the_kit_is_written_for(version):
    pins = lock_pins(version)
    assert pins["apache-airflow"].startswith("3.3.")
    for provider in ("standard", "amazon", "snowflake"):
        assert f"apache-airflow-providers-{provider}" in pins
    assert pins["snowflake-connector-python"].startswith("4.")  # 5.x removed modules fakesnow imports
    assert pins["dbt-core"].startswith("1.11.")  # 1.12 downloads a binary at build time
    for name in ("fakesnow", "duckdb", "moto", "responses", "dbt-duckdb", "jupyterlab", "nbval", "pytest", "rich",
                 "fsrs", "genanki", "rapidfuzz"):
        assert name in pins, name


def test_installed_environment_matches_the_lock():
    from importlib.metadata import version

    pins = lock_pins(f"{sys.version_info[0]}{sys.version_info[1]}")
    for name in ("apache-airflow", "fakesnow", "snowflake-connector-python", "duckdb", "moto", "dbt-core"):
        assert version(name) == pins[name], name


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make lab", "make test"]
    assert readme.index("make lab") < 300
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def test_bootstrap_refuses_an_unsupported_python_and_says_why(tmp_path):
    """Run bootstrap.py as Python 3.10 would see itself (version faked), and check it refuses cleanly."""
    fake_310 = ("import runpy, sys; sys.version_info = (3, 10, 13, 'final', 0); sys.version = '3.10.13 (fake)'; "
                f"runpy.run_path({str(ROOT / 'scripts' / 'bootstrap.py')!r}, run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", fake_310], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "VENV": str(tmp_path / "venv")})
    assert done.returncode == 1
    assert "Refusing Python 3.10.13" in done.stderr and "3.11, 3.12, 3.13" in done.stderr
    assert not (tmp_path / "venv").exists()


def test_bootstrap_is_a_no_op_when_nothing_changed():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bootstrap.py"), "--check"],
                          capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "VENV": sys.prefix})
    assert done.returncode == 0, done.stderr
    assert "up to date, nothing to install" in done.stdout
