"""Fails: rerun replaces the day - a rerun overwrites part-00000, part-00001... but never deletes the parts an
earlier, longer landing wrote beyond them: the loader reads the old records too (duplicates, or records the
partner has since removed).

"Same key overwrites" is true per object, not per folder."""

from __future__ import annotations

import json
from datetime import date


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    folder = f"{prefix}/dt={day.isoformat()}/"
    s3.delete_object(Bucket=bucket, Key=folder + "ready.json")
    written = []
    for n, start in enumerate(range(0, len(records), records_per_part)):
        key = f"{folder}part-{n:05d}.jsonl"
        body = "".join(json.dumps(r) + "\n" for r in records[start:start + records_per_part])
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        written.append(key)
    s3.put_object(Bucket=bucket, Key=folder + "ready.json",
                  Body=json.dumps({"day": day.isoformat(), "records": len(records)}))
    return written
