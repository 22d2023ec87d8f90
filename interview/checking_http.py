"""The HTTP tasks' view of the simulated world: fresh worlds on a clock that moves only when something sleeps,
the partner and backend APIs reset between scenarios, and every exchange recorded to judge how a client behaved.

    with sim_world(appointments=1500) as world:     # sim.start on a FakeClock, always stopped
        reset_partner(world)                        # no faults, empty log, a fresh rate limiter
        with traffic(world.partner, world.clock) as exchanges:   # every request, on the sim's clock
            outcome = candidate.call(url, ..., clock=world.clock)
    ignored_retry_after(exchanges), hammered(exchanges)          # how the client behaved
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

@contextmanager
def sim_world(**kwargs: Any) -> Iterator[Any]:
    """``sim.running(clock=FakeClock(), **kwargs)``: a fresh world whose time moves only when code sleeps."""
    import sim
    from sim.clock import FakeClock

    with sim.running(clock=FakeClock(), **kwargs) as world:
        yield world


def reset_partner(world: Any, requests_per_second: float | None = None) -> None:
    """The partner API as new: no faults, no damage, an empty request log and a fresh rate limiter; the clock
    jumps a minute ahead so no earlier request counts in the limiter's window."""
    from sim.partner_api import SlidingWindowLimiter

    partner = world.partner
    partner.faults.clear()
    partner.log.clear()
    partner.transform = None
    rate = requests_per_second or (partner.limiter.limit / partner.limiter.window)
    world.clock.advance(60.0)
    partner.limiter = SlidingWindowLimiter(rate, world.clock)


def reset_backend(world: Any) -> None:
    """The backend API as new: no faults and an empty request log."""
    world.backend.faults.clear()
    world.backend.log.clear()
    world.clock.advance(60.0)


@contextmanager
def wrapped_handle(service: Any, wrapper: Callable[[Any, Any], Any]) -> Iterator[None]:
    """Route a fake service's requests through ``wrapper(request, handle)`` while inside (``sim.http.mount``
    looks ``handle`` up on every request, so an instance attribute takes effect at once)."""
    original = service.handle
    own = vars(service).get("handle")  # a wrapper already in place (wrappers nest)
    service.handle = lambda request: wrapper(request, original)
    try:
        yield
    finally:
        if own is None:
            del service.handle
        else:
            service.handle = own


@dataclass(frozen=True)
class Exchange:
    """One request a fake service answered, as the checks see it: when (on the world's clock), which page of a
    walk (1 for a first request, else from ``page`` or the cursor), the status (None: timed out), the
    ``Retry-After`` it carried, and the parameters sent."""

    time: float
    path: str
    page: int | None
    status: int | None
    retry_after: float | None
    params: dict[str, str]


@contextmanager
def traffic(service: Any, clock: Any) -> Iterator[list[Exchange]]:
    """Record every exchange with ``service`` while inside (the list fills as requests arrive)."""
    from sim.http import decode_cursor

    seen: list[Exchange] = []

    def record(request: Any, handle: Callable[[Any], Any]) -> Any:
        now = clock.monotonic()
        response = handle(request)
        path = request.path.rstrip("/")
        page: int | None = 1
        if "cursor" in request.params:
            state = decode_cursor(path, request.params["cursor"])
            page = state.get("page") if state else None
        elif request.params.get("page", "").isdigit():
            page = int(request.params["page"])
        after = response.headers.get("Retry-After")
        seen.append(Exchange(now, path, page, None if response.timeout else response.status,
                             float(after) if after else None, dict(request.params)))
        return response

    with wrapped_handle(service, record):
        yield seen


def ignored_retry_after(exchanges: list[Exchange]) -> list[str]:
    """Requests sent before a 429's ``Retry-After`` had passed on the clock: ``"after 429 at t=..., ..."``."""
    early = []
    for sent, following in zip(exchanges, exchanges[1:]):
        if sent.status == 429 and sent.retry_after and following.time < sent.time + sent.retry_after - 1e-6:
            early.append(f"a 429 said Retry-After: {sent.retry_after:g} s, the next request came "
                         f"{following.time - sent.time:.2f} s later")
    return early


def hammered(exchanges: list[Exchange], statuses: tuple[Any, ...] = (None, 500, 502, 503, 504)) -> list[str]:
    """Retries sent at the very same instant as the failure before them (no back-off at all)."""
    return [f"after {'a timeout' if sent.status is None else f'HTTP {sent.status}'} on page {sent.page}, "
            "the retry went out at the same instant"
            for sent, following in zip(exchanges, exchanges[1:])
            if sent.status in statuses and following.time <= sent.time]
