"""The drills' data: one small, seeded dataset the candidate sees and hidden variants with the edge cases.

Every dataset has the same tables, with the sim's column types (``sim.data_sql``)::

    CLINICIANS        CLINICIAN_ID, CLINICIAN_NAME, SPECIALTY, HOURLY_RATE
    CLIENTS           CLIENT_ID, CLIENT_NAME, STATE, CREATED_DATE
    APPOINTMENTS      APPOINTMENT_ID, CLIENT_ID, CLINICIAN_ID, APPOINTMENT_DATE, APPOINTMENT_TS (UTC, NTZ),
                      STATUS, IS_NO_SHOW, DURATION_MINUTES, FEE_AMOUNT
    PAYMENTS          PAYMENT_ID, APPOINTMENT_ID, CLIENT_ID, PAYMENT_DATE, PAYMENT_AMOUNT, PAYMENT_METHOD
    RAW_APPOINTMENTS  RAW_DATA (VARIANT: the partner's JSON record), LOADED_AT

A dataset is a plain dict ``{table: [row tuples]}`` built by a function of a seed, so the same name always
gives the same rows. The hidden variants start from a seeded base and then plant one kind of case on purpose
(``CASES`` says which, in the words a failing candidate is shown). Tens of rows each: grading stays fast.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from sim.data_sql import METHODS, SPECIALTIES, STATES
from sim.data_sql import APPOINTMENT_COLUMNS, CLIENT_COLUMNS, CLINICIAN_COLUMNS, PAYMENT_COLUMNS

Dataset = dict[str, list[tuple]]

COLUMNS: dict[str, str] = {  # table -> Snowflake DDL column list
    "CLINICIANS": CLINICIAN_COLUMNS,
    "CLIENTS": CLIENT_COLUMNS,
    "APPOINTMENTS": APPOINTMENT_COLUMNS,
    "PAYMENTS": PAYMENT_COLUMNS,
    "RAW_APPOINTMENTS": "(RAW_DATA VARIANT, LOADED_AT TIMESTAMP_NTZ)",
}
TABLES = tuple(COLUMNS)
START = date(2025, 1, 6)  # a Monday


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _base(
    seed: int, *, clinicians: int = 4, clients: int = 8, appointments: int = 22, days: int = 40
) -> Dataset:
    """A realistic small clinic: completed appointments paid once; the last client never booked."""
    rng = random.Random(seed)
    clin = [
        (100 + i, f"Clinician {i}", SPECIALTIES[(i + seed) % 3], _money(90 + 5 * rng.randrange(12)))
        for i in range(1, clinicians + 1)
    ]
    cli = [
        (i, f"Client {i}", rng.choice(STATES), START - timedelta(days=rng.randrange(30, 400)))
        for i in range(1, clients + 1)
    ]
    appts = []
    for i in range(1, appointments + 1):
        client = cli[(i - 1) % (clients - 1)][0] if i < clients else rng.choice(cli[:-1])[0]
        clinician = clin[(i - 1) % clinicians][0] if i <= clinicians else rng.choice(clin)[0]
        day = START + timedelta(days=rng.randrange(days))
        ts = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=rng.randrange(13, 23), minutes=30 * rng.randrange(2)
        )
        status = rng.choices(["completed", "cancelled", "no_show"], weights=[7, 2, 1])[0]
        fee = _money(90 + 5 * rng.randrange(20) + rng.randrange(100) / 100)
        appts.append(
            [
                1000 + i,
                client,
                clinician,
                day,
                ts,
                status,
                int(status == "no_show"),
                rng.choice([30, 50, 50, 80]),
                fee,
            ]
        )
    # one clinician's busy fortnight: runs of 3 and 2 consecutive working days, one visit per day
    busy = clin[seed % clinicians][0]
    for n, offset in enumerate((20, 21, 22, 24, 25)):
        day = START + timedelta(days=offset)
        appts.append(
            [
                1000 + appointments + 1 + n,
                cli[n % (clients - 1)][0],
                busy,
                day,
                datetime.combine(day, datetime.min.time()) + timedelta(hours=14 + n),
                "completed",
                0,
                50,
                _money(100.05 + 7 * n),
            ]
        )  # x.05 fees: 30% and 70% both land on half cents
    data = {"CLINICIANS": clin, "CLIENTS": cli, "APPOINTMENTS": [tuple(a) for a in appts]}
    return _derive(data, seed)


def _derive(data: Dataset, seed: int) -> Dataset:
    """Payments (one per priced completed appointment, same day) and the partner's raw JSON."""
    rng = random.Random(seed + 1)
    data.setdefault(
        "PAYMENTS",
        [
            (f"pay_{a[0]:08d}", a[0], a[1], a[3], a[8], METHODS[rng.randrange(len(METHODS))])
            for a in data["APPOINTMENTS"]
            if a[5] == "completed" and a[8] is not None
        ],
    )
    states = {c[0]: c[2] for c in data["CLIENTS"]}
    data.setdefault(
        "RAW_APPOINTMENTS",
        [
            (_partner_json(a, states.get(a[1]), rng), datetime(2025, 3, 1, 6, 0) + timedelta(minutes=n))
            for n, a in enumerate(data["APPOINTMENTS"])
        ],
    )
    return data


def _partner_json(appt: tuple, state: str | None, rng: random.Random) -> str:
    """The partner API's record for one appointment: nested client, a list of billed services."""
    services = [{"code": "90837", "units": 1, "amount": float(appt[8] or 0)}]
    if rng.random() < 0.4:
        services.append({"code": "90785", "units": rng.randrange(1, 3), "amount": 15.0})
    record = {
        "appointment_id": appt[0],
        "client": {"id": appt[1], "state": state},
        "clinician_id": appt[2],
        "start_time": appt[4].isoformat() + "Z",
        "status": appt[5],
        "services": services,
    }
    return json.dumps(record)


def _replace(rows: list[tuple], index: int, **changes: object) -> None:
    """Change named appointment columns of ``rows[index]`` in place."""
    names = [
        "APPOINTMENT_ID",
        "CLIENT_ID",
        "CLINICIAN_ID",
        "APPOINTMENT_DATE",
        "APPOINTMENT_TS",
        "STATUS",
        "IS_NO_SHOW",
        "DURATION_MINUTES",
        "FEE_AMOUNT",
    ]
    row = list(rows[index])
    for name, value in changes.items():
        row[names.index(name)] = value
    rows[index] = tuple(row)


# -- the cases ------------------------------------------------------------------------------------------


def visible() -> Dataset:
    """What the candidate sees: realistic, clean, no ties at the top."""
    return _base(7)


def ties() -> Dataset:
    """Ties everywhere a ranking can meet one: revenue per clinician, fees, timestamps, dates."""
    data = _base(11, clinicians=3, clients=5, appointments=12)
    appts = data["APPOINTMENTS"][:12]  # without the base's busy fortnight: equal counts per clinician
    for i, _row in enumerate(appts):  # every appointment completed, same fee: revenue ties by count
        _replace(appts, i, STATUS="completed", IS_NO_SHOW=0, FEE_AMOUNT=Decimal("120.00"))
    for i, clinician in enumerate([101, 101, 101, 102, 102, 102, 103, 103, 101, 102, 103, 103]):
        _replace(appts, i, CLINICIAN_ID=clinician)
    # client 2's two latest appointments share a timestamp
    _replace(
        appts, 5, CLIENT_ID=2, APPOINTMENT_DATE=date(2025, 2, 14), APPOINTMENT_TS=datetime(2025, 2, 14, 15)
    )
    _replace(
        appts, 6, CLIENT_ID=2, APPOINTMENT_DATE=date(2025, 2, 14), APPOINTMENT_TS=datetime(2025, 2, 14, 15)
    )
    # clinician 101 works 3, 4, 4 and 5 February: a three-day run with two visits on its middle day
    for i, day in zip((0, 1, 2, 8), (3, 4, 4, 5)):
        when = date(2025, 2, day)
        _replace(
            appts,
            i,
            APPOINTMENT_DATE=when,
            APPOINTMENT_TS=datetime.combine(when, datetime.min.time()) + timedelta(hours=14 + i % 3),
        )
    clin = [(c[0], c[1], "psychotherapy", c[3]) for c in data["CLINICIANS"]]  # one specialty: a three-way tie
    return _derive({"CLINICIANS": clin, "CLIENTS": data["CLIENTS"], "APPOINTMENTS": appts}, 11)


def nulls() -> Dataset:
    """NULL foreign keys, a NULL fee, two clients with no state, a payment with no method."""
    data = _base(13)
    appts = data["APPOINTMENTS"]
    _replace(appts, 2, CLIENT_ID=None)  # an appointment with no client
    _replace(appts, 3, CLINICIAN_ID=None, STATUS="completed", IS_NO_SHOW=0)
    _replace(appts, 4, STATUS="completed", FEE_AMOUNT=None)  # completed but not priced yet
    clients = list(data["CLIENTS"])
    for i in (1, 7):  # two clients with no state: a NULL never equals another NULL
        clients[i] = (clients[i][0], clients[i][1], None, clients[i][3])
    data = _derive({"CLINICIANS": data["CLINICIANS"], "CLIENTS": clients, "APPOINTMENTS": appts}, 13)
    data["PAYMENTS"].append(("pay_unlinked", None, None, date(2025, 1, 20), Decimal("40.00"), "card"))
    data["PAYMENTS"][4] = data["PAYMENTS"][4][:5] + (None,)  # a payment whose method was not recorded
    return data


def duplicates() -> Dataset:
    """Rows delivered twice: a repeated appointment, a second payment for one visit, a re-sent JSON record."""
    data = _base(17)
    appts = data["APPOINTMENTS"]
    _replace(appts, 0, STATUS="completed", IS_NO_SHOW=0)
    appts.append(appts[0])
    data = _derive(
        {k: v for k, v in data.items() if k in ("CLINICIANS", "CLIENTS")} | {"APPOINTMENTS": appts}, 17
    )
    first = data["PAYMENTS"][0]
    data["PAYMENTS"].append(
        (first[0] + "_2", first[1], first[2], first[3] + timedelta(days=3), Decimal("10.00"), "card")
    )
    data["RAW_APPOINTMENTS"].append((data["RAW_APPOINTMENTS"][1][0], datetime(2025, 3, 2, 6, 0)))
    return data


def empty_groups() -> Dataset:
    """A clinician with no appointments, clients who never booked, and a week with no appointments at all."""
    data = _base(19, clinicians=4, clients=9, appointments=16)
    appts = [a for a in data["APPOINTMENTS"] if a[2] != 104 and a[1] not in (8, 9)]
    moved = []
    for a in appts:  # empty the second week entirely
        day = (
            a[3] + timedelta(days=7)
            if START + timedelta(days=7) <= a[3] < START + timedelta(days=14)
            else a[3]
        )
        ts = datetime.combine(day, a[4].time())
        moved.append(a[:3] + (day, ts) + a[5:])
    return _derive({"CLINICIANS": data["CLINICIANS"], "CLIENTS": data["CLIENTS"], "APPOINTMENTS": moved}, 19)


def single_row() -> Dataset:
    """One of everything."""
    clin = [(101, "Clinician 1", "psychiatry", Decimal("150.00"))]
    cli = [(1, "Client 1", "NY", date(2024, 6, 1))]
    appts = [
        (1001, 1, 101, date(2025, 2, 3), datetime(2025, 2, 3, 15, 0), "completed", 0, 50, Decimal("175.50"))
    ]
    return _derive({"CLINICIANS": clin, "CLIENTS": cli, "APPOINTMENTS": appts}, 23)


def month_ends() -> Dataset:
    """Dates on month and year boundaries (31 Jan, 29 Feb of a leap year, 31 Dec), times near midnight."""
    data = _base(29, appointments=14)
    appts = data["APPOINTMENTS"]
    days = [date(2024, 1, 31), date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1), date(2025, 3, 31)]
    for i, day in enumerate(days):
        _replace(
            appts,
            i,
            APPOINTMENT_DATE=day,
            APPOINTMENT_TS=datetime.combine(day, datetime.min.time()) + timedelta(hours=23, minutes=30),
            STATUS="completed",
            IS_NO_SHOW=0,
        )
    _replace(appts, 5, APPOINTMENT_DATE=date(2025, 1, 1), APPOINTMENT_TS=datetime(2025, 1, 1, 2, 15))
    # 04:30 UTC on 31 March is 00:30 in New York under daylight saving time (UTC-4),
    # but 23:30 the day before at a fixed UTC-5
    _replace(appts, 6, APPOINTMENT_DATE=date(2025, 3, 31), APPOINTMENT_TS=datetime(2025, 3, 31, 4, 30))
    # the client first seen on 31 December comes back in January: retention across the year boundary
    _replace(
        appts,
        7,
        CLIENT_ID=3,
        APPOINTMENT_DATE=date(2025, 1, 15),
        APPOINTMENT_TS=datetime(2025, 1, 15, 16),
        STATUS="completed",
        IS_NO_SHOW=0,
    )
    return _derive({"CLINICIANS": data["CLINICIANS"], "CLIENTS": data["CLIENTS"], "APPOINTMENTS": appts}, 29)


# name -> (builder, the case in the words shown to a candidate who fails it)
CASES: dict[str, tuple[Callable[[], Dataset], str]] = {
    "visible": (visible, "the visible data"),
    "ties": (
        ties,
        "values tie (clinicians with the same revenue, two visits at the same time or on the same day)",
    ),
    "nulls": (nulls, "keys or amounts are NULL (or a client's state, a payment's method)"),
    "duplicates": (duplicates, "a row arrives twice or a visit has two payments"),
    "empty_groups": (
        empty_groups,
        "a group has no rows (a clinician or client with no visits, a week with none)",
    ),
    "single_row": (single_row, "a table has a single row"),
    "month_ends": (
        month_ends,
        (
            "dates fall on month or year ends or a leap day, or times are near midnight (UTC or New York, "
            "with daylight saving time)"
        ),
    ),
}
HIDDEN = tuple(name for name in CASES if name != "visible")


def build(name: str) -> Dataset:
    """The dataset called ``name`` (a key of ``CASES``); the same rows every time."""
    try:
        return CASES[name][0]()
    except KeyError:
        raise KeyError(f"no dataset '{name}'; known: {', '.join(CASES)}") from None


def describe(name: str) -> str:
    return CASES[name][1]
