"""The simulated world the kit runs against: Snowflake (fakesnow), S3 (moto), partner/backend APIs and Slack
(responses), and a real Airflow runner. Start here: ``world = sim.start()``; see ``sim.world``."""

from sim.lazy_iri import defer_iri_grammar

defer_iri_grammar()  # before anything imports Airflow (and so jsonschema): see sim.lazy_iri

from sim.world import World, current, running, start, stop  # noqa: E402

__all__ = ["World", "current", "running", "start", "stop"]
