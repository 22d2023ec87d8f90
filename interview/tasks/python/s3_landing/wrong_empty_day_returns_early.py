"""Fails: empty day gets its marker - "no records, nothing to do" returns before the marker: the loader's
sensor waits for a day that will never be marked ready, until it times out and pages someone.

A quiet Sunday is a complete day with zero records, not a missing one."""

from __future__ import annotations

import json
from datetime import date


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    if not records:
        return []
    folder = f"{prefix}/dt={day.isoformat()}/"
    marker = folder + "ready.json"
    s3.delete_object(Bucket=bucket, Key=marker)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=folder).get("Contents", [])
    old = {item["Key"] for item in listed} - {marker}
    written = []
    for n, start in enumerate(range(0, len(records), records_per_part)):
        key = f"{folder}part-{n:05d}.jsonl"
        body = "".join(json.dumps(r) + "\n" for r in records[start:start + records_per_part])
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        written.append(key)
    for key in sorted(old - set(written)):
        s3.delete_object(Bucket=bucket, Key=key)
    s3.put_object(Bucket=bucket, Key=marker, Body=json.dumps({"day": day.isoformat(), "records": len(records)}))
    return written
