"""Change data capture into the warehouse: capture a source's changes, apply them with one MERGE, and prove the
result with content hashes.

    create_tables(cur)                                 # the replica, the change log, the streams' offsets
    cur.execute(MERGE_LATEST, {"batch": 1})            # the newest version of each key wins; deletes are tombstones
    fingerprint(cur, LIVE_REPLICA)                     # (rows, content hash): equal hashes, equal tables
    run_task(cur, ChangeStream("replica_feed"))        # a stream's offset over the change log, and its task

Notebook 17 fills the change log from the sim's change history with ``exercises.cdc_lab.capture``.

What a CDC tool (Fivetran, Debezium, a partner's ``updated_since`` feed) hands over is a **change log**: every
new version of a record that changed, stamped with the source's ``UPDATED_AT``, and a **tombstone** (the key, the
time, ``IS_DELETED``) for every delete. Batches overlap, arrive twice, arrive late and out of order. Applying
them is right only if it is *idempotent* (the same batch twice changes nothing) and *order-independent* (the
newest version wins whatever the arrival order): ``MERGE_LATEST`` is both, and the kit proves it by hashes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

REPLICA = "ANALYTICS.CDC.APPOINTMENTS"
CHANGE_LOG = "ANALYTICS.CDC.APPOINTMENT_CHANGES"
OFFSETS = "ANALYTICS.CDC.STREAM_OFFSETS"
SOURCE = "BACKEND.PUBLIC.APPOINTMENTS"
KEY = "APPOINTMENT_ID"
COLUMNS = ("APPOINTMENT_ID", "CLIENT_ID", "CLINICIAN_ID", "APPOINTMENT_DATE", "STATUS", "IS_NO_SHOW", "FEE_AMOUNT",
           "UPDATED_AT")
TYPES = ("NUMBER(38,0)", "NUMBER(38,0)", "NUMBER(38,0)", "DATE", "VARCHAR", "NUMBER(38,0)", "NUMBER(10,2)",
         "TIMESTAMP_NTZ")
#: the replica's live rows, and the source over the same columns: equal fingerprints = the replica is right
LIVE_REPLICA = f"SELECT {', '.join(COLUMNS)} FROM {REPLICA} WHERE NOT IS_DELETED"
SOURCE_NOW = f"SELECT {', '.join(COLUMNS)} FROM {SOURCE}"

_SET = ",\n        ".join(f"{c} = s.{c}" for c in COLUMNS[1:])
_COLUMNS = ", ".join(COLUMNS)

MERGE_LATEST = f"""MERGE INTO {REPLICA} t
USING (
    SELECT * FROM {CHANGE_LOG}
    WHERE BATCH_ID = %(batch)s
    QUALIFY ROW_NUMBER() OVER (PARTITION BY {KEY} ORDER BY UPDATED_AT DESC, IS_DELETED DESC) = 1
) s
ON t.{KEY} = s.{KEY}
WHEN MATCHED AND s.UPDATED_AT > t.UPDATED_AT THEN UPDATE SET
        {_SET},
        IS_DELETED = s.IS_DELETED
WHEN NOT MATCHED THEN INSERT ({_COLUMNS}, IS_DELETED)
    VALUES ({', '.join(f's.{c}' for c in COLUMNS)}, s.IS_DELETED)"""
"""Apply one batch of the change log (``%(batch)s``): one row per key (the newest; a delete wins a tie), a row
changes only for a *newer* version, and a delete is kept as a tombstone (``IS_DELETED``, the other columns
NULL) so that an older version arriving later cannot bring the record back."""


def _create(cur: Any, table: str, extra: str = "") -> None:
    columns = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, TYPES))
    cur.execute(f"CREATE OR REPLACE TABLE {table} ({extra}{columns}, IS_DELETED BOOLEAN NOT NULL)")


def create_tables(cur: Any) -> None:
    """An empty ``REPLICA``, ``CHANGE_LOG`` (plus ``SEQ``, its order of arrival, and ``BATCH_ID``) and ``OFFSETS``."""
    cur.execute("CREATE SCHEMA IF NOT EXISTS ANALYTICS.CDC")
    _create(cur, REPLICA)
    _create(cur, CHANGE_LOG, "SEQ NUMBER(38,0), BATCH_ID NUMBER(38,0), ")
    cur.execute(f"CREATE OR REPLACE TABLE {OFFSETS} (STREAM_NAME VARCHAR, LAST_SEQ NUMBER(38,0))")


def fingerprint(cur: Any, query: str) -> tuple[int, str]:
    """(rows, content hash) of a query's result: the hash is over the rows sorted, so it ignores physical order
    and changes if any value changes (the same idea as ``solutions.pipeline.marts_fingerprint``)."""
    cur.execute(query)
    rows = sorted(repr(tuple(row)) for row in cur.fetchall())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def differences(cur: Any, query: str, truth: str) -> int:
    """How many rows differ between two queries' results (in one and not the other, either way)."""
    cur.execute(f"SELECT COUNT(*) FROM (({query}) EXCEPT ({truth}) UNION ALL (({truth}) EXCEPT ({query})))")
    return int(cur.fetchone()[0])


@dataclass
class ChangeStream:
    """What a Snowflake stream is, run on the sim: a named **offset** over a change table, nothing else.

    ``pending`` reads the changes after the offset without moving it (a ``SELECT`` from a stream);
    ``consume`` runs a statement over exactly those changes, then moves the offset (a stream read by DML);
    ``has_data`` is ``SYSTEM$STREAM_HAS_DATA``. Over the append-only change log this is an append-only stream
    (``APPEND_ONLY = TRUE``): every row is an insert.

    One difference, on purpose: Snowflake advances a stream's offset in the transaction of the DML that reads
    it, so the two commit together. The sim cannot put a ``MERGE`` and another write in one transaction
    (fakesnow's ``MERGE`` also writes its own bookkeeping database, and a DuckDB transaction may write only
    one), so here the offset moves after the statement commits. A crash between the two applies the same
    changes again next time, which an idempotent ``MERGE`` absorbs: at-least-once delivery plus an idempotent
    apply gives the same table as exactly-once.
    """

    name: str
    table: str = CHANGE_LOG

    def offset(self, cur: Any) -> int:
        cur.execute(f"SELECT LAST_SEQ FROM {OFFSETS} WHERE STREAM_NAME = %s", (self.name,))
        row = cur.fetchone()
        if row is None:  # a new stream starts at the table's current end: it sees only later changes
            cur.execute(f"SELECT COALESCE(MAX(SEQ), 0) FROM {self.table}")
            start = int(cur.fetchone()[0])
            cur.execute(f"INSERT INTO {OFFSETS} VALUES (%s, %s)", (self.name, start))
            return start
        return int(row[0])

    def move_to(self, cur: Any, seq: int) -> None:
        self.offset(cur)
        cur.execute(f"UPDATE {OFFSETS} SET LAST_SEQ = %s WHERE STREAM_NAME = %s", (seq, self.name))

    def pending(self, cur: Any) -> list[tuple]:
        cur.execute(f"SELECT SEQ, {KEY}, STATUS, IS_DELETED FROM {self.table} WHERE SEQ > %s ORDER BY SEQ",
                    (self.offset(cur),))
        return cur.fetchall()

    def has_data(self, cur: Any) -> bool:
        return bool(self.pending(cur))

    def consume(self, cur: Any, statement: str) -> int:
        """Run ``statement`` (which reads the changes with ``SEQ`` in ``(%(after)s, %(upto)s]``), then advance the
        offset to ``upto``; if the statement fails, the offset stays. Returns the number of changes consumed."""
        after = self.offset(cur)
        cur.execute(f"SELECT COALESCE(MAX(SEQ), %s) FROM {self.table}", (after,))
        upto = int(cur.fetchone()[0])
        cur.execute(statement, {"after": after, "upto": upto})
        self.move_to(cur, upto)
        return upto - after


#: ``MERGE_LATEST`` over a stream's window of the change log instead of one batch
MERGE_FROM_STREAM = MERGE_LATEST.replace("WHERE BATCH_ID = %(batch)s", "WHERE SEQ > %(after)s AND SEQ <= %(upto)s")


def run_task(cur: Any, stream: ChangeStream, statement: str = MERGE_FROM_STREAM) -> str:
    """One scheduled run of a task ``WHEN SYSTEM$STREAM_HAS_DATA(...)``: skipped when the stream is empty."""
    if not stream.has_data(cur):
        return "skipped: the stream has no data"
    return f"consumed {stream.consume(cur, statement)} changes"
