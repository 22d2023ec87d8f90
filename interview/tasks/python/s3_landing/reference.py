"""Land a day's records in S3 as JSON lines parts, with a ready marker that readers can trust."""

from __future__ import annotations

import json
from datetime import date

MARKER = "ready.json"


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    """Write ``records`` under ``{prefix}/dt=YYYY-MM-DD/`` as ``part-NNNNN.jsonl`` files, then ``ready.json``.

    Landing a day again replaces it; a crash never leaves a marker on an incomplete day; an empty day still gets
    its marker. Returns the part keys written.
    """
    if isinstance(records_per_part, bool) or not isinstance(records_per_part, int) or records_per_part < 1:
        raise ValueError(f"records_per_part must be an integer >= 1, got {records_per_part!r}")
    folder = f"{prefix.rstrip('/')}/dt={day.isoformat()}/"
    marker = folder + MARKER
    # 1. withdraw the promise first: from here until step 4 the day is being rewritten
    s3.delete_object(Bucket=bucket, Key=marker)
    before = {item["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder)
              for item in page.get("Contents", [])}
    # 2. the parts, overwriting those of the same name
    written = []
    for number, start in enumerate(range(0, len(records), records_per_part)):
        key = f"{folder}part-{number:05d}.jsonl"
        lines = "".join(json.dumps(record, separators=(",", ":")) + "\n"
                        for record in records[start:start + records_per_part])
        s3.put_object(Bucket=bucket, Key=key, Body=lines.encode("utf-8"))
        written.append(key)
    # 3. parts of an earlier, longer landing
    stale = sorted(before - set(written) - {marker})
    for start in range(0, len(stale), 1000):  # DeleteObjects takes at most 1,000 keys
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
    # 4. the promise, last
    s3.put_object(Bucket=bucket, Key=marker,
                  Body=json.dumps({"day": day.isoformat(), "records": len(records)}).encode("utf-8"))
    return written
