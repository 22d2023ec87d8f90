"""Fails: marker written last, crash leaves no marker - the marker goes up first ("the day has started"), so a
loader that sees it reads a day still being written, and a crash leaves it standing on a partial day.

Cleaning up stale parts and the JSON lines are right."""

from __future__ import annotations

import json
from datetime import date


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    folder = f"{prefix}/dt={day.isoformat()}/"
    s3.put_object(Bucket=bucket, Key=folder + "ready.json",
                  Body=json.dumps({"day": day.isoformat(), "records": len(records)}))
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=folder).get("Contents", [])
    old = {item["Key"] for item in listed} - {folder + "ready.json"}
    written = []
    for n, start in enumerate(range(0, len(records), records_per_part)):
        key = f"{folder}part-{n:05d}.jsonl"
        body = "".join(json.dumps(r) + "\n" for r in records[start:start + records_per_part])
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        written.append(key)
    for key in sorted(old - set(written)):
        s3.delete_object(Bucket=bucket, Key=key)
    return written
