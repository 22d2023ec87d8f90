"""The simulated systems, built in one place: the warehouse and its data, the partner's scheduling API, the
backend's revenue API and Slack's incoming webhook, all telling time by one clock.

``sim.start()`` mounts them in this process (``sim.world.World``); ``python -m sim airflow`` serves the same
ones on loopback (``sim.services.Services``). Both add S3 their own way (moto in process, or moto's server).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sim import data
from sim.backend_api import BackendRevenueAPI
from sim.partner_api import PartnerSchedulingAPI
from sim.slack import SlackWebhook
from sim.warehouse import Warehouse
from solutions.clock import Clock


@dataclass
class Systems:
    """The warehouse (with the manifest of what its data holds) and the HTTP fakes that read it."""

    warehouse: Warehouse
    manifest: data.Manifest
    partner: PartnerSchedulingAPI
    backend: BackendRevenueAPI
    slack: SlackWebhook
    clock: Clock
    #: the source's change history (``sim.history.History``) when built with ``history=...``, else None
    history: Any
    #: Fivetran's REST API (``sim.fivetran``), at ``https://api.fivetran.com/v1``, connector ``backend_postgres``
    fivetran: Any

    def generate(self, *, history: bool | dict[str, float] | None = None, **kwargs: Any) -> data.Manifest:
        """Rebuild every table (same knobs as ``sim.data.generate``, plus ``history`` as in ``sim.start``) and
        return the new manifest."""
        self.manifest = data.generate(self.warehouse, **kwargs)
        self.history = enable_history(self.warehouse, self.manifest, self.partner, history)
        self.partner.records.cache_clear()
        self.heal_partner_feed()
        return self.manifest

    def damage_partner_feed(self, day: dt.date | str, **defects: Any) -> dict[str, data.Injected]:
        """Make the partner API serve ``day`` with defects (``sim.feed.FEED_DEFECTS``: null_client_id,
        orphan_client_id, duplicate_appointment_id, unknown_status, missing_records); the source tables stay
        the truth. Returns what was injected, by defect name. Replaces any earlier damage."""
        from sim import feed

        when = as_day(day)
        top = self.warehouse.query("SELECT MAX(CLIENT_ID) FROM BACKEND.PUBLIC.CLIENTS")[0][0]
        damage = feed.plan(self.partner.records(when, when), when.isoformat(), defects, seed=self.manifest.seed,
                           orphan_base=int(top) + 1000)
        self.partner.transform = damage
        return damage.injected

    def heal_partner_feed(self) -> None:
        """The partner API serves the source's truth again."""
        self.partner.transform = None


def build(run_dir: Path, stack: ExitStack, *, clock: Clock, slack_url: str = SlackWebhook.DEFAULT_URL,
          requests_per_second: float = 5.0, history: bool | dict[str, float] | None = None,
          fivetran_epoch: dt.datetime | None = None, **knobs: Any) -> Systems:
    """Start the warehouse in ``run_dir / "warehouse"`` (stopped by ``stack``), generate its data with
    ``knobs`` (``sim.data.generate``'s), build the fakes on ``clock`` and, when asked, the source's change
    history (``history``, as in ``sim.start``)."""
    warehouse = Warehouse(run_dir / "warehouse")
    stack.callback(warehouse.stop)
    warehouse.start()
    manifest = data.generate(warehouse, **knobs)
    partner = PartnerSchedulingAPI(appointments_source(warehouse), token=secrets.token_urlsafe(24),
                                   requests_per_second=requests_per_second, clock=clock)
    backend = BackendRevenueAPI(payments_source(warehouse), clock=clock)
    slack = SlackWebhook(slack_url, clock=clock)
    changes = enable_history(warehouse, manifest, partner, history)
    return Systems(warehouse, manifest, partner, backend, slack, clock, changes,
                   fivetran(warehouse, clock, fivetran_epoch))


def fivetran(warehouse: Warehouse, clock: Clock, epoch: dt.datetime | None = None) -> Any:
    """Fivetran with one connector, ``backend_postgres``: the backend database into BACKEND.PUBLIC.
    ``epoch``: the time the clock's 0.0 stands for (default ``sim.fivetran.EPOCH``, 2 October 2025 02:00 UTC)."""
    from sim.fivetran import EPOCH, FivetranAPI, warehouse_lander

    api = FivetranAPI(api_key=secrets.token_hex(8), api_secret=secrets.token_urlsafe(24), clock=clock,
                      land=warehouse_lander(warehouse), epoch=epoch or EPOCH)
    api.add_connector("backend_postgres", tables={"CLIENTS": "CLIENT_ID", "CLINICIANS": "CLINICIAN_ID",
                                                  "APPOINTMENTS": "APPOINTMENT_ID", "PAYMENTS": "PAYMENT_ID"},
                      sync_seconds=1.0)
    return api


def as_day(day: dt.date | str) -> dt.date:
    """A day the sim was asked about: a ``date`` or an ISO ``YYYY-MM-DD`` string."""
    return day if isinstance(day, dt.date) else dt.date.fromisoformat(day)


def appointments_source(warehouse: Warehouse):
    """The partner API serves the source system's appointments (the truth, before any mart defect).

    Cached per date range (a paging client asks for the same range once per page); ``Systems.generate``
    clears the cache when it rebuilds the data.
    """

    @functools.lru_cache(maxsize=64)
    def records(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
        rows = warehouse.query(
            """SELECT APPOINTMENT_ID, CLIENT_ID, CLINICIAN_ID, APPOINTMENT_DATE, APPOINTMENT_TS, STATUS,
                      DURATION_MINUTES, FEE_AMOUNT
               FROM BACKEND.PUBLIC.APPOINTMENTS
               WHERE APPOINTMENT_DATE BETWEEN %s AND %s ORDER BY APPOINTMENT_ID""", (start, end))
        return [
            {"appointment_id": a, "client_id": c, "clinician_id": k, "appointment_date": d.isoformat(),
             "start_time": ts.isoformat(), "status": s, "duration_minutes": m, "fee_amount": str(fee)}
            for a, c, k, d, ts, s, m, fee in rows
        ]

    return records


def enable_history(warehouse: Warehouse, manifest: data.Manifest, partner: PartnerSchedulingAPI,
                    history: bool | dict[str, float] | None) -> Any:
    """Give the fresh source its change history and the partner its ``updated_since`` feed (or neither)."""
    partner.feed = None
    if not history:
        return None
    from sim import history as changes

    made = changes.enable(warehouse, seed=manifest.seed, start=dt.date.fromisoformat(manifest.start),
                          days=manifest.days, rates=None if history is True else history)
    made.listeners.append(partner.records.cache_clear)
    partner.feed = appointment_feed(warehouse, made)
    return made


def appointment_feed(warehouse: Warehouse, history: Any):
    """The partner's change feed: records updated at or after ``since`` and tombstones of deletes, as of the
    source's ``now``, oldest change first (ties by id)."""
    from sim.history import deletes_since

    def feed(since: dt.datetime) -> list[dict[str, Any]]:
        rows = warehouse.query(
            """SELECT APPOINTMENT_ID, CLIENT_ID, CLINICIAN_ID, APPOINTMENT_DATE, APPOINTMENT_TS, STATUS,
                      DURATION_MINUTES, FEE_AMOUNT, UPDATED_AT
               FROM BACKEND.PUBLIC.APPOINTMENTS WHERE UPDATED_AT >= %s""", (since,))
        live = [
            {"appointment_id": a, "client_id": c, "clinician_id": k, "appointment_date": d.isoformat(),
             "start_time": ts.isoformat(), "status": s, "duration_minutes": m, "fee_amount": str(fee),
             "updated_at": u.isoformat(), "deleted": False}
            for a, c, k, d, ts, s, m, fee, u in rows
        ]
        gone = [{"appointment_id": int(key), "deleted": True, "updated_at": at}
                for key, at in deletes_since(warehouse, "appointment", since, history.now)]
        return sorted(live + gone, key=lambda r: (r["updated_at"], r["appointment_id"]))

    return feed


def payments_source(warehouse: Warehouse):
    """The backend API's truth: its own payments table, untouched by the marts' defects."""

    def payments(day: dt.date) -> list[dict[str, Any]]:
        rows = warehouse.query(
            """SELECT PAYMENT_ID, APPOINTMENT_ID, CLIENT_ID, PAYMENT_AMOUNT, PAYMENT_METHOD
               FROM BACKEND.PUBLIC.PAYMENTS WHERE PAYMENT_DATE = %s ORDER BY PAYMENT_ID""", (day,))
        return [{"payment_id": p, "appointment_id": a, "client_id": c, "amount": Decimal(amount), "method": m}
                for p, a, c, amount, m in rows]

    return payments
