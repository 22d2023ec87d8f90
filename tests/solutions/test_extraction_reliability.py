"""The fault matrix: every fault the partner API fake can inject, at the first, a middle and the last page, in
both pagination modes. The extractor must lose nothing and duplicate nothing, measured against the source
system's truth (BACKEND.PUBLIC.APPOINTMENTS), and the request log must show the fault really fired.

Policy for a malformed body (a 200 whose JSON is cut off): retried like a transient error, at most
``RetryPolicy.max_malformed_attempts`` times in all; if it never heals the page fails (see test_extraction).
"""

from __future__ import annotations

import math
import os

import pytest

from solutions.extraction import PartnerExtractor, RetryPolicy

DAY = "2025-09-17"

# (fault kind, inject kwargs, how the server log marks it, what the metrics count)
FAULTS = {
    "server_error_500": ("server_error", {"status": 500, "times": 2}, 500, "server_errors"),
    "server_error_503": ("server_error", {"status": 503, "times": 2}, 503, "server_errors"),
    "timeout": ("timeout", {"times": 2}, None, "timeouts"),
    "malformed_json": ("malformed_json", {"times": 2}, 200, "malformed"),
    "rate_limit_storm": ("rate_limit_storm", {"times": 3, "retry_after": 2}, 429, "rate_limited"),
    "duplicate_records": ("duplicate_records", {"count": 7}, 200, "duplicates_dropped"),
}


@pytest.fixture(scope="module")
def big_world(start_module_world):
    from sim.clock import FakeClock

    # a fake clock: the tests assert exact waits and back-offs, which real elapsed time would blur
    world = start_module_world(appointments=30000, clock=FakeClock())
    truth = [a for (a,) in world.warehouse.query(
        "SELECT APPOINTMENT_ID FROM BACKEND.PUBLIC.APPOINTMENTS WHERE APPOINTMENT_DATE = %s ORDER BY 1",
        (DAY,))]
    return world, truth


@pytest.mark.parametrize("mode", ["cursor", "page"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_no_record_lost_or_duplicated(big_world, fault, where, mode):
    world, truth = big_world
    pages = math.ceil(len(truth) / 100)
    assert pages >= 8
    kind, options, logged_status, counter = FAULTS[fault]
    first = 2 if kind == "duplicate_records" else 1  # duplicates repeat the page before: page 2 or later
    page = {"first": first, "middle": pages // 2, "last": pages}[where]
    world.partner.faults.clear()
    world.clock.advance(5)
    fired = world.partner.inject(kind, page=page, **options)
    before = len(world.partner.log)

    extractor = PartnerExtractor(os.environ["AIRFLOW_VAR_PARTNER_API_KEY"], clock=world.clock,
                                 policy=RetryPolicy(seed=page))
    result = extractor.extract(DAY, DAY, mode=mode)
    world.partner.faults.clear()

    got = [r["appointment_id"] for r in result.records]
    assert len(got) == len(set(got)), "duplicated records"
    assert sorted(got) == truth, "lost records"
    log = world.partner.log[before:]
    assert any(e.fault == kind for e in log)
    if kind != "duplicate_records":  # a data fault never heals and is not "fired", the others are used up
        assert fired.fired == options["times"]
    assert any(e.status == logged_status and e.fault == kind for e in log)
    expected = options.get("times", options.get("count"))
    assert getattr(result.metrics, counter) == expected
    assert result.metrics.retries == (0 if kind == "duplicate_records" else options["times"])
    assert result.metrics.pages == pages + (1 if kind == "duplicate_records" and
                                            (len(truth) + options["count"]) > pages * 100 else 0)
