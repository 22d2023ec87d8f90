"""The notebook 22 graders accept the reference answers and correct alternatives, and reject plausible wrong
ones for the reason they give: a poke sensor that costs only the wait, an off-by-one in the checks, a deferral
that costs nothing; a trigger that blocks the event loop, loses an argument in serialize(), fires early or
fires forever."""

from __future__ import annotations

import asyncio
import math
import time
from pathlib import Path

import pytest
from airflow.triggers.base import BaseTrigger, TriggerEvent

from exercises import deferral as ex
from exercises.grading import failed_exactly


def not_attempted(*args, **kwargs):
    raise NotImplementedError


class NotAttempted(BaseTrigger):
    """The notebook's starting cell."""

    def __init__(self, path, poke_interval=60.0):
        raise NotImplementedError

    def serialize(self):
        raise NotImplementedError

    async def run(self):
        raise NotImplementedError
        yield


def test_not_attempted_is_reported_calmly():
    assert ex.grade_slot_seconds(not_attempted, show=False).status == "not attempted"
    assert ex.grade_marker_trigger(NotAttempted, show=False).status == "not attempted"


# -- slot_seconds --------------------------------------------------------------------------------------------


def slot_seconds_loop(mode, wait, poke_interval, start_cost):
    """Counts the checks one by one."""
    checks, at = 1, 0
    while at < wait:
        at += poke_interval
        checks += 1
    costs = {"poke": at + start_cost, "reschedule": checks * start_cost, "deferrable": 2 * start_cost}
    if mode not in costs:
        raise ValueError(mode)
    return costs[mode]


def slot_seconds_floor_division(mode, wait, poke_interval, start_cost):
    """Ceiling by negated floor division; the last check's time instead of (checks - 1) x interval."""
    if mode not in ("poke", "reschedule", "deferrable"):
        raise ValueError(f"unknown mode {mode!r}")
    checks = -(-wait // poke_interval) + 1
    if mode == "poke":
        return (checks - 1) * poke_interval + start_cost
    return checks * start_cost if mode == "reschedule" else start_cost + start_cost


def poke_is_the_wait(mode, wait, poke_interval, start_cost):
    if mode == "poke":
        return wait
    return ex.slot_seconds(mode, wait, poke_interval, start_cost)


def checks_off_by_one(mode, wait, poke_interval, start_cost):
    if mode == "reschedule":
        return (wait // poke_interval) * start_cost
    return ex.slot_seconds(mode, wait, poke_interval, start_cost)


def deferral_is_free(mode, wait, poke_interval, start_cost):
    if mode == "deferrable":
        return 0
    return ex.slot_seconds(mode, wait, poke_interval, start_cost)


def unknown_mode_is_poke(mode, wait, poke_interval, start_cost):
    if mode not in ("reschedule", "deferrable"):
        mode = "poke"
    return ex.slot_seconds(mode, wait, poke_interval, start_cost)


@pytest.mark.parametrize("fn", [ex.slot_seconds, slot_seconds_loop, slot_seconds_floor_division])
def test_slot_seconds_accepts_the_reference_and_alternatives(fn):
    g = ex.grade_slot_seconds(fn, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (poke_is_the_wait, ["poke"]),
    (checks_off_by_one, ["reschedule"]),
    (deferral_is_free, ["deferrable"]),
    (unknown_mode_is_poke, ["an unknown mode"]),
])
def test_slot_seconds_rejects_wrong_accounting(fn, checks):
    g = ex.grade_slot_seconds(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_the_reference_matches_notebook_06s_numbers():
    """One hour, checks every 5 minutes, 5 s a start: 13 checks (0, 300, ..., 3600)."""
    assert ex.slot_seconds("poke", 3600, 300, 5) == 3605
    assert ex.slot_seconds("reschedule", 3600, 300, 5) == 65
    assert ex.slot_seconds("deferrable", 3600, 300, 5) == 10
    assert math.isclose(ex.slot_seconds("reschedule", 55, 10, 4), 28)


# -- MarkerTrigger -------------------------------------------------------------------------------------------


class PollingInAThread(BaseTrigger):
    """Alternative: the check in a worker thread of the loop, its own classpath spelled out."""

    def __init__(self, path, poke_interval=60.0):
        super().__init__()
        self.path, self.poke_interval = path, poke_interval

    def serialize(self):
        return (f"{__name__}.PollingInAThread", {"path": self.path, "poke_interval": self.poke_interval})

    async def run(self):
        while True:
            if await asyncio.to_thread(Path(self.path).is_file):
                yield TriggerEvent({"path": self.path})
                return
            await asyncio.sleep(self.poke_interval)


class PlainExists(BaseTrigger):
    """Alternative: a plain os-level check (fast enough not to matter) inside the loop."""

    def __init__(self, path: str, poke_interval: float = 60.0):
        super().__init__()
        self.path = path
        self.poke_interval = poke_interval

    def serialize(self):
        return ("solutions.triggers.PlainExists", dict(path=self.path, poke_interval=self.poke_interval))

    async def run(self):
        while not Path(self.path).exists():
            await asyncio.sleep(self.poke_interval)
        yield TriggerEvent({"path": self.path})


class Blocking(ex.MarkerTrigger):
    async def run(self):
        while not Path(self.path).exists():
            time.sleep(self.poke_interval)
        yield TriggerEvent({"path": self.path})


class ForgetsTheInterval(ex.MarkerTrigger):
    def serialize(self):
        return f"{__name__}.ForgetsTheInterval", {"path": self.path}


class FiresAtOnce(ex.MarkerTrigger):
    async def run(self):
        yield TriggerEvent({"path": self.path})


class FiresForever(ex.MarkerTrigger):
    async def run(self):
        while True:
            if Path(self.path).exists():
                yield TriggerEvent({"path": self.path})
            await asyncio.sleep(self.poke_interval)


@pytest.mark.parametrize("cls", [ex.MarkerTrigger, PollingInAThread, PlainExists])
def test_marker_trigger_accepts_the_reference_and_alternatives(cls):
    g = ex.grade_marker_trigger(cls, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("cls, checks", [
    (Blocking, ["waits without blocking"]),
    (ForgetsTheInterval, ["serialize()"]),
    (FiresAtOnce, ["does not fire while"]),
    (FiresForever, ["fires exactly one event"]),
])
def test_marker_trigger_rejects_triggers_a_triggerer_cannot_run(cls, checks):
    g = ex.grade_marker_trigger(cls, show=False)
    assert failed_exactly(g, *checks), g.lines
