"""jupyter/: the Lab `make lab` starts is rooted at the kit, opens the working copy, asks no news question."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sim.paths import KIT_ROOT
from sim.services import free_port


def test_make_lab_puts_the_kits_jupyter_config_first():
    recipe = re.search(r"^lab:.*?(?=^\S)", (KIT_ROOT / "Makefile").read_text(), re.MULTILINE | re.DOTALL)
    assert recipe and "JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter" in recipe.group(0)
    assert "sync" in recipe.group(0).splitlines()[0]  # the working copy exists before Lab opens it


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port, token = free_port(), "kit-test"
    home = tmp_path_factory.mktemp("home")  # no user settings of this machine's account
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(KIT_ROOT / "jupyter"), "HOME": str(home),
           "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    jupyter = Path(sys.executable).parent / "jupyter"
    process = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", f"--IdentityProvider.token={token}",
         "--allow-root"], env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/api/status", params={"token": token}, timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("jupyter lab did not start")
            time.sleep(0.5)
        yield url, token
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_server_is_rooted_at_the_kit_wherever_it_starts(lab):
    url, token = lab
    listing = requests.get(f"{url}/api/contents/exercises", params={"token": token}, timeout=10)
    assert listing.status_code == 200  # "Reference answers: exercises/..." opens
    assert "pipeline.py" in {item["name"] for item in listing.json()["content"]}
    page = requests.get(f"{url}/lab", params={"token": token}, timeout=10, allow_redirects=False)
    assert page.status_code == 200
    root = requests.get(f"{url}/api/contents", params={"token": token}, timeout=10).json()
    assert {"notebooks", "solutions", "sim"} <= {item["name"] for item in root["content"]}


def test_no_news_prompt_and_no_update_check(lab):
    url, token = lab
    answer = requests.get(f"{url}/lab/api/settings/@jupyterlab/apputils-extension:notification",
                          params={"token": token}, timeout=10).json()
    properties = answer["schema"]["properties"]
    # the prompt "get notified about official Jupyter news?" appears only while fetchNews is "none"
    assert properties["fetchNews"]["default"] == "false"
    assert properties["checkForUpdates"]["default"] is False
    news = requests.get(f"{url}/lab/api/news", params={"token": token}, timeout=10).json()
    assert news["news"] == []
