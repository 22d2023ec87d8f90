"""The notebook 24 graders accept the reference answers and correct alternatives, and reject the plausible wrong
ones for the reason they are wrong (Airflow 2's component names, single-underscore variables, no validation)."""

from __future__ import annotations

import pytest

from exercises import deployment as ex
from exercises.grading import failed_exactly


def test_not_attempted_is_reported_calmly():
    assert ex.grade_components({job: "" for job in ex.JOBS}, show=False).status == "not attempted"

    def airflow_env(settings):
        raise NotImplementedError

    assert ex.grade_airflow_env(airflow_env, show=False).status == "not attempted"


# -- components ----------------------------------------------------------------------------------------------


def answers(**changes):
    names = dict(ex.COMPONENTS)
    for short, value in changes.items():
        job = next(j for j in ex.JOBS if j.startswith(short.replace("_", " ")))
        names[job] = value
    return names


@pytest.mark.parametrize("given", [
    ex.COMPONENTS,
    answers(parses="DAG processor", serves="API server", runs_a="workers"),
    answers(parses="`airflow dag-processor`".strip("`").replace("airflow ", ""), runs_the="The Triggerer"),
])
def test_components_accepts_the_names_people_use(given):
    g = ex.grade_components(given, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("given, checks, reason", [
    (answers(parses="scheduler"), ["parses DAG files"], "separate process"),
    (answers(serves="webserver"), ["serves the UI"], "no webserver"),
    (answers(runs_a="executor"), ["runs a task's code"], "a worker process runs"),
    (answers(runs_the="scheduler"), ["runs the triggers"], "triggerer process"),
])
def test_components_rejects_airflow_2_answers_and_says_why(given, checks, reason):
    g = ex.grade_components(given, show=False)
    assert failed_exactly(g, *checks), g.lines
    assert any(reason in line for line in g.lines), g.lines


# -- airflow_env ---------------------------------------------------------------------------------------------


def env_from_template(settings):
    """Correct: validates against the installed config template instead of the live configuration."""
    from pathlib import Path

    import airflow
    import yaml

    template = yaml.safe_load((Path(airflow.__file__).parent / "config_templates" / "config.yml").read_text())
    out = {}
    for section, options in settings.items():
        for key, value in options.items():
            if key not in template.get(section, {}).get("options", {}):
                raise ValueError(f"unknown option {section}.{key}")
            out[f"AIRFLOW__{section}__{key}".upper()] = value if isinstance(value, str) else str(value)
    return out


def env_by_lookup(settings):
    """Correct: lets Airflow's parser raise for an unknown option, then re-raises as ValueError."""
    from airflow.configuration import conf
    from airflow.exceptions import AirflowConfigException

    out = {}
    for section, options in settings.items():
        for key, value in options.items():
            try:
                conf.get(section, key)
            except AirflowConfigException as error:
                raise ValueError(f"{section}.{key}: {error}") from None
            out["__".join(["AIRFLOW", section.upper(), key.upper()])] = f"{value}"
    return out


def env_single_underscores(settings):
    """Wrong: AIRFLOW_CORE_EXECUTOR is not read by Airflow (the separator is a double underscore)."""
    return {f"AIRFLOW_{s.upper()}_{k.upper()}": str(v) for s, o in settings.items() for k, v in o.items()}


def env_raw_values(settings):
    """Wrong: an int or bool in os.environ is a TypeError; environment values are strings."""
    from airflow.configuration import conf

    for s, o in settings.items():
        for k in o:
            if not conf.has_option(s, k):
                raise ValueError(f"[{s}] {k}")
    return {f"AIRFLOW__{s.upper()}__{k.upper()}": v for s, o in settings.items() for k, v in o.items()}


def env_unchecked(settings):
    """Wrong: a typo becomes a variable Airflow never reads, silently."""
    return {f"AIRFLOW__{s.upper()}__{k.upper()}": str(v) for s, o in settings.items() for k, v in o.items()}


def env_lower_case(settings):
    """Wrong: environment names are case-sensitive; Airflow looks up upper-case ones."""
    from airflow.configuration import conf

    for s, o in settings.items():
        for k in o:
            if not conf.has_option(s, k):
                raise ValueError(f"[{s}] {k}")
    return {f"AIRFLOW__{s}__{k}": str(v) for s, o in settings.items() for k, v in o.items()}


@pytest.mark.parametrize("fn", [ex.airflow_env, env_from_template, env_by_lookup])
def test_airflow_env_accepts_correct_answers(fn):
    g = ex.grade_airflow_env(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (env_single_underscores, ["[core] executor", "a section name", "numbers", "several", "an option"]),
    (env_raw_values, ["numbers", "several"]),
    (env_unchecked, ["an option"]),
    (env_lower_case, ["[core] executor", "a section name", "numbers", "several"]),
])
def test_airflow_env_rejects_plausible_wrong_answers(fn, checks):
    g = ex.grade_airflow_env(fn, show=False)
    assert failed_exactly(g, *checks), g.lines
