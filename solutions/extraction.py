"""Production extractor for the partner scheduling API: paginate, throttle, retry, dedupe, resume, measure.

What the syllabus's ``SimplePracticeAPIExtractor.extract_appointments`` promises ("handles pagination, rate
limiting, retries") and what it lacks, fixed here:

* **Pagination** in page mode (``page=1, 2, ...``) or cursor mode (``mode=cursor``, then ``next_cursor``),
  until the API itself says there is no more (``has_more`` false / ``next_cursor`` null).
* **Throttling before every request** with a :class:`solutions.ratelimit.TokenBucket`, instead of a fixed
  ``sleep(0.5)`` that only hopes to stay under the limit.
* **Retries** with exponential backoff and full jitter on 429, 5xx, timeouts and dropped connections,
  honouring ``Retry-After``; bounded per request *and* per run (a retry budget), so a sick API fails the run
  in minutes instead of hammering it for hours. The loop is `tenacity`_ (Airflow itself depends on it),
  driven by :class:`RetryPolicy` with the injected clock's ``sleep`` and a seeded RNG, so the schedule is
  testable. (urllib3's ``Retry`` on a ``requests`` adapter handles status codes and ``Retry-After`` too, but
  it cannot retry a 200 whose body is cut off, and it sleeps with ``time.sleep``.)
* **Errors that say what happened**: 401/403 stop at once ("check the partner_api_key Variable", no retry
  storm, the token never printed); another 4xx is a bug in the request and is not retried; a body that is
  not JSON is retried a few times, then fails naming the page and showing its first bytes.
* **Timeouts** on every call (connect, read).
* **Dedupe** by ``appointment_id``: offset pagination over a changing table repeats rows at page
  boundaries; repeats are dropped and counted.
* **Resume**: a failed run raises :class:`ExtractionError` carrying ``resume_cursor`` (cursor mode) and
  the records fetched so far; ``extract(..., resume_cursor=...)`` continues where it stopped.
* **Metrics** for the task log / XCom: pages, records, duplicates, requests, retries, 429s, 5xx,
  timeouts, seconds (on the injected clock).

In an Airflow task the token comes from a Variable (never from code)::

    from airflow.sdk import Variable
    extractor = PartnerExtractor(token=Variable.get("partner_api_key"))
    result = extractor.extract(ds, ds)

.. _tenacity: https://tenacity.readthedocs.io
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import requests
import tenacity

from solutions.clock import Clock, SystemClock
from solutions.ratelimit import TokenBucket

DEFAULT_BASE_URL = "https://api.partner.com/v1"
KEY = "appointment_id"


# -- errors -------------------------------------------------------------------------------------------------


class ExtractionError(RuntimeError):
    """The extraction stopped. Carries what a caller needs to report or continue.

    ``page``: the page that failed (``None`` if unknown); ``resume_cursor``: pass it to
    ``extract(..., resume_cursor=...)`` to continue (cursor mode; ``None`` means start from the beginning);
    ``records``: the unique records fetched before the failure; ``metrics``: the run so far.
    """

    def __init__(self, message: str, *, page: int | None = None, resume_cursor: str | None = None) -> None:
        super().__init__(message)
        self.page = page
        self.resume_cursor = resume_cursor
        self.records: list[dict[str, Any]] = []
        self.metrics: ExtractionMetrics | None = None


class AuthError(ExtractionError):
    """401/403: the token is missing, wrong or expired. Never retried."""


class ClientError(ExtractionError):
    """Another 4xx: the request itself is wrong (bad dates, a cursor from another query). Never retried."""


class MalformedPageError(ExtractionError):
    """A 200 whose body is not the JSON the API documents, still so after the allowed retries."""


class RetriesExhausted(ExtractionError):
    """A transient failure (429, 5xx, timeout) outlasted the per-request attempts or the run's budget."""


class _Transient(Exception):
    """One failed attempt that may succeed if repeated (internal: tenacity retries on this type)."""

    def __init__(self, kind: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.retry_after = retry_after


# -- policy and metrics -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """When to retry and how long to wait.

    Retry ``n`` (1, 2, ...) waits a uniformly random time in ``[0, min(cap, base * 2**(n-1))]`` ("full
    jitter": clients that failed together do not retry together), and never less than the server's
    ``Retry-After``. ``max_attempts`` bounds one request (first try included), ``retry_budget`` the whole
    run; a ``Retry-After`` above ``max_retry_after`` fails the run so the scheduler can retry it later
    instead of a worker sleeping for an hour. ``seed`` makes the jitter reproducible.
    """

    max_attempts: int = 6
    max_malformed_attempts: int = 3
    retry_budget: int = 30
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0
    seed: int | None = None

    def backoff(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry``: full jitter, at least ``retry_after``."""
        ceiling = min(self.cap, self.base * 2 ** (retry - 1))
        delay = rng.uniform(0.0, ceiling)
        return max(delay, retry_after) if retry_after is not None else delay

    def attempts_for(self, kind: str) -> int:
        return self.max_malformed_attempts if kind == "malformed" else self.max_attempts


@dataclass
class Attempt:
    """One HTTP request as the client saw it: ``status`` is ``None`` for a timeout or dropped connection."""

    page: int | None
    attempt: int
    status: int | None
    outcome: str  # "ok", "rate_limited", "server_error", "timeout", "connection", "malformed", "auth", ...
    throttled: float = 0.0  # seconds waited for a token before sending
    backoff: float = 0.0  # seconds slept after this attempt before the retry (0: no retry)


@dataclass
class ExtractionMetrics:
    """What one ``extract`` run did; ``as_dict()`` is small enough for an XCom or a log line."""

    pages: int = 0
    records: int = 0
    duplicates_dropped: int = 0
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    server_errors: int = 0
    timeouts: int = 0
    malformed: int = 0
    throttled_seconds: float = 0.0
    backoff_seconds: float = 0.0
    seconds: float = 0.0
    attempts: list[Attempt] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["attempts"]
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in data.items()}


@dataclass
class Page:
    """One page as served: its number, records, and the cursor that fetches the next one (cursor mode)."""

    number: int | None
    records: list[dict[str, Any]]
    has_more: bool
    next_cursor: str | None


@dataclass
class Extraction:
    """The result of ``extract``: unique records in the order served, and the run's metrics."""

    records: list[dict[str, Any]]
    metrics: ExtractionMetrics


# -- the extractor ------------------------------------------------------------------------------------------


class PartnerExtractor:
    """A client for ``GET {base_url}/appointments`` that survives what real APIs do.

    ``token``: the bearer token (from ``Variable.get("partner_api_key")``; never hard-coded, never printed).
    ``limiter``: a shared :class:`TokenBucket` (default 4/s, no burst: under the partner's 5/s).
    ``clock``: ``monotonic``/``sleep`` for the limiter, backoff and metrics (default real time; tests and
    notebooks pass the sim's clock: the API's rate limit runs on it too). ``timeout``: (connect, read) s.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        clock: Clock | None = None,
        limiter: TokenBucket | None = None,
        policy: RetryPolicy | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (3.05, 30.0),
        per_page: int = 100,
    ) -> None:
        if not token or not isinstance(token, str):
            raise AuthError("no partner API token: set the partner_api_key Airflow Variable "
                            "(AIRFLOW_VAR_PARTNER_API_KEY)")
        if not 1 <= per_page <= 100:
            raise ValueError(f"per_page must be 1..100 (the API's maximum), got {per_page}")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.clock = clock or (limiter.clock if limiter else SystemClock())
        self.limiter = limiter or TokenBucket(rate=4.0, capacity=1, clock=self.clock)
        self.policy = policy or RetryPolicy()
        self.session = session or requests.Session()
        self.timeout = timeout
        self.per_page = per_page
        self._rng = random.Random(self.policy.seed)

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"PartnerExtractor(base_url={self.base_url!r}, limiter={self.limiter!r}, token=***)"

    # -- public API ---------------------------------------------------------------------------------------

    def extract(
        self,
        start_date: dt.date | str,
        end_date: dt.date | str,
        *,
        mode: str = "cursor",
        resume_cursor: str | None = None,
        start_page: int = 1,
    ) -> Extraction:
        """Every appointment between the dates (inclusive), each ``appointment_id`` once.

        ``mode``: "cursor" (default) or "page". ``resume_cursor``: continue a cursor walk from the
        ``resume_cursor`` of an :class:`ExtractionError`. ``start_page``: the same for page mode.
        Raises :class:`ExtractionError` (with ``records`` and ``metrics`` attached) when it cannot finish.
        """
        metrics = ExtractionMetrics()
        started = self.clock.monotonic()
        seen: set[Any] = set()
        records: list[dict[str, Any]] = []
        try:
            for page in self.pages(start_date, end_date, mode=mode, resume_cursor=resume_cursor,
                                   start_page=start_page, metrics=metrics):
                for record in page.records:
                    key = record.get(KEY) if isinstance(record, dict) else None
                    if key is None:
                        raise MalformedPageError(f"page {page.number}: a record without {KEY!r}: "
                                                 f"{_preview(json.dumps(record).encode())}", page=page.number)
                    if key in seen:
                        metrics.duplicates_dropped += 1
                        continue
                    seen.add(key)
                    records.append(record)
        except ExtractionError as error:
            error.records, error.metrics = records, metrics
            raise
        finally:
            metrics.records = len(records)
            metrics.seconds = self.clock.monotonic() - started
        return Extraction(records, metrics)

    def pages(
        self,
        start_date: dt.date | str,
        end_date: dt.date | str,
        *,
        mode: str = "cursor",
        resume_cursor: str | None = None,
        start_page: int = 1,
        metrics: ExtractionMetrics | None = None,
    ) -> Iterator[Page]:
        """Yield pages as they arrive (for callers that land or checkpoint page by page). No dedupe here."""
        if mode not in ("cursor", "page"):
            raise ValueError(f"mode must be 'cursor' or 'page', got {mode!r}")
        if resume_cursor is not None and mode != "cursor":
            raise ValueError("resume_cursor belongs to cursor mode; in page mode use start_page")
        metrics = metrics if metrics is not None else ExtractionMetrics()
        query = {"start_date": str(start_date), "end_date": str(end_date), "per_page": str(self.per_page)}
        cursor = resume_cursor
        number: int | None = None if resume_cursor else start_page
        while True:
            if mode == "page":
                params = {**query, "page": str(number)}
            elif cursor is None:
                params = {**query, "mode": "cursor"}
            else:
                params = {**query, "cursor": cursor}
            try:
                payload = self._get(params, number, metrics)
            except ExtractionError as error:
                error.page = number
                error.resume_cursor = cursor if mode == "cursor" else None
                raise
            served = payload.get("page")
            number = served if isinstance(served, int) else number
            page = Page(number, payload["appointments"], bool(payload.get("has_more")),
                        payload.get("next_cursor"))
            metrics.pages += 1
            yield page
            if mode == "page":
                if not page.has_more:
                    return
                number = (number or 0) + 1
            else:
                if not page.next_cursor:
                    return
                cursor = page.next_cursor
                number = number + 1 if number is not None else None

    # -- one request, with retries ------------------------------------------------------------------------

    def _get(self, params: dict[str, str], number: int | None, metrics: ExtractionMetrics) -> dict[str, Any]:
        policy = self.policy
        attempt_no = 0
        failures: Counter[str] = Counter()  # failed attempts of this request, by kind

        def once() -> dict[str, Any]:
            nonlocal attempt_no
            attempt_no += 1
            return self._attempt(params, number, attempt_no, metrics)

        def stop(state: tenacity.RetryCallState) -> bool:
            # every attempt counts towards max_attempts; only malformed ones towards max_malformed_attempts
            error = state.outcome.exception()
            failures[error.kind] += 1
            return (state.attempt_number >= policy.max_attempts
                    or failures[error.kind] >= policy.attempts_for(error.kind)
                    or metrics.retries >= policy.retry_budget
                    or (error.retry_after or 0) > policy.max_retry_after)

        def wait(state: tenacity.RetryCallState) -> float:
            return policy.backoff(state.attempt_number, state.outcome.exception().retry_after, self._rng)

        def before_sleep(state: tenacity.RetryCallState) -> None:
            metrics.retries += 1
            metrics.backoff_seconds += state.next_action.sleep
            metrics.attempts[-1].backoff = state.next_action.sleep

        retrying = tenacity.Retrying(
            sleep=self.clock.sleep, stop=stop, wait=wait, before_sleep=before_sleep,
            retry=tenacity.retry_if_exception_type(_Transient), reraise=True,
        )
        try:
            return retrying(once)
        except _Transient as error:
            where = f"page {number}" if number is not None else "the first page after the resume cursor"
            if (error.retry_after or 0) > policy.max_retry_after:
                why = (f"the server asked to wait {error.retry_after:g} s (Retry-After), more than "
                       f"max_retry_after={policy.max_retry_after:g} s")
            elif (metrics.retries >= policy.retry_budget and attempt_no < policy.max_attempts
                  and failures[error.kind] < policy.attempts_for(error.kind)):
                why = f"the run's retry budget ({policy.retry_budget} retries) is used up"
            elif failures[error.kind] < attempt_no and error.kind == "malformed":
                why = f"gave up after {attempt_no} attempts ({failures[error.kind]} malformed)"
            else:
                why = f"gave up after {attempt_no} attempts"
            cls = MalformedPageError if error.kind == "malformed" else RetriesExhausted
            raise cls(f"{where}: {why}; last error: {error.detail}") from None

    def _attempt(self, params: dict[str, str], number: int | None, attempt_no: int,
                 metrics: ExtractionMetrics) -> dict[str, Any]:
        throttled = self.limiter.acquire()
        metrics.throttled_seconds += throttled
        metrics.requests += 1
        record = Attempt(number, attempt_no, None, "ok", throttled)
        metrics.attempts.append(record)
        where = f"page {number}" if number is not None else "page after the resume cursor"
        try:
            response = self.session.get(
                f"{self.base_url}/appointments", params=params, timeout=self.timeout,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            )
        except requests.exceptions.Timeout:
            metrics.timeouts += 1
            record.outcome = "timeout"
            raise _Transient("timeout", f"no answer within the {self.timeout[1]:g} s read timeout") from None
        except requests.exceptions.ConnectionError as error:
            record.outcome = "connection"
            raise _Transient("connection", f"connection failed: {type(error).__name__}") from None

        status = record.status = response.status_code
        if status in (401, 403):
            record.outcome = "auth"
            raise AuthError(f"{where}: the partner API rejected the token (HTTP {status}); check the "
                            "partner_api_key Variable. Not retrying: the same token would fail again.")
        if status == 429:
            metrics.rate_limited += 1
            record.outcome = "rate_limited"
            retry_after = _retry_after(response)
            raise _Transient("rate_limited", f"HTTP 429 (Retry-After: {response.headers.get('Retry-After')})",
                             retry_after)
        if status in (500, 502, 503, 504):
            metrics.server_errors += 1
            record.outcome = "server_error"
            raise _Transient("server_error", f"HTTP {status} {_preview(response.content)}",
                             _retry_after(response))
        if status != 200:
            record.outcome = "client_error"
            raise ClientError(f"{where}: HTTP {status} {_preview(response.content, 200)}; not retrying a "
                              "request the server refuses")
        try:
            payload = json.loads(response.content)
        except ValueError:
            metrics.malformed += 1
            record.outcome = "malformed"
            detail = (f"the 200 response is not valid JSON ({len(response.content)} bytes, "
                      f"starting {_preview(response.content)})")
            raise _Transient("malformed", detail) from None
        if not isinstance(payload, dict) or not isinstance(payload.get("appointments"), list):
            record.outcome = "malformed"
            keys = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
            raise MalformedPageError(f"{where}: JSON without an 'appointments' list (got {keys}); the API "
                                     "contract changed, not retrying", page=number)
        return payload


def dedupe(records: list[dict[str, Any]], key: str = KEY) -> tuple[list[dict[str, Any]], int]:
    """First occurrence of each ``key`` in order, and how many repeats were dropped."""
    seen: set[Any] = set()
    unique = []
    for record in records:
        if record[key] not in seen:
            seen.add(record[key])
            unique.append(record)
    return unique, len(records) - len(unique)


def _retry_after(response: requests.Response) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; ``None`` if absent or unreadable."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _preview(body: bytes, limit: int = 60) -> str:
    """The first ``limit`` bytes of a body, printable, for error messages."""
    head = body[:limit]
    return repr(head) + ("..." if len(body) > limit else "")
