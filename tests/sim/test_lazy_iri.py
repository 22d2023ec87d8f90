"""sim.lazy_iri: importing Airflow no longer builds the IRI grammar, and IRI format checks are unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

CHECKS = """
import json, sys
if sys.argv[1] == "deferred":
    import sim  # installs the stand-in before Airflow imports jsonschema
    import airflow.sdk  # noqa: F401
    built_by_import = "rfc3987_syntax.syntax_helpers" in sys.modules
else:
    built_by_import = None
from jsonschema import Draft202012Validator, FormatChecker

values = ["https://example.com/caf\\u00e9?q=1#top", "urn:isbn:0451450523", "//host/path",
          "relative/path", "http://exa mple.com", "http://example.com/%zz", "", "ht!tp://x"]
verdicts = {}
for fmt in ("iri", "iri-reference"):
    validator = Draft202012Validator({"format": fmt}, format_checker=FormatChecker())
    verdicts[fmt] = [validator.is_valid(v) for v in values]
import rfc3987_syntax
print(json.dumps({"built_by_import": built_by_import, "verdicts": verdicts,
                  "parse": str(rfc3987_syntax.parse("iri", "http://a/b").data)}))
"""


def _run(mode: str) -> dict:
    done = subprocess.run([sys.executable, "-c", CHECKS, mode], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_airflow_after_sim_leaves_the_grammar_unbuilt_and_checks_agree_with_the_real_package() -> None:
    deferred, eager = _run("deferred"), _run("eager")
    assert deferred["built_by_import"] is False
    assert deferred["verdicts"] == eager["verdicts"]  # the same real parser decides, on first use
    assert eager["verdicts"] == {"iri": [True, True, False, False, False, False, False, False],
                                 "iri-reference": [True, True, True, True, False, False, True, False]}
    assert deferred["parse"] == eager["parse"] == "iri"  # any other name loads the real module too
