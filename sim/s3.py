"""Mocked S3 (moto, in-process) with the syllabus's bucket, and a helper that drops a file now or later.

While started, every boto3 / botocore client in the process (so also Airflow's ``S3Hook`` and
``S3KeySensor``, which need no Airflow connection for this) talks to moto's in-memory S3.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

BUCKET = "simplepractice-raw-data"
REGION = "us-east-1"
# moto's convention: obviously fake credentials, so no client ever signs a request with real ones
_FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


@functools.cache
def _session() -> Any:
    """One boto3 session for the sim's clients in this process: it keeps the S3 model botocore loaded, so a new
    world's client costs milliseconds instead of a tenth of a second of JSON parsing (worlds start hundreds
    of times in a test run). Made after moto's import, which adds moto's hook to every session made later."""
    import boto3
    import moto  # noqa: F401

    return boto3.session.Session()


class S3:
    """moto's ``mock_aws`` plus the bucket; ``drop`` writes an object immediately or after a delay."""

    def __init__(self, bucket: str = BUCKET) -> None:
        self.bucket = bucket
        self._stack: ExitStack | None = None
        self._timers: list[threading.Timer] = []
        self.client: Any = None

    def start(self) -> S3:
        if self._stack is not None:
            return self
        from moto import mock_aws

        stack = ExitStack()
        stack.enter_context(mock.patch.dict("os.environ", _FAKE_AWS_ENV))
        stack.enter_context(mock_aws())
        self._stack = stack
        self.client = _session().client(  # the credentials given: a session remembers the first it finds
            "s3", region_name=REGION, aws_access_key_id=_FAKE_AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=_FAKE_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=_FAKE_AWS_ENV["AWS_SESSION_TOKEN"])
        self.client.create_bucket(Bucket=self.bucket)
        return self

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        if self._stack is not None:
            self._stack.close()
            self._stack = None
            self.client = None

    def put(self, key: str, body: bytes | str) -> None:
        """Write ``key`` now."""
        if self.client is None:
            raise RuntimeError("S3 is not started: call sim.start() first")
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body.encode() if isinstance(body, str) else body)

    def drop(self, key: str, body: bytes | str = b"", after: float | None = None) -> threading.Timer | None:
        """Write ``key`` now, or ``after`` seconds from now in a background thread (for sensors to wait on)."""
        if not after:
            self.put(key, body)
            return None
        timer = threading.Timer(after, self.put, args=(key, body))
        timer.daemon = True
        self._timers.append(timer)
        timer.start()
        return timer

    @contextmanager
    def landing_after_first_poke(self, key: str, body: bytes | str) -> Iterator[list[bool]]:
        """While inside: ``key`` lands just after an ``S3KeySensor``'s first poke has missed it; yields each
        poke's answer. Driven, not timed: the first poke always misses and the next finds the file, however
        slow the machine (a timer could land the file before the first poke, leaving nothing to wait for)."""
        from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

        pokes: list[bool] = []
        original = S3KeySensor.poke

        def poke(sensor: Any, context: Any) -> Any:
            found = original(sensor, context)
            pokes.append(bool(found))
            if len(pokes) == 1:
                self.put(key, body)
            return found

        with mock.patch.object(S3KeySensor, "poke", poke):
            yield pokes

    def keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, sorted."""
        paginator = self.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(Bucket=self.bucket, Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
