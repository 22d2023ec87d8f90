"""Land a day's records in S3 as JSON lines parts, with a ready marker that readers can trust."""

from __future__ import annotations

import json  # noqa: F401
from datetime import date


def land_day(s3, bucket: str, day: date, records: list[dict], *,
             prefix: str = "landing/appointments", records_per_part: int = 1000) -> list[str]:
    """Write ``records`` under ``{prefix}/dt=YYYY-MM-DD/`` as ``part-NNNNN.jsonl`` files, then ``ready.json``.

    Landing a day again replaces it; a crash never leaves a marker on an incomplete day; an empty day still gets
    its marker. Returns the part keys written.
    """
    raise NotImplementedError
