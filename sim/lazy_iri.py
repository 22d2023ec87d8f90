"""Start Airflow about a second sooner: build the IRI grammar of ``rfc3987_syntax`` when it is first used.

Every process that imports Airflow imports jsonschema (Airflow's providers manager validates each installed
provider's metadata with it), and jsonschema's format module imports ``rfc3987_syntax`` for its ``iri`` and
``iri-reference`` format checks. That package builds 35 Earley parsers (lark) while it is imported: about
1 s of CPU, some 40% of ``import airflow.sdk``, paid by every notebook kernel, test worker and runner
process. Nothing the kit runs checks an ``iri`` format: Airflow's validators check no formats at all.

``defer_iri_grammar()`` puts a stand-in for the package in ``sys.modules``. Its ``is_valid_syntax`` (the one
name jsonschema imports) and every other attribute load the real module on first use and then behave as
it does, so a check that is made runs the real parser - nothing is skipped; one never made costs nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

PACKAGE = "rfc3987_syntax"


def defer_iri_grammar() -> None:
    """Install the stand-in, unless the package is already imported or not installed."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.submodule_search_locations is None:
        return
    stand_in = types.ModuleType(PACKAGE, "rfc3987_syntax, loaded on first use (see sim.lazy_iri)")
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    stand_in.__path__ = list(spec.submodule_search_locations)  # so that its submodules import as usual

    def load() -> types.ModuleType:
        """The real module (``from .syntax_helpers import *`` is all the package's __init__ does)."""
        helpers = importlib.import_module(f"{PACKAGE}.syntax_helpers")  # built once, then cached
        if "__getattr__" in vars(stand_in):
            del stand_in.__getattr__
            public = {k: v for k, v in vars(helpers).items() if not k.startswith("_")}
            stand_in.__dict__.update(public, __all__=sorted(public))
        return helpers

    def is_valid_syntax(term: str, value: str) -> bool:
        return load().is_valid_syntax(term, value)

    def __getattr__(name: str) -> object:  # noqa: N807 - a module's __getattr__ (PEP 562)
        if name.startswith("__") and name != "__all__":
            raise AttributeError(name)
        load()
        return getattr(stand_in, name)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = __getattr__
    sys.modules[PACKAGE] = stand_in
