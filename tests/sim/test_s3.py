from __future__ import annotations

import time

import boto3

from sim.s3 import BUCKET


def test_drop_now_and_later(world):
    world.s3.drop("appointments/2025-09-30/data.csv", "id\n1\n")
    timer = world.s3.drop("appointments/2025-10-01/data.csv", b"id\n2\n", after=0.2)
    assert world.s3.keys("appointments/") == ["appointments/2025-09-30/data.csv"]
    timer.join(5)
    assert world.s3.keys("appointments/") == ["appointments/2025-09-30/data.csv", "appointments/2025-10-01/data.csv"]
    # any boto3 client in the process sees the same mocked bucket
    body = boto3.client("s3").get_object(Bucket=BUCKET, Key="appointments/2025-10-01/data.csv")["Body"].read()
    assert body == b"id\n2\n"


def test_pending_drops_are_cancelled_on_stop(start_world):
    world = start_world()
    world.s3.drop("late.csv", "x", after=0.3)
    world.stop()
    time.sleep(0.4)  # the timer would have fired by now; it must not raise or write into a later world
    assert start_world().s3.keys() == []


def test_each_world_starts_with_an_empty_bucket_though_the_clients_share_a_session(start_world):
    """The sim's S3 clients come from one boto3 session (it keeps botocore's S3 model loaded); moto's state
    must still go with each world."""
    first = start_world()
    first.s3.put("appointments/2025-09-30/data.csv", "id\n1\n")
    first.stop()
    second = start_world()
    assert second.s3.keys() == []
    second.s3.put("appointments/2025-10-01/data.csv", "id\n2\n")
    assert second.s3.keys() == ["appointments/2025-10-01/data.csv"]
