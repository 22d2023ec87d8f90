"""Exercises of notebook 22 (deferral and the triggerer): the graders, and reference answers to read after trying.

1. ``slot_seconds(mode, wait, poke_interval, start_cost)``: the worker-slot seconds one wait costs in each mode.
2. ``MarkerTrigger``: a trigger (``BaseTrigger``) that waits for a file without blocking the triggerer's event
   loop, serializes to what rebuilds it, and fires one event. Graded by running it in an asyncio loop beside a
   ticking coroutine, as the triggerer runs many triggers in one loop.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from exercises.grading import Grade, Mismatch, expect, grade

# -- reference answers ---------------------------------------------------------------------------------------


def slot_seconds(mode: str, wait: float, poke_interval: float, start_cost: float) -> float:
    """Worker-slot seconds for a wait of ``wait`` s, checked at 0, ``poke_interval``, 2 x ``poke_interval``...
    until the first check at or after ``wait``; ``start_cost`` is what one start of the task on a worker costs
    (process, parse, one check)."""
    checks = math.ceil(wait / poke_interval) + 1
    if mode == "poke":
        return (checks - 1) * poke_interval + start_cost  # one start, then asleep on the slot until the last check
    if mode == "reschedule":
        return checks * start_cost  # a fresh start for every check, nothing held in between
    if mode == "deferrable":
        return 2 * start_cost  # the first check (then defer), and the resume in execute_complete
    raise ValueError(f"mode must be poke, reschedule or deferrable, not {mode!r}")


class MarkerTrigger(BaseTrigger):
    """Fires ``TriggerEvent({"path": path})`` once ``path`` exists; checks every ``poke_interval`` seconds."""

    def __init__(self, path: str, poke_interval: float = 60.0) -> None:
        super().__init__()
        self.path = path
        self.poke_interval = poke_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return f"{type(self).__module__}.{type(self).__qualname__}", {"path": self.path,
                                                                       "poke_interval": self.poke_interval}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        while not await asyncio.to_thread(Path(self.path).exists):
            await asyncio.sleep(self.poke_interval)
        yield TriggerEvent({"path": self.path})


# -- graders -------------------------------------------------------------------------------------------------

CASES = [  # (wait, poke_interval, start_cost)
    (3600, 300, 5),
    (50, 10, 4),
    (55, 10, 4),
    (0, 60, 5),
]


def grade_slot_seconds(fn: Callable[..., float], *, show: bool = True) -> Grade:
    def same(mode: str, wait: float, interval: float, cost: float) -> None:
        got = fn(mode, wait, interval, cost)
        want = slot_seconds(mode, wait, interval, cost)
        if not isinstance(got, (int, float)) or not math.isclose(got, want, abs_tol=1e-6):
            checks = math.ceil(wait / interval) + 1
            raise Mismatch(f"{mode}, wait {wait} s, poke_interval {interval} s, start {cost} s: expected {want}, "
                           f"got {got!r} ({checks} checks)")

    def refuses(_: Any) -> None:
        try:
            fn("sometimes", 10, 1, 1)
        except ValueError:
            return
        raise Mismatch("an unknown mode must raise ValueError naming it")

    checks = [
        ("poke: one start, then the slot is held until the last check", lambda f: [same("poke", *c) for c in CASES]),
        ("reschedule: one start per check, nothing held between", lambda f: [same("reschedule", *c) for c in CASES]),
        ("deferrable: the first check and the resume, whatever the wait",
         lambda f: [same("deferrable", *c) for c in CASES]),
        ("an unknown mode is a ValueError", refuses),
    ]
    return grade("slot_seconds", fn, checks, show=show)


def _first_event(trigger: BaseTrigger, land_after: float | None, limit: float = 5.0) -> tuple[Any, int, float]:
    """Run ``trigger`` in an event loop beside a coroutine ticking every 0.05 s; land its file after
    ``land_after`` s (never if None). Returns (first event or None at ``limit``, ticks seen, seconds)."""

    async def main() -> tuple[Any, int, float]:
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.05)

        started = time.monotonic()
        background = asyncio.create_task(ticker())
        try:
            event = await asyncio.wait_for(anext(trigger.run(), None), timeout=limit)
        except TimeoutError:
            event = None
        stop.set()
        await background
        return event, ticks, time.monotonic() - started

    # the file lands from another thread, and the loop runs in one: a trigger that blocks the loop (so that
    # wait_for cannot cancel it) still sees the file, and the grader never hangs on it
    lander = threading.Timer(land_after, Path(trigger.path).write_text, ("closed",)) if land_after else None
    result: list[Any] = []
    runner = threading.Thread(target=lambda: result.append(asyncio.run(main())), daemon=True)
    if lander:
        lander.start()
    runner.start()
    runner.join(limit + (land_after or 0) + 5)
    if lander:
        lander.cancel()
    if not result:
        raise Mismatch(f"the trigger held the event loop for more than {limit + 5:.0f} s without yielding: "
                       "wait with `await asyncio.sleep(...)`, never time.sleep")
    return result[0]


def grade_marker_trigger(cls: type, *, show: bool = True) -> Grade:
    folder = Path(tempfile.mkdtemp(prefix="marker_trigger_"))

    def make(name: str, interval: float = 0.2) -> BaseTrigger:
        path = folder / name
        path.unlink(missing_ok=True)
        trigger = cls(path=str(path), poke_interval=interval)
        if not isinstance(trigger, BaseTrigger):
            raise Mismatch(f"{cls.__name__} must subclass BaseTrigger (airflow.triggers.base)")
        return trigger

    def serializes(_: Any) -> None:
        trigger = make("a.ready", 7.5)
        classpath, kwargs = trigger.serialize()
        expect(classpath.rsplit(".", 1)[-1], cls.__name__, "the class name at the end of serialize()'s classpath")
        rebuilt = cls(**kwargs)
        expect((rebuilt.path, rebuilt.poke_interval), (trigger.path, 7.5),
               "(path, poke_interval) of the trigger rebuilt from serialize()'s kwargs (the triggerer "
               "rebuilds it from them in another process)")

    def fires(_: Any) -> None:
        trigger = make("b.ready")
        event, _, _ = _first_event(trigger, land_after=0.5)
        if not isinstance(event, TriggerEvent):
            raise Mismatch(f"expected a TriggerEvent once the file landed, got {event!r}")
        expect(event.payload, {"path": trigger.path}, "the event's payload")

    def waits(_: Any) -> None:
        event, _, seconds = _first_event(make("c.ready"), land_after=1.5, limit=1.0)
        if event is not None and seconds < 1.5:
            raise Mismatch(f"the trigger fired before its file existed: {event!r}")

    def shares_the_loop(_: Any) -> None:
        _, ticks, seconds = _first_event(make("d.ready"), land_after=1.0)
        if ticks < seconds / 0.05 / 2:
            raise Mismatch(f"the event loop was blocked: a coroutine beside the trigger ran {ticks} times in "
                           f"{seconds:.1f} s (about {seconds / 0.05:.0f} expected). Wait with `await "
                           "asyncio.sleep(...)`, never time.sleep: the triggerer runs every trigger in one loop")

    def one_event(_: Any) -> None:
        trigger = make("e.ready")
        Path(trigger.path).write_text("closed")

        async def all_events() -> list[Any]:
            events = []
            async for event in trigger.run():
                events.append(event)
                if len(events) > 3:
                    break
            return events

        events = asyncio.run(asyncio.wait_for(all_events(), timeout=3))
        expect(len(events), 1, "events yielded once the file is there (yield one, then return)")

    checks = [
        ("serialize() returns a classpath and the kwargs that rebuild it", serializes),
        ("fires a TriggerEvent({'path': ...}) once the file lands", fires),
        ("does not fire while the file is missing", waits),
        ("waits without blocking the event loop", shares_the_loop),
        ("fires exactly one event, then ends", one_event),
    ]
    return grade("MarkerTrigger", cls, checks, show=show)
