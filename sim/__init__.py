"""The simulated world the kit runs against: Snowflake (fakesnow), S3 (moto), partner/backend APIs and Slack
(responses), and a real Airflow runner. Start here: ``world = sim.start()``; see ``sim.world``."""

from sim.world import World, current, running, start, stop

__all__ = ["World", "current", "running", "start", "stop"]
