"""Fails: other days untouched - "start clean" deletes everything under the prefix it was given, without the
day's folder: every other day's parts and markers go, and so does a sibling dataset whose name starts the same
(landing/appointments_corrections/...), because an S3 prefix is a string match, not a folder.

The day itself lands right."""

from __future__ import annotations

import json
from datetime import date


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    folder = f"{prefix}/dt={day.isoformat()}/"
    written = []
    for n, start in enumerate(range(0, len(records), records_per_part)):
        key = f"{folder}part-{n:05d}.jsonl"
        body = "".join(json.dumps(r) + "\n" for r in records[start:start + records_per_part])
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        written.append(key)
    s3.put_object(Bucket=bucket, Key=folder + "ready.json",
                  Body=json.dumps({"day": day.isoformat(), "records": len(records)}))
    return written
