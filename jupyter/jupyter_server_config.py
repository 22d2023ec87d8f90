"""JupyterLab as `make lab` starts it (the Makefile puts this folder on JUPYTER_CONFIG_PATH; your own
~/.jupyter settings still win over these).

* The server is rooted at the kit's root, so every file a notebook names (``solutions/...``, ``sim/...``)
  opens from the file browser and from links; Lab opens your working copy ``work/00_start_here.ipynb``.
* ``jupyter/lab/overrides.json`` sets the kit's Lab defaults: no news feed, no update check (so no
  "get notified about official Jupyter news?" prompt), line numbers in code cells.
* Only 127.0.0.1 listens.
"""

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent

c = get_config()  # noqa: F821 (traitlets defines it while it reads this file)
c.ServerApp.root_dir = str(KIT_ROOT)
c.ServerApp.ip = "127.0.0.1"
c.LabApp.default_url = "/lab/tree/work/00_start_here.ipynb"
c.LabApp.app_settings_dir = str(KIT_ROOT / "jupyter" / "lab")
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.handlers.announcements.NeverCheckForUpdate"
