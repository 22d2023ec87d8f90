"""A correct alternative: withdraw the marker, delete every object of the day's folder, write the parts, then the
marker. Simpler than deleting only the stale parts; the day is empty for a moment, which is fine while no marker
promises otherwise."""

from __future__ import annotations

import json
from datetime import date


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    folder = f"{prefix}/dt={day:%Y-%m-%d}/"
    marker = folder + "ready.json"
    s3.delete_object(Bucket=bucket, Key=marker)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    keys = []
    for number, start in enumerate(range(0, len(records), records_per_part)):
        keys.append(f"{folder}part-{number:05d}.jsonl")
        body = "\n".join(json.dumps(r) for r in records[start:start + records_per_part]) + "\n"
        s3.put_object(Bucket=bucket, Key=keys[-1], Body=body)
    s3.put_object(Bucket=bucket, Key=marker, Body=json.dumps({"day": f"{day:%Y-%m-%d}", "records": len(records)}))
    return keys
