"""A secret scan of every tracked file (``git ls-files``): no credential literal may be committed.

The kit's secrets exist only as environment variables, random per run (``sim/world.py``). This scan keeps it
that way: AWS access keys and secret keys, private keys, Slack webhook URLs and tokens, GitHub tokens,
``password=`` / ``token=`` / ``api_key=`` style assignments with a literal value (Snowflake passwords
included: ``connect(password='...')``, ``SNOWFLAKE_PASSWORD=...``, ``snowflake://user:<password>@...``).

What is not a credential is allowed explicitly, in :data:`ALLOWED` below, each entry with its reason: the
fakes' obviously fake values and the syllabus's ``'{{ var.value.x }}'`` templates. A value that is a reference
rather than a literal (``$VAR``, ``${VAR}``, ``<placeholder>``, ``...``) is not reported either. A new fake
value fails this test until it is added to ``ALLOWED`` with its reason: that is the point.

The scanner is tested on planted examples in a temporary file (built at run time, so this file holds none).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# -- what a credential looks like ----------------------------------------------------------------------------

_NAME = (r"[A-Za-z0-9_]*(?:password|passwd|pwd|secret|token|api_?key|access_?key|private_?key|passphrase)"
         r"[A-Za-z0-9_]*")
RULES: dict[str, re.Pattern[str]] = {
    # AWS access key ids: AKIA (long-term), ASIA (temporary) and friends, 16 more upper-case letters/digits
    "aws_access_key_id": re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
    # an AWS secret access key: 40 base64-ish characters after its name
    "aws_secret_access_key": re.compile(
        r"(?i)aws_?secret_?access_?key[\"']?\]?[ \t]*[:=][ \t]*[\"']?"
        r"(?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"),
    "private_key": re.compile(
        r"-----BEGIN (?:(?:RSA|DSA|EC|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----"),
    # any Slack incoming-webhook or workflow URL: the URL itself is the secret
    "slack_webhook": re.compile(
        r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]+"),
    "slack_token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "github_token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b"),
    # password='...', "token": "...", api_key = "...", os.environ["SNOWFLAKE_PASSWORD"] = "..."
    "secret_assignment": re.compile(
        rf"(?i)\b(?P<name>{_NAME})[\"']?\]?[ \t]*(?:=|:)[ \t]*(?P<q>[\"'])(?P<value>[^\"'\n]+)(?P=q)"),
    # setdefault("SNOWFLAKE_PASSWORD", "..."), environ.get("API_TOKEN", "...") and (name, value) pairs
    "secret_argument": re.compile(
        r"[\"'](?P<name>[A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY)[A-Z0-9_]*)[\"'][ \t]*,[ \t]*"
        r"(?P<q>[\"'])(?P<value>[^\"'\n]+)(?P=q)"),
    # scheme://user:<password>@host (snowflake://, postgresql://, https://...)
    "url_credentials": re.compile(r"\b[a-z][a-z0-9+.\-]*://[^/\s:@'\"]+:(?P<value>[^/\s@'\"]+)@"),
}
# SNOWFLAKE_PASSWORD=hunter2 (unquoted) in shell, Makefile, YAML, TOML, .env, config and Markdown files
ENV_ASSIGNMENT = re.compile(
    r"(?m)^[ \t]*(?:export[ \t]+)?(?P<name>[A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|API_KEY|ACCESS_KEY)[A-Z0-9_]*)"
    r"[ \t]*[=:][ \t]*(?P<value>[^\s'\"#]+)")
ENV_FILES = ("*.sh", "*.env", ".env*", "*.cfg", "*.ini", "*.yml", "*.yaml", "*.toml", "*.md", "*.txt", "*.in",
             "*.conf", "Makefile", "*.mk", "*/run")

# A reference, not a literal: $VAR, ${VAR}, $(cmd), <placeholder>, {placeholder}, %s, ..., ***
REFERENCE = re.compile(r"^(?:\$|<[^>]*>$|\{[^{}]*\}$|%|\.\.\.$|\*+$)")


SLACK = "https://hooks.slack.com/services/"  # (a URL needs more than this to be reported)


@dataclass(frozen=True)
class Allowed:
    path: str  # fnmatch pattern on the repository-relative path
    value: str  # a regex the whole reported value must match
    why: str


ALLOWED = [
    # The syllabus's templates: inside a Python callable Airflow never renders them (notebooks 00/04/07/08
    # show this), so they are placeholders, never a value.
    Allowed("*", r"\{\{\s*var\.value\.\w+\s*\}\}", "the syllabus's '{{ var.value.x }}' template"),
    # moto's documented fake AWS credentials (the in-process S3 mock needs some; they open nothing).
    Allowed("sim/s3.py", "testing", "moto's fake AWS credentials"),
    Allowed("sim/services.py", "testing", "moto's fake AWS credentials, for the fakes served on loopback"),
    # The Slack fake's placeholder webhook, in the T000/B000/XXXX shape of Slack's documentation.
    Allowed("sim/slack.py", re.escape(SLACK + "T000/B000/XXXX"), "the Slack fake's URL"),
    Allowed("tests/sim/test_slack.py", re.escape(SLACK + "TEAM/BOT/secret"),
            "a placeholder webhook in the Slack fake's tests"),
    # Bearer tokens of the sim's own fake APIs (the sim itself uses a random token per run).
    Allowed("exercises/extraction.py", "grader-token", "the grader's token for its own fake API"),
    Allowed("exercises/extraction.py", "a-revoked-token",
            "a made-up token the grader's fake partner refuses (the AuthError case)"),
    Allowed("tests/sim/test_partner_api.py", "partner-secret", "the partner API fake's test token"),
    Allowed("tests/sim/test_backend_api.py", "backend-secret", "the backend API fake's test token"),
    # Dummy connection arguments: the sim accepts any credentials, tests show that with throwaway ones.
    Allowed("tests/sim/test_world.py", "x", "a throwaway password the simulated warehouse ignores"),
    Allowed("tests/solutions/test_dag_integrity.py", "p", "a throwaway password in a DAG-parse test's source"),
    Allowed("tests/solutions/test_validation.py", "password", "the word 'password' in a connection-string placeholder"),
    Allowed("sim/services.py", "sim", "the password for the served simulated warehouse, which accepts any"),
    # Teaching material that shows an attack on the kit's own signed tokens.
    Allowed("notebooks/13_scenario_customer_facing.ipynb", re.escape("5002."),
            "the forged id prefix of a session token the notebook shows being refused"),
]


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    value: str

    def __str__(self) -> str:  # never print a whole secret
        shown = self.value[:4] + "***" if len(self.value) > 4 else "***"
        return f"{self.path}:{self.line}: {self.rule}: {shown}"


def _allowed(path: str, value: str) -> bool:
    return bool(REFERENCE.match(value)) or any(
        fnmatch(path, a.path) and re.fullmatch(a.value, value) for a in ALLOWED)


def scan_text(text: str, path: str) -> list[Finding]:
    """Every credential literal in ``text`` (a file's contents; ``path``: for reports and the allow-list)."""
    if path.endswith(".ipynb"):
        text = text.replace('\\"', '"')  # notebook JSON escapes the quotes around values
    findings = []
    rules = dict(RULES)
    if any(fnmatch(path, pattern) or fnmatch(Path(path).name, pattern) for pattern in ENV_FILES):
        rules["env_assignment"] = ENV_ASSIGNMENT
    for rule, pattern in rules.items():
        for match in pattern.finditer(text):
            value = match.groupdict().get("value") or match.group(0)
            if not _allowed(path, value):
                findings.append(Finding(path, text.count("\n", 0, match.start()) + 1, rule, value))
    return findings


def scan_file(file: Path, root: Path) -> list[Finding]:
    return scan_text(file.read_bytes().decode("utf-8", errors="replace"), file.relative_to(root).as_posix())


def tracked_files(root: Path = ROOT) -> list[Path]:
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"not a git checkout, nothing to list ({error})")
    return [root / name for name in done.stdout.decode().split("\0") if name and (root / name).is_file()]


# -- the repository ------------------------------------------------------------------------------------------


def test_no_tracked_file_holds_a_credential():
    files = tracked_files()
    assert len(files) > 50, "git ls-files listed almost nothing: is this the kit's checkout?"
    findings = [f for file in files for f in scan_file(file, ROOT)]
    assert not findings, ("credential literals in tracked files (move them to environment variables, or add "
                          "an obviously fake value to ALLOWED with its reason):\n"
                          + "\n".join(map(str, findings)))


def test_every_allow_list_entry_says_why():
    assert all(a.why and a.value for a in ALLOWED)
    assert not any(fnmatch("README.md", a.path) and a.path != "*" for a in ALLOWED)


# -- the scanner, on planted examples ------------------------------------------------------------------------

# Each planted line: (text, the rule that must catch it). Built by concatenation: no line of this file is one.
PLANTED = [
    ("aws_key = '" + "AKIA" + "Q3EXAMPLE7KEY2ZZ" + "'", "aws_access_key_id"),
    ("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI" + "/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws_secret_access_key"),
    ("-----BEGIN RSA " + "PRIVATE KEY-----", "private_key"),
    ("-----BEGIN OPENSSH " + "PRIVATE KEY-----", "private_key"),
    ("SLACK = 'https://hooks.slack.com/services/" + "T0A1B2C3D4/B0A1B2C3D4/" + "a1b2c3d4e5f6a7b8c9d0e1f2'",
     "slack_webhook"),
    ("bot = '" + "xoxb-" + "123456789012-abcdefABCDEF'", "slack_token"),
    ("gh = '" + "ghp_" + "a" * 36 + "'", "github_token"),
    ("conn = snowflake.connector.connect(user='etl', pass" + "word='Tr0ub4dor&3x', account='acme')",
     "secret_assignment"),
    ("{\"login\": \"etl\", \"pass" + "word\": \"s3cr3t-Snowflake!\"}", "secret_assignment"),
    ("headers = {'api_key': 'live_" + "9f8e7d6c5b4a'}", "secret_assignment"),
    ("os.environ[\"SNOWFLAKE_PASS" + "WORD\"] = \"Winter2025!\"", "secret_assignment"),
    ("os.environ.setdefault(\"PARTNER_API_" + "TOKEN\", \"tok_live_1234567890\")", "secret_argument"),
    ("uri = 'snowflake://etl:" + "Hunter2Hunter2@acme/ANALYTICS'", "url_credentials"),
]
PLANTED_ENV = [("export SNOWFLAKE_PASS" + "WORD=Hunter2Hunter2", "env_assignment")]
NOT_SECRETS = [
    "password='{{ var.value.snowflake_password }}'",  # the syllabus's template
    "token = os.environ['AIRFLOW_VAR_PARTNER_API_KEY']",  # a reference
    "password=Variable.get('snowflake_password')",  # a reference
    "SNOWFLAKE_PASSWORD=${SNOWFLAKE_PASSWORD}",  # a reference (in an env file)
    "api_key: <your key here>",  # a placeholder
    "class TokenBucket:\n    \"\"\"docstring\"\"\"",  # a name, not an assignment
    "tokens_used = len(tokens)",  # no literal
]


@pytest.fixture
def planted(tmp_path):
    def write(name: str, lines: list[str]) -> Path:
        file = tmp_path / name
        file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return file
    return write


def test_the_scanner_catches_every_planted_credential(planted, tmp_path):
    file = planted("leaky.py", [text for text, _ in PLANTED])
    found = scan_file(file, tmp_path)
    assert found
    by_line = {}
    for f in found:
        by_line.setdefault(f.line, set()).add(f.rule)
    for line, (text, rule) in enumerate(PLANTED, start=1):
        assert rule in by_line.get(line, set()), f"missed line {line} ({rule}): {text[:30]}..."


def test_unquoted_assignments_are_caught_in_config_files(planted, tmp_path):
    for name in (".env", "settings.cfg", "Makefile", "deploy.sh", "README.md"):
        found = scan_file(planted(name, [text for text, _ in PLANTED_ENV]), tmp_path)
        assert [f.rule for f in found] == ["env_assignment"], name


def test_a_secret_inside_a_notebook_is_caught(planted, tmp_path):
    source = ["conn = connect(pass" + "word=\"Tr0ub4dor&3x\")\n"]
    notebook = {"cells": [{"cell_type": "code", "source": source, "metadata": {}, "outputs": [],
                           "execution_count": None}]}
    file = tmp_path / "leaky.ipynb"
    file.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    assert [f.rule for f in scan_file(file, tmp_path)] == ["secret_assignment"]


def test_references_templates_and_names_are_not_reported(planted, tmp_path):
    assert scan_file(planted("fine.py", NOT_SECRETS), tmp_path) == []
    assert scan_file(planted("fine.env", NOT_SECRETS), tmp_path) == []


def test_allowed_fakes_are_allowed_only_where_they_belong(tmp_path):
    fake_webhook = f"URL = '{SLACK}T000/B000/XXXX'"
    moto = 'CREDS = {"AWS_SECRET_ACCESS_KEY": "' + 'testing"}'
    assert [f.rule for f in scan_text(fake_webhook + "\n" + moto, "sim/slack.py")] == ["secret_assignment"]
    assert [f.rule for f in scan_text(fake_webhook + "\n" + moto, "sim/s3.py")] == ["slack_webhook"]
    assert scan_text(fake_webhook, "sim/slack.py") == [] and scan_text(moto, "sim/s3.py") == []


def test_reports_never_print_the_whole_secret(planted, tmp_path):
    text, _ = PLANTED[7]
    (finding,) = scan_file(planted("leaky.py", [text]), tmp_path)
    assert finding.value not in str(finding) and str(finding).endswith("Tr0u***")
