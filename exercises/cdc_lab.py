"""The change-capture lab of notebook 17: a replica and a change log filled from the sim's change history.

    start_replica(cur, history, "2025-09-10 00:00:00")   # the initial load: the source as it was then
    capture(cur, history, since, until, batch=1)         # the changes of (since, until] appended to the log

``history`` is ``world.history`` (``sim.start(history=True)``): the source shown as of any time, and the
manifest of its deletes. A real pipeline gets the same change log from its CDC tool (Fivetran, Debezium, a
partner's ``updated_since`` feed); what it does with the log is ``solutions.cdc``.
"""

from __future__ import annotations

from typing import Any

from solutions.cdc import _COLUMNS, CHANGE_LOG, KEY, REPLICA, SOURCE, TYPES, create_tables


def load_replica(cur: Any, history: Any, as_of: str) -> int:
    """The initial load: ``REPLICA`` := the source as it was at ``as_of`` (no tombstones). Returns its rows."""
    history.as_of(as_of)
    cur.execute(f"DELETE FROM {REPLICA}")
    cur.execute(f"INSERT INTO {REPLICA} SELECT {_COLUMNS}, FALSE FROM {SOURCE}")
    return int(cur.fetchone()[0])


def start_replica(cur: Any, history: Any, as_of: str) -> int:
    """``create_tables`` then ``load_replica``: a replica of the source at ``as_of`` and an empty change log."""
    create_tables(cur)
    return load_replica(cur, history, as_of)


def capture(cur: Any, history: Any, since: str, until: str, batch: int) -> int:
    """Append the changes of ``(since, until]`` to ``CHANGE_LOG`` as batch ``batch``: each record whose
    ``UPDATED_AT`` falls in the window, as the source shows it at ``until``, and a tombstone per delete made in
    the window (from the source's change manifest). Every row gets the next ``SEQ``. Returns the rows added."""
    history.as_of(until)
    cur.execute(f"SELECT COALESCE(MAX(SEQ), 0) FROM {CHANGE_LOG}")
    last = int(cur.fetchone()[0])
    nulls = ", ".join(f"NULL::{t}" for t in TYPES[1:-1])
    cur.execute(f"""INSERT INTO {CHANGE_LOG}
        SELECT {last} + ROW_NUMBER() OVER (ORDER BY UPDATED_AT, {KEY}, IS_DELETED), %(batch)s, * FROM (
            SELECT {_COLUMNS}, FALSE AS IS_DELETED FROM {SOURCE}
            WHERE UPDATED_AT > %(since)s::TIMESTAMP_NTZ AND UPDATED_AT <= %(until)s::TIMESTAMP_NTZ
            UNION ALL
            SELECT ENTITY_KEY::NUMBER(38,0), {nulls}, CHANGED_AT, TRUE FROM BACKEND.HISTORY.CHANGES
            WHERE ENTITY = 'appointment' AND OP = 'delete'
              AND CHANGED_AT > %(since)s::TIMESTAMP_NTZ AND CHANGED_AT <= %(until)s::TIMESTAMP_NTZ)""",
                {"batch": batch, "since": since, "until": until})
    return int(cur.fetchone()[0])
