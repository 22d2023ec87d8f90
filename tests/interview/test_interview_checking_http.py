"""The HTTP tasks' traffic helpers: an early retry after a 429 and a retry sent without any pause are spotted."""

from __future__ import annotations

from interview.checking_http import Exchange, hammered, ignored_retry_after


def test_traffic_helpers_spot_an_early_retry_and_a_retry_without_pause():
    log = [Exchange(0.0, "/a", 1, 429, 2.0, {}), Exchange(1.0, "/a", 1, 500, None, {}),
           Exchange(1.0, "/a", 1, 200, None, {})]
    assert ignored_retry_after(log) == ["a 429 said Retry-After: 2 s, the next request came 1.00 s later"]
    assert hammered(log) == ["after HTTP 500 on page 1, the retry went out at the same instant"]
