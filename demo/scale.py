"""National-scale synthetic data for measuring performance (`python manage.py seed_scale`).

The shape of the demo (`demo.data`: the same agencies, logins, name and text pools)
at the scale of a national roll-out: for 100,000 people, 40 schemes (one per local authority
area), 2,000 properties with 2,500 bedspaces, about 300,000 placements with their licence terms,
3,000,000 visits and 500,000 offending events over 5 years; and the newer records: each licence
term's agreement, people's own conditions, licence warnings and endings for a breach, a move-on plan
with its actions for each stay that began, each scheme's rent deposit fund with its landlords and
deposits, and the follow-up checks after each departure. Everything scales with the number of
people. Deterministic: the same `people` and `today` give the same rows.

The rows are streamed with PostgreSQL COPY in one transaction. The change-history (pghistory) and
last-activity triggers are switched off on the loaded tables for the load (made-up rows have no
history), so each person's last activity is set afterwards by one UPDATE that computes what the
trigger would have, and the referrals waiting for a bedspace by one INSERT. The follow-up checks' trigger stays on (KEPT_TRIGGERS): it checks each check's
due date against its placement's departure as the rows go in.
"""

from __future__ import annotations

import heapq
import io
import json
import random
import time as clock
import uuid
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from importlib import import_module
from itertools import accumulate

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from aftercare.dates import add_months
from aftercare.models import DepositFund, Landlord, LandlordProperty
from agencies.models import Agency, StaffMembership
from demo import data as demo
from iom_housing.access import Role
from moveon.models import HOMELESSNESS_KINDS, ActionKind, ActionStatus
from placements.areas import ENGLISH_AREAS, WELSH_PRINCIPAL_AREAS, known_areas
from placements.dates import free_from
from placements.models import (
    Bedspace,
    DepartureReason,
    Destination,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceWarning,
    Placement,
    Property,
    SupportTier,
)
from placements.services_licence import licence_wording_current
from referrals.models import Ethnicity, Need, OffenceCategory, OffenderEvent, Referral
from reports.models import Funding, UnitCost


class Weighted:
    """A weighted choice, set up once: `.pick(rng)` is one random number and a bisection."""

    def __init__(self, options):
        self.values = [value for value, _ in options]
        self.cumulative = list(accumulate(weight for _, weight in options))

    def pick(self, rng: random.Random):
        return self.values[bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


SEED = 20261123
PER_100K = {  # the issue's national data set, per 100,000 people
    "areas": 40,
    "properties": 2_000,
    "bedspaces": 2_500,
    "placements": 300_000,
    "visits": 3_000_000,
    "events": 500_000,
}
YEARS = 5
TURNAROUND_DAYS = 2
PLACED_SHARE = 0.85  # the rest were referred and never placed
WOMEN_SHARE = 0.15

AREAS = [
    "Ceredigion", "Pembrokeshire", "Carmarthenshire", "Powys", "Swansea", "Neath Port Talbot",
    "Bridgend", "Cardiff", "Newport", "Wrexham", "Gwynedd", "Conwy", "Denbighshire", "Flintshire",
    "Cornwall", "Plymouth", "Somerset", "Bristol", "Bath and North East Somerset", "Wiltshire", "Dorset",
    "Brighton and Hove", "Westminster", "Tower Hamlets", "Norwich", "Cambridge", "Kingston upon Hull",
    "Nottingham", "Derby", "Leicester", "Birmingham", "Coventry", "Stoke-on-Trent", "Manchester",
    "Liverpool", "Blackpool", "Leeds", "Sheffield", "Newcastle upon Tyne", "Sunderland",
]  # fmt: skip
# Each area's real GSS code (placements.areas lists only codes checked against the ONS's). There
# are 40 areas at most, all real: no synthetic area or code is made.
AREA_CODES = {name: code for code, name, _cy in WELSH_PRINCIPAL_AREAS} | {
    name: code for code, name in ENGLISH_AREAS
}
STREETS = [
    "High Street", "Station Road", "Church Street", "Mill Lane", "Park Road", "Victoria Road",
    "Queen Street", "New Road", "North Road", "Bridge Street", "Castle Street", "Market Street",
]  # fmt: skip
MORE_LAST = [
    "Smith", "Brown", "Taylor", "Wilson", "Johnson", "White", "Martin", "Anderson", "Thompson",
    "Wright", "Walker", "Robinson", "Green", "Hall", "Clarke", "Jackson", "Harris", "Lewis", "Young",
    "King", "Baker", "Allen", "Hill", "Scott", "Mitchell", "Cooper", "Ward", "Moore", "Bell", "Cook",
    "Bailey", "Khan", "Ahmed", "Ali", "Hussain", "Patel", "Begum", "Okafor", "Mensah", "Campbell",
]  # fmt: skip
MORE_MALE_FIRST = [
    "James", "Daniel", "Thomas", "Joshua", "Adam", "Michael", "David", "Paul", "Stephen", "Andrew",
    "Kyle", "Jordan", "Bradley", "Ashley", "Shane", "Mohammed", "Imran", "Kwame", "Tyrone", "Marcus",
]  # fmt: skip
MORE_FEMALE_FIRST = ["Emma", "Laura", "Sarah", "Jade", "Gemma", "Kirsty", "Nicola", "Aisha", "Shanice"]
LAST = demo.LAST + MORE_LAST
FIRST = {"male": demo.MALE_FIRST + MORE_MALE_FIRST, "female": demo.FEMALE_FIRST + MORE_FEMALE_FIRST}
ETHNICITIES = Weighted([
    (Ethnicity.WHITE_BRITISH, 78), (Ethnicity.WHITE_OTHER, 5), (Ethnicity.WHITE_IRISH, 1),
    (Ethnicity.BLACK_CARIBBEAN, 3), (Ethnicity.BLACK_AFRICAN, 2), (Ethnicity.ASIAN_PAKISTANI, 3),
    (Ethnicity.ASIAN_BANGLADESHI, 1), (Ethnicity.ASIAN_INDIAN, 1), (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 3),
    (Ethnicity.OTHER_ANY, 1), (Ethnicity.NOT_STATED, 2),
])  # fmt: skip
R = DepartureReason
D = Destination
ENDINGS = Weighted([
    (R.PLANNED_MOVE_ON, 45), (R.LICENCE_ENDED, 20), (R.EVICTION, 8), (R.ABANDONED, 9), (R.RECALLED, 12),
    (R.ARRESTED, 6),
])  # fmt: skip
OTHER_DETAILS = demo.OTHER_DESTINATION_DETAILS
DESTINATIONS = {reason: Weighted(options) for reason, options in demo.DESTINATIONS_BY_REASON.items()}
RESTRICTIONS = Weighted([
    (Property.Restriction.NONE, 80), (Property.Restriction.MEN_ONLY, 8), (Property.Restriction.WOMEN_ONLY, 12),
])  # fmt: skip
IOM_CATEGORIES = Weighted([("fixed", 30), ("flex", 50), ("free", 20)])
RISKS = Weighted([("low", 25), ("medium", 50), ("high", 22), ("very_high", 3)])
URGENCIES = Weighted([("routine", 60), ("urgent", 30), ("emergency", 10)])
TIERS = Weighted([(SupportTier.T1, 50), (SupportTier.T2, 35), (SupportTier.T3, 15)])
VISIT_KINDS = Weighted([("home", 80), ("phone", 12), ("office", 8)])
OUTCOMES = Weighted([("seen", 88), ("not_in", 7), ("refused_entry", 2), ("cancelled", 3)])
ENGAGEMENT = Weighted([("good", 60), ("some", 30), ("none", 10)])
EVENT_KINDS = Weighted([
    (OffenderEvent.Kind.ARREST, 25), (OffenderEvent.Kind.CHARGE, 15), (OffenderEvent.Kind.CONVICTION, 15),
    (OffenderEvent.Kind.CAUTION, 5), (OffenderEvent.Kind.LICENCE_WARNING, 20),
    (OffenderEvent.Kind.LICENCE_BREACH, 12), (OffenderEvent.Kind.RECALL, 8),
])  # fmt: skip
# Agencies in every scheme: (code prefix, kind, name pattern, the demo's code for the first scheme).
AREA_AGENCIES = [
    ("police", Agency.Kind.POLICE, "{area} IOM police team"),
    ("probation", Agency.Kind.PROBATION, "Probation Service ({area})"),
    ("ddas", Agency.Kind.DRUG_ALCOHOL, "{area} Drug and Alcohol Service"),
    ("care-society", Agency.Kind.CARE_SOCIETY, "{area} Care Society"),
    ("social-services", Agency.Kind.SOCIAL_SERVICES, "{area} social services"),
    ("womens-centre", Agency.Kind.WOMENS_CENTRE, "{area} Women's Centre"),
]
# Staff who record visits and events in each agency of each scheme (besides the demo logins).
STAFF_PER_AGENCY = {"police": 4, "probation": 4, "ddas": 3, "care-society": 3, "social-services": 2}
STAFF_PER_AGENCY["womens-centre"] = 2
# Which agencies support a placement, and how often: (code, chance, women only).
SUPPORT = [("probation", 1.0, False), ("ddas", 0.6, False), ("care-society", 0.5, False)]
SUPPORT += [("social-services", 0.2, False), ("womens-centre", 0.7, True)]
LONDON = demo.LONDON
WALES = set(AREAS[:14])  # the Welsh local authorities: their homelessness duties are the Welsh Act's
# The share of those who moved on to each kind of let whose deposit the scheme's fund paid.
DEPOSIT_SHARE = {D.PRIVATE_RENT: 0.7, D.SOCIAL_RENT: 0.3, D.SUPPORTED_LONG_TERM: 0.1}
LANDLORDS = ["{area} Lettings", "{area} Homes", "{area} Property Co.", "Castle {area} Rentals"]
# A recorded follow-up check's answers: where they live, moved to, still engaging (as the demo's).
FOLLOW_UP_ANSWERS = [
    ("same", "", "yes"), ("same", "", "yes"), ("moved", D.FAMILY, "yes"), ("same", "", "no"),
    ("custody", "", "unknown"), ("not_known", "", "unknown"), ("moved", D.TEMPORARY, "yes"),
]  # fmt: skip


def scale_for(people: int) -> dict[str, int]:
    factor = people / 100_000
    counts = {name: max(1, round(value * factor)) for name, value in PER_100K.items()}
    counts["areas"] = min(counts["areas"], len(AREAS))
    counts["properties"] = max(counts["properties"], counts["areas"])
    counts["bedspaces"] = max(counts["bedspaces"], counts["properties"])
    return counts


def marker_property_name() -> str:
    """The first property's name: present when the national data set has been loaded."""
    return f"{AREAS[0]} 0001"


# --------------------------------------------------------------------------------------------
# COPY
# --------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _array(values: Iterable[str]) -> str:
    quoted = ('"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


_FORMATS: dict[type, Callable] = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    str: _text,
    int: str,
    Decimal: str,
    uuid.UUID: str,
    date: date.isoformat,
    datetime: datetime.isoformat,
    list: lambda value: _text(_array(value)),
    dict: lambda value: _text(json.dumps(value)),
}


def _cell(value) -> str:
    """One value in COPY's text format. Enum members are str subclasses, formatted as text."""
    formatter = _FORMATS.get(type(value))
    if formatter is None:
        formatter = _text if isinstance(value, str) else str
    return formatter(value)


@dataclass
class Loaded:
    table: str
    rows: int
    seconds: float


def copy_rows(cursor, table: str, columns: list[str], rows: Iterable[tuple], batch: int = 50_000) -> Loaded:
    """Stream `rows` into `table` with COPY, `batch` rows a statement."""
    started = clock.perf_counter()
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    lines: list[str] = []
    total = 0
    for row in rows:
        lines.append("\t".join(map(_cell, row)) + "\n")
        if len(lines) >= batch:
            cursor.copy_expert(statement, io.StringIO("".join(lines)))
            total += len(lines)
            lines = []
    if lines:
        cursor.copy_expert(statement, io.StringIO("".join(lines)))
        total += len(lines)
    return Loaded(table, total, clock.perf_counter() - started)


# --------------------------------------------------------------------------------------------
# The plan of the data set, built in memory before the load
# --------------------------------------------------------------------------------------------


class Ids:
    """The next primary key of each table (rows are loaded with explicit keys)."""

    def __init__(self, cursor, tables: list[str]):
        self.next = {}
        for table in tables:
            cursor.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}")  # nosec B608
            self.next[table] = cursor.fetchone()[0]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


@dataclass(slots=True)
class Person:
    id: int
    area: int
    gender: str
    placed: bool = False


@dataclass(slots=True)
class Stay:
    id: int
    area: int
    bedspace_id: int
    restriction: str
    status: str
    starts_on: date
    terms: list[tuple[date, date]]
    arrived_on: date | None = None
    departed_on: date | None = None
    reason: str = ""
    destination: str = ""
    person: Person | None = None
    referral_id: int | None = None
    cancellation_reason: str = ""
    public_id: uuid.UUID | None = None
    plan: list[tuple[int, int]] = field(default_factory=list)  # (agency id, visit every n days)

    @property
    def ends_on(self) -> date:
        return self.departed_on or self.terms[-1][1]

    @property
    def free_from(self) -> date:
        return free_from(self.ends_on, TURNAROUND_DAYS)

    @property
    def held(self) -> bool:
        return self.status not in Placement.RELEASED_STATUSES


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _uuid_text(rng: random.Random) -> str:
    """A version 4 UUID as 32 hex digits (which PostgreSQL reads), without building a UUID object."""
    bits = rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)
    return f"{bits | (0x4000 << 64) | (0x8000 << 48):032x}"


@lru_cache(maxsize=4096)
def _offset(day: date) -> str:
    return datetime.combine(day, time(12), tzinfo=LONDON).strftime("%z")


def _at_text(day: date, hour: int, minute: int = 0) -> str:
    """`_at` as COPY text, for the hot loops."""
    return f"{day.isoformat()} {hour:02d}:{minute:02d}:00{_offset(day)}"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _terms(starts_on: date, first: int, until: date) -> list[tuple[date, date]]:
    """Licence terms from `starts_on`, the first `first` days and then 28 days each, until a term
    ends after `until`."""
    terms = [(starts_on, starts_on + timedelta(days=first))]
    while terms[-1][1] <= until:
        start = terms[-1][1]
        terms.append((start, start + timedelta(days=28)))
    return terms


class ScalePlan:
    """Every row of the data set, planned in memory area by area, before anything is written."""

    def __init__(self, *, people: int, today: date, write: Callable[[str], None]):
        self.people = people
        self.today = today
        self.start = today - timedelta(days=round(365.25 * YEARS))
        self.counts = scale_for(people)
        self.rng = random.Random(SEED)
        self.extra_rng = random.Random(SEED + 17)  # licence, move-on and aftercare rows
        self.write = write
        self.wording_id = 0
        self.wording_conditions: list[str] = []
        self.notice_days = 7

    # ---- agencies and staff (through the ORM: a few hundred rows) ---------------------------

    def ensure_agencies_and_staff(self, password: str) -> None:
        rng = self.rng
        demo_agencies = demo.ensure_agencies()
        logins = demo.ensure_logins(demo_agencies, password)
        demo.ensure_api_client(demo_agencies, password)
        demo_staff = demo.ensure_staff(demo_agencies, logins)
        self.agencies: list[dict[str, Agency]] = []
        self.staff: list[dict[str, list[tuple[int, str]]]] = []
        User = get_user_model()
        unusable = make_password(None)
        new_users, new_memberships = [], []
        for index, area in enumerate(AREAS[: self.counts["areas"]]):
            agencies = {}
            for code, kind, pattern in AREA_AGENCIES:
                if index == 0:
                    agencies[code] = demo_agencies[code]
                    continue
                agencies[code], _ = Agency.objects.get_or_create(
                    code=f"{code}-{index:02d}",
                    defaults={
                        "name": pattern.format(area=area),
                        "kind": kind,
                        "email": f"{code}-{index:02d}@example.org",
                    },
                )
            self.agencies.append(agencies)
            staff: dict[str, list] = {}
            for code, wanted in STAFF_PER_AGENCY.items():
                names = []
                if index == 0:
                    names = [(user.pk, user.get_full_name()) for user in demo_staff.get(code, [])]
                for n in range(wanted):
                    gender = "female" if rng.random() < 0.5 else "male"
                    first, last = rng.choice(FIRST[gender]), rng.choice(LAST)
                    user = User(
                        username=f"scale.{code}.{index:02d}.{n}",
                        first_name=first,
                        last_name=last,
                        email=f"scale.{code}.{index:02d}.{n}@example.org",
                        password=unusable,
                    )
                    role = Role.IOM_OFFICER if code == "police" else Role.AGENCY_WORKER
                    new_users.append(user)
                    new_memberships.append((user, agencies[code], role))
                    names.append((user, f"{first} {last}"))
                staff[code] = names
            self.staff.append(staff)
        User.objects.bulk_create(new_users, ignore_conflicts=True)
        by_name = dict(User.objects.filter(username__startswith="scale.").values_list("username", "pk"))
        StaffMembership.objects.bulk_create(
            [
                StaffMembership(user_id=by_name[user.username], agency=agency, role=role)
                for user, agency, role in new_memberships
            ],
            ignore_conflicts=True,
        )
        for staff in self.staff:
            for code, names in staff.items():
                staff[code] = [
                    (by_name[user.username], name) if isinstance(user, User) else (user, name)
                    for user, name in names
                ]

    # ---- properties (through the ORM: a few thousand rows) ----------------------------------

    def create_properties(self) -> None:
        rng, counts = self.rng, self.counts
        areas = counts["areas"]
        local_authorities = known_areas([AREA_CODES[name] for name in AREAS[:areas]])
        properties = []
        for n in range(counts["properties"]):
            area = n % areas
            restriction = RESTRICTIONS.pick(rng)
            properties.append(
                Property(
                    name=f"{AREAS[area]} {n // areas + 1:04d}",
                    address_line_1=f"{rng.randint(1, 140)} {rng.choice(STREETS)}",
                    town=AREAS[area],
                    postcode=f"ZZ{area + 1} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                    local_authority=local_authorities[AREA_CODES[AREAS[area]]],
                    provider=f"{AREAS[area]} Housing Association",
                    weekly_cost=Decimal(rng.randrange(12000, 22000, 250)) / 100,
                    restriction=restriction,
                    accessible=rng.random() < 0.2,
                    turnaround_days=TURNAROUND_DAYS,
                )
            )
        Property.objects.bulk_create(properties, batch_size=1000)
        bedspaces = [Bedspace(property=prop, label="Flat 1") for prop in properties]
        extra = counts["bedspaces"] - len(properties)
        bedspaces += [
            Bedspace(property=properties[n % len(properties)], label="Flat 2") for n in range(extra)
        ]
        Bedspace.objects.bulk_create(bedspaces, batch_size=1000)
        area_of = {AREA_CODES[name]: index for index, name in enumerate(AREAS)}
        self.bedspaces = [
            (bedspace.pk, area_of[bedspace.property.local_authority_id], bedspace.property.restriction)
            for bedspace in bedspaces
        ]

    # ---- stays: each bedspace's placements, back to back over the years ---------------------

    def plan_stays(self) -> None:
        rng, today = self.rng, self.today
        days = (today - self.start).days
        # The days a bedspace takes per placement, turnaround and gaps included.
        cycle = len(self.bedspaces) * days / self.counts["placements"]
        mean_stay = max(3.0, cycle - 5.0)  # turnaround (2 working days) and gaps take about 5 days
        self.stays: list[list[Stay]] = [[] for _ in range(self.counts["areas"])]
        self.voids: list[tuple] = []
        S = Placement.Status
        for bedspace_id, area, restriction in self.bedspaces:
            stays = self.stays[area]
            day = self.start + timedelta(days=rng.randrange(max(1, int(cycle))))
            last: Stay | None = None
            while day <= today:
                length = max(2, round(rng.gammavariate(2.0, mean_stay / 2)))
                first = rng.choice((14, 21, 28))
                end = day + timedelta(days=length)
                stay = Stay(0, area, bedspace_id, restriction, S.ENDED, day, [])
                if end < today:
                    stay.arrived_on, stay.departed_on = day, end
                    stay.terms = _terms(day, first, end - timedelta(days=1))
                    stay.terms[-1] = (stay.terms[-1][0], end)  # the last term ends on the departure
                    stay.reason = ENDINGS.pick(rng)
                    stay.destination = DESTINATIONS[stay.reason].pick(rng)
                elif day >= today - timedelta(days=2) and rng.random() < 0.3:
                    stay.status = S.CONFIRMED  # due today or overdue: the arrival is not recorded yet
                    stay.terms = [(day, day + timedelta(days=first))]
                else:
                    stay.status, stay.arrived_on = S.ACTIVE, day
                    stay.terms = _terms(day, first, today)
                    if len(stay.terms) > 1 and rng.random() < 0.03:
                        stay.terms.pop()  # not renewed: an overrun
                stays.append(stay)
                last = stay
                if stay.status != S.ENDED:
                    break
                gap = 0 if rng.random() < 0.7 else rng.randint(1, 10)
                day = stay.free_from + timedelta(days=gap)
            next_free = last.free_from if last else day
            if last is not None and last.status == S.CONFIRMED:
                continue
            if rng.random() < 0.25:
                starts_on = max(next_free, today + timedelta(days=1)) + timedelta(days=rng.randint(0, 14))
                status = S.CONFIRMED if rng.random() < 0.6 else S.PROVISIONAL
                stays.append(
                    Stay(
                        0,
                        area,
                        bedspace_id,
                        restriction,
                        status,
                        starts_on,
                        [(starts_on, starts_on + timedelta(days=28))],
                    )
                )
            elif (last is None or last.status == S.ENDED) and rng.random() < 0.3:
                starts_on = max(next_free, today - timedelta(days=rng.randint(0, 20)))
                ends_on = None if rng.random() < 0.4 else starts_on + timedelta(days=rng.randint(3, 30))
                self.voids.append(
                    (bedspace_id, starts_on, ends_on, rng.choice(("repairs", "deep_clean", "damage")))
                )

    # ---- people: who stayed where, returning after a while ----------------------------------

    def assign_people(self, ids: Ids) -> None:
        rng = self.rng
        areas = self.counts["areas"]
        self.persons: list[Person] = []
        self.dropped = 0
        for area, stays in enumerate(self.stays):
            share = self.people // areas + (1 if area < self.people % areas else 0)
            quota = round(share * PLACED_SHARE)
            stays.sort(key=lambda stay: (stay.starts_on, stay.bedspace_id))
            waiting: dict[str, list] = {"male": [], "female": []}
            created = 0
            kept = []
            for remaining, stay in zip(range(len(stays), 0, -1), stays, strict=True):
                if stay.restriction == Property.Restriction.WOMEN_ONLY:
                    gender = "female"
                elif stay.restriction == Property.Restriction.MEN_ONLY:
                    gender = "male"
                else:
                    gender = "female" if rng.random() < 0.08 else "male"
                queue = waiting[gender]
                can_return = bool(queue) and queue[0][0] <= stay.starts_on
                if created < quota and (not can_return or rng.random() < (quota - created) / remaining):
                    person = Person(ids.take("referrals_offender"), area, gender, placed=True)
                    self.persons.append(person)
                    created += 1
                elif can_return:
                    person = heapq.heappop(queue)[2]
                elif created < share:
                    person = Person(ids.take("referrals_offender"), area, gender, placed=True)
                    self.persons.append(person)
                    created += 1
                else:
                    self.dropped += 1
                    continue
                stay.person = person
                kept.append(stay)
                if stay.status == Placement.Status.ENDED:
                    custody = stay.destination == Destination.CUSTODY
                    back = stay.departed_on + timedelta(
                        days=rng.randint(120, 700) if custody else rng.randint(21, 400)
                    )
                    heapq.heappush(queue, (back, person.id, person))
            for _ in range(share - created):
                gender = "female" if rng.random() < 0.2 else "male"
                self.persons.append(Person(ids.take("referrals_offender"), area, gender))
            self.stays[area] = kept

    def add_released_bookings(self) -> None:
        """Bookings that were cancelled or where the person never arrived, each beside the stay
        that happened for the same referral (they hold no bedspace)."""
        rng = self.rng
        S = Placement.Status
        for area, stays in enumerate(self.stays):
            bedspaces = [b for b in self.bedspaces if b[1] == area]
            extra = []
            for stay in stays:
                if stay.status != S.ENDED or rng.random() > 0.04:
                    continue
                bedspace_id, _, restriction = rng.choice(bedspaces)
                status = S.CANCELLED if rng.random() < 0.75 else S.NOT_ARRIVED
                starts_on = stay.starts_on - timedelta(days=rng.randint(3, 10))
                released = Stay(
                    0,
                    area,
                    bedspace_id,
                    restriction,
                    status,
                    starts_on,
                    [(starts_on, starts_on + timedelta(days=28))],
                )
                released.person = stay.person
                released.referral_id = -1  # the same referral as `stay`, set with the referrals
                released.cancellation_reason = (
                    rng.choice(demo.CANCELLATION_REASONS) if status == S.CANCELLED else ""
                )
                extra.append((released, stay))
            self.released = getattr(self, "released", []) + extra
            stays.extend(released for released, _ in extra)

    # ---- referrals, support plans ----------------------------------------------------------

    def plan_referrals(self, ids: Ids) -> None:
        """An accepted referral for each stay; one for each person never placed (declined,
        withdrawn, or still open if recent)."""
        rng, today = self.rng, self.today
        RS = Referral.Status
        self.referrals: list[
            tuple
        ] = []  # (id, person, agency code, status, submitted_at, decided_at, reason)
        released_with = {id(live): released for released, live in getattr(self, "released", [])}
        for stays in self.stays:
            for stay in stays:
                if stay.referral_id is not None:
                    continue
                stay.id, stay.public_id = ids.take("placements_placement"), _uuid(rng)
                referral_id = ids.take("referrals_referral")
                stay.referral_id = referral_id
                submitted = _at(stay.starts_on - timedelta(days=rng.randint(2, 21)), rng.randint(9, 16))
                decided = submitted + timedelta(hours=rng.randint(2, 40))
                code = "probation" if rng.random() < 0.75 else rng.choice(("ddas", "care-society", "police"))
                self.referrals.append((referral_id, stay.person, code, RS.ACCEPTED, submitted, decided, ""))
                if id(stay) in released_with:
                    released = released_with[id(stay)]
                    released.referral_id = referral_id
                    released.id, released.public_id = ids.take("placements_placement"), _uuid(rng)
        window = (today - self.start).days
        for person in self.persons:
            if person.placed:
                continue
            if rng.random() < 0.1:
                submitted = _at(today - timedelta(days=rng.randint(0, 6)), rng.randint(9, 16))
                status, decided, reason = rng.choice((RS.SUBMITTED, RS.IN_REVIEW)), None, ""
            else:
                submitted = _at(self.start + timedelta(days=rng.randrange(window - 7)), rng.randint(9, 16))
                decided = submitted + timedelta(hours=rng.randint(2, 72))
                status = RS.DECLINED if rng.random() < 0.65 else RS.WITHDRAWN
                reason = rng.choice(list(Referral.DeclineReason.values)) if status == RS.DECLINED else ""
            code = "probation" if rng.random() < 0.75 else rng.choice(("ddas", "care-society", "police"))
            self.referrals.append(
                (ids.take("referrals_referral"), person, code, status, submitted, decided, reason)
            )

    def plan_support(self) -> None:
        """Each held stay's support plan; visit frequencies chosen so the visits come to the target."""
        rng, today = self.rng, self.today
        agency_days = 0
        for area, stays in enumerate(self.stays):
            agencies = self.agencies[area]
            for stay in stays:
                if not stay.held:
                    continue
                chosen = [
                    agencies[code].pk
                    for code, chance, women_only in SUPPORT
                    if (not women_only or stay.person.gender == "female") and rng.random() < chance
                ]
                stay.plan = [(agency_id, 7) for agency_id in chosen]
                if stay.arrived_on:
                    until = stay.departed_on or today
                    agency_days += len(chosen) * (until - stay.arrived_on).days
        every = 0.93 * agency_days / self.counts["visits"]  # about 1 in 14 visits is missed or late
        for stays in self.stays:
            for stay in stays:
                stay.plan = [
                    (agency_id, min(28, max(1, round(every * rng.uniform(0.7, 1.3)))))
                    for agency_id, _ in stay.plan
                ]

    # ---- rows ------------------------------------------------------------------------------

    def _staff(self, area: int, code: str) -> tuple[int, str]:
        return self.rng.choice(self.staff[area][code])

    def _staff_of(self, area: int, code: str) -> int:
        """A staff member's id, from the generator of the newer rows."""
        return self.extra_rng.choice(self.staff[area][code])[0]

    def offender_rows(self) -> Iterator[tuple]:
        rng = self.rng
        first_seen: dict[int, datetime] = {}
        for _, person, _, _, submitted, _, _ in self.referrals:
            if person.id not in first_seen or submitted < first_seen[person.id]:
                first_seen[person.id] = submitted
        for person in self.persons:
            created = first_seen.get(person.id) or _at(self.start, 9)
            first, last = rng.choice(FIRST[person.gender]), rng.choice(LAST)
            aliases = (
                [f"{demo.NICKNAMES[first]} {last}"] if first in demo.NICKNAMES and rng.random() < 0.5 else []
            )
            born = created.date() - timedelta(days=rng.randint(18 * 365, 60 * 365))
            licence_from = created.date() - timedelta(days=rng.randint(1, 30))
            pid = person.id
            yield (
                pid, _uuid_text(rng), created, created, first, last, aliases, born, person.gender,
                ETHNICITIES.pick(rng),
                f"{born.year + 18}/{pid:07d}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}",
                f"{'ABCDEFGHJKLMNPRSTUVWXY'[(pid // 1_000_000) % 22]}{pid % 1_000_000:06d}",
                f"{rng.choice('ABGV')}{rng.randint(1000, 9999)}{rng.choice('ABCDEFGHJK')}{rng.choice('ABCDEFGHJK')}",
                IOM_CATEGORIES.pick(rng),
                RISKS.pick(rng),
                licence_from,
                licence_from + timedelta(days=rng.randint(365, 4 * 365)),
                "\n".join(rng.sample(demo.LICENCE_CONDITIONS, 2)),
                rng.sample(list(Need.values), rng.randint(2, 4)),
                rng.choice(demo.SAFETY_WARNINGS) if rng.random() < 0.2 else "",
            )  # fmt: skip

    OFFENDER_COLUMNS = [
        "id", "public_id", "created_at", "updated_at", "first_name", "last_name", "aliases", "date_of_birth",
        "gender", "ethnicity", "pnc_id", "crn", "prison_number", "iom_category", "risk_of_serious_harm",
        "licence_starts_on", "licence_ends_on", "licence_conditions", "needs", "safety_warnings",
    ]  # fmt: skip

    def officer_rows(self) -> Iterator[tuple]:
        for person in self.persons:
            yield person.id, self._staff(person.area, "police")[0]

    def referral_rows(self) -> Iterator[tuple]:
        rng = self.rng
        for referral_id, person, code, status, submitted, decided, reason in self.referrals:
            agency = self.agencies[person.area][code]
            yield (
                referral_id, _uuid_text(rng), submitted, decided or submitted, f"SC{referral_id:08d}", status,
                URGENCIES.pick(rng),
                rng.sample(list(Need.values), rng.randint(1, 3)),
                demo.RISK_SUMMARIES[rng.choice(list(demo.RISK_SUMMARIES))],
                rng.choice(demo.REFERRAL_REASONS), None, submitted,
                decided, reason,
                "Accepted at the weekly allocation meeting." if status == Referral.Status.ACCEPTED else "",
                self._staff(person.area, "police")[0] if decided else None,
                person.id, agency.pk, self._staff(person.area, code)[0] if code in self.staff[person.area] else None,
                {}, "",  # person as referred, how found: made in bulk, not sent by a referrer
            )  # fmt: skip

    REFERRAL_COLUMNS = [
        "id", "public_id", "created_at", "updated_at", "external_ref", "status", "urgency", "needs",
        "risk_summary", "reason", "wanted_from", "submitted_at", "decided_at", "decline_reason",
        "decision_notes", "decided_by_id", "offender_id", "referring_agency_id", "submitted_by_id",
        "person_details", "person_match",
    ]  # fmt: skip

    def _all_stays(self) -> Iterator[Stay]:
        for stays in self.stays:
            yield from stays

    def placement_rows(self) -> Iterator[tuple]:
        S = Placement.Status
        for stay in self._all_stays():
            booked = _at(stay.starts_on - timedelta(days=1), 11)
            confirmed = booked if stay.status != S.PROVISIONAL else None
            changed = _at(min(stay.departed_on or stay.starts_on, self.today), 12)
            yield (
                stay.id, stay.public_id, booked, max(booked, changed), stay.status, stay.starts_on, stay.ends_on,
                stay.free_from, confirmed, stay.arrived_on, stay.departed_on, stay.reason, stay.destination,
                OTHER_DETAILS if stay.destination == Destination.OTHER else "",
                stay.cancellation_reason, "", stay.bedspace_id, self._staff(stay.area, "police")[0],
                stay.person.id, stay.referral_id,
            )  # fmt: skip

    PLACEMENT_COLUMNS = [
        "id", "public_id", "created_at", "updated_at", "status", "starts_on", "ends_on", "free_from",
        "confirmed_at", "arrived_on", "departed_on", "departure_reason", "destination",
        "destination_details", "cancellation_reason", "notes", "bedspace_id", "created_by_id", "offender_id", "referral_id",
    ]  # fmt: skip

    def term_rows(self, first_term: int) -> Iterator[tuple]:
        rng = self.rng
        term_id = first_term
        for stay in self._all_stays():
            officer = self._staff(stay.area, "police")[0]
            for number, (starts_on, ends_on) in enumerate(stay.terms, start=1):
                reason = rng.choice(demo.RENEWAL_REASONS) if number > 1 else ""
                yield (
                    term_id,
                    number,
                    starts_on,
                    ends_on,
                    reason,
                    _at(starts_on - timedelta(days=1), 10),
                    officer,
                    stay.id,
                )
                term_id += 1

    TERM_COLUMNS = [
        "id",
        "number",
        "starts_on",
        "ends_on",
        "reason",
        "created_at",
        "created_by_id",
        "placement_id",
    ]

    def plan_rows(self) -> Iterator[tuple]:
        rng = self.rng
        for stay in self._all_stays():
            if stay.held:
                at = _at(stay.starts_on, 9)
                yield (
                    stay.id,
                    at,
                    at,
                    TIERS.pick(rng),
                    "",
                    stay.id,
                )

    PLAN_COLUMNS = ["id", "created_at", "updated_at", "tier", "notes", "placement_id"]

    def support_agency_rows(self) -> Iterator[tuple]:
        for stay in self._all_stays():
            at = _at(stay.starts_on, 9)
            for agency_id, every in stay.plan:
                yield at, at, every, None, agency_id, stay.id

    SUPPORT_AGENCY_COLUMNS = [
        "created_at",
        "updated_at",
        "visit_every_days",
        "ended_on",
        "agency_id",
        "support_plan_id",
    ]

    def visit_rows(self, ids: Ids, joint: list[tuple]) -> Iterator[tuple]:
        rng, today = self.rng, self.today
        V = demo.VO
        code_of = {}
        for agencies in self.agencies:
            code_of.update({agency.pk: code for code, agency in agencies.items()})
        one_day = timedelta(days=1)
        for stay in self._all_stays():
            if not stay.arrived_on:
                continue
            until = stay.departed_on or today
            staff = self.staff[stay.area]
            police = self.agencies[stay.area]["police"].pk
            for agency_id, every in stay.plan:
                code = code_of[agency_id]
                day = stay.arrived_on + timedelta(days=rng.randrange(every))
                step = timedelta(days=every)
                while day < until:
                    if rng.random() < 0.05:  # missed
                        day += step
                        continue
                    kind = VISIT_KINDS.pick(rng)
                    outcome = OUTCOMES.pick(rng)
                    seen = outcome == V.SEEN
                    concern = rng.choice(demo.CONCERNS) if seen and rng.random() < 0.02 else ""
                    recorder, name = rng.choice(staff[code])
                    visited = _at_text(day, 9 + int(rng.random() * 9), rng.choice((0, 15, 30, 45)))
                    visit_id = ids.take("agencies_homevisit")
                    if kind == "home" and code == "probation" and rng.random() < 0.03:
                        joint.append((visit_id, police))
                    yield (
                        visit_id, _uuid_text(rng), visited, visited, visited, kind, name, outcome,
                        (rng.random() < 0.92) if seen and kind == "home" else None,
                        rng.choice(("negative", "negative", "positive", "not_taken")) if seen and code == "ddas" else "",
                        ENGAGEMENT.pick(rng) if seen else "",
                        rng.choice(("0.50", "1.00", "1.00", "1.50", "2.00")) if seen else "0",
                        bool(concern), concern,
                        rng.choice(demo.VISIT_NOTES.get(code, demo.VISIT_NOTES["probation"])) if seen
                        else demo.NOT_SEEN_NOTES.get((kind, outcome), ""),
                        day + step, agency_id, stay.id, recorder, None,
                    )  # fmt: skip
                    day += step + (one_day if rng.random() < 0.1 else timedelta(0))

    VISIT_COLUMNS = [
        "id", "public_id", "created_at", "updated_at", "visited_at", "kind", "staff_names", "outcome",
        "property_in_good_order", "drug_test", "engagement", "support_hours", "concern_raised", "concern",
        "notes", "next_visit_on", "agency_id", "placement_id", "recorded_by_id", "recorded_by_client_id",
    ]  # fmt: skip

    def event_rows(self) -> Iterator[tuple]:
        rng, today = self.rng, self.today
        mean = self.counts["events"] / max(1, len(self.persons))
        window = (today - self.start).days
        offending = set(OffenderEvent.OFFENDING_KINDS)
        categories = list(OffenceCategory.values)
        for person in self.persons:
            for _ in range(max(0, round(rng.gauss(mean, mean / 2)))):
                kind = EVENT_KINDS.pick(rng)
                day = self.start + timedelta(days=rng.randrange(window))
                at = _at(min(day + timedelta(days=1), today), 12)
                yield (
                    at, at, kind, day, rng.choice(categories) if kind in offending else "",
                    demo.OFFENCE_NOTES.get(kind, ""), person.id, self._staff(person.area, "police")[0],
                )  # fmt: skip

    EVENT_COLUMNS = [
        "created_at",
        "updated_at",
        "kind",
        "occurred_on",
        "offence_category",
        "notes",
        "offender_id",
    ]
    EVENT_COLUMNS += ["recorded_by_id"]

    def referral_event_rows(self) -> Iterator[tuple]:
        """The API's events feed, oldest first (its order is its id)."""
        S = Placement.Status
        history = []
        for referral_id, _person, _code, status, submitted, decided, reason in self.referrals:
            history.append((submitted, referral_id, "submitted", {"status": "submitted"}))
            if status in Referral.DECIDED_STATUSES:
                data = {"status": status, "decline_reason": reason} if reason else {"status": status}
                history.append((decided, referral_id, status, data))
        for stay in self._all_stays():
            data = {"placement_id": str(stay.public_id)}
            steps = []
            if stay.status not in (S.PROVISIONAL,):
                steps.append((_at(stay.starts_on - timedelta(days=1), 11), "placed"))
            if stay.arrived_on:
                steps.append((_at(stay.arrived_on, 14), "arrived"))
            steps += [(_at(start - timedelta(days=1), 10), "renewed") for start, _ in stay.terms[1:]]
            if stay.departed_on:
                steps.append((_at(stay.departed_on, 11), "departed"))
            if not stay.held:
                steps.append((_at(stay.starts_on, 17), stay.status))
            history += [(when, stay.referral_id, step, data) for when, step in steps]
        history.sort(key=lambda event: (event[0], event[1]))
        for when, referral_id, kind, data in history:
            yield kind, when, data, referral_id

    REFERRAL_EVENT_COLUMNS = ["kind", "occurred_at", "data", "referral_id"]

    # ---- licence to occupy, move-on plans and aftercare (issue 17) ---------------------------
    # With a random generator of their own, so the rows above are as they were before these.

    def plan_licence(self, ids: Ids) -> None:
        """Each arrived stay's own conditions (about 1 in 4), warnings under the licence (about 1
        in 3, always before an eviction) and, for most evictions, the ending for a breach: at once,
        or with the wording's notice ending on the day they left. In memory: a few rows a stay."""
        rng = self.extra_rng
        conditions = self.wording_conditions
        notice_days = self.notice_days
        levels = [LicenceWarning.Level.VERBAL, LicenceWarning.Level.WRITTEN, LicenceWarning.Level.FINAL]
        self.person_conditions: list[tuple] = []
        self.warnings: list[tuple] = []
        self.breach_endings: list[tuple] = []
        self.breach_warnings: list[tuple[int, int]] = []
        for stay in self._all_stays():
            if not stay.arrived_on:
                continue
            officer = self._staff_of(stay.area, "police")
            last_day = min(stay.departed_on or self.today, self.today)
            nights = (last_day - stay.arrived_on).days
            if rng.random() < 0.25:
                text = rng.choice(demo.PERSON_CONDITIONS)
                if stay.area:  # the demo's exclusion zone is in Ceredigion
                    text = text.replace("Penparcau", f"central {AREAS[stay.area]}")
                added = _at(stay.arrived_on, 9)
                removed = None
                if nights > 14 and rng.random() < 0.1:
                    removed = _at(stay.arrived_on + timedelta(days=rng.randint(7, nights - 1)), 10)
                self.person_conditions.append(
                    (added, removed, officer, stay.id, text, officer if removed else None)
                )
            evicted = stay.reason == DepartureReason.EVICTION
            if nights < 6 or not (evicted or rng.random() < 0.3):
                continue
            count = min(1 + 2 * evicted + (rng.random() < 0.3), 3, nights - 1)
            own = []
            for level, day_in in zip(levels, sorted(rng.sample(range(1, nights), count)), strict=False):
                condition, what = rng.choice(demo.WARNING_STORIES)
                issued_on = stay.arrived_on + timedelta(days=day_in)
                at = _at(issued_on, 16)
                warning_id = ids.take("placements_licencewarning")
                own.append((warning_id, issued_on))
                self.warnings.append(
                    (warning_id, at, at, level, conditions[min(condition, len(conditions) - 1)], what,
                     issued_on, officer, stay.id)
                )  # fmt: skip
            if evicted and rng.random() < 0.8:
                left = stay.departed_on
                if nights > notice_days + 2 and rng.random() < 0.4:
                    kind, notice_on = LicenceBreachEnding.Kind.NOTICE, left - timedelta(days=notice_days)
                    reason = "Repeated nuisance to neighbours after a final warning."
                else:
                    kind, notice_on = LicenceBreachEnding.Kind.IMMEDIATE, left
                    reason = "Serious breach: threatened a support worker at the property."
                ending_id = ids.take("placements_licencebreachending")
                at = _at(notice_on, 15)
                self.breach_endings.append(
                    (ending_id, at, at, kind, reason, notice_on, left, officer, stay.id)
                )
                self.breach_warnings += [(ending_id, w) for w, on in own if on <= notice_on]

    def agreement_rows(self, first_term: int) -> Iterator[tuple]:
        """Each licence term's agreement, in the one wording: most signed on the day the term
        starts, a few refused, the rest (terms not started, bookings) issued only."""
        rng = self.extra_rng
        S = Placement.Status
        A = LicenceAgreement.Status
        term_id = first_term
        for stay in self._all_stays():
            officer = self._staff_of(stay.area, "police")
            for number, (starts_on, _ends_on) in enumerate(stay.terms, start=1):
                issued_on = min(starts_on - timedelta(days=1 if number > 1 else 0), self.today)
                started = stay.status in (S.ACTIVE, S.ENDED) and starts_on <= self.today
                status, responded_on = A.ISSUED, None
                if started and rng.random() < 0.93:
                    status, responded_on = A.SIGNED, max(issued_on, min(starts_on, self.today))
                elif started and rng.random() < 0.5:
                    status, responded_on = A.REFUSED, max(issued_on, min(starts_on, self.today))
                yield (status, _at(issued_on, 10), issued_on, responded_on,
                       officer if responded_on else None, term_id, self.wording_id)  # fmt: skip
                term_id += 1

    AGREEMENT_COLUMNS = [
        "status", "issued_at", "issued_on", "responded_on", "recorded_by_id", "term_id", "wording_id",
    ]  # fmt: skip
    CONDITION_COLUMNS = ["added_at", "removed_at", "added_by_id", "placement_id", "text", "removed_by_id"]
    WARNING_COLUMNS = [
        "id", "created_at", "updated_at", "level", "condition", "what_happened", "issued_on", "issued_by_id",
        "placement_id",
    ]  # fmt: skip
    BREACH_COLUMNS = [
        "id", "created_at", "updated_at", "kind", "reason", "notice_on", "leave_by", "decided_by_id", "placement_id",
    ]  # fmt: skip

    def move_on_plan_rows(self) -> Iterator[tuple]:
        """A plan for every stay that began (its id the placement's): a target eight weeks on; a
        planned move-out date for half of those in residence two weeks or more, and for those who
        left as planned, the day they left."""
        rng = self.extra_rng
        for stay in self._all_stays():
            if not stay.arrived_on:
                continue
            arrived = stay.arrived_on
            planned = None
            if stay.departed_on and stay.reason == DepartureReason.PLANNED_MOVE_ON:
                planned = stay.departed_on
            elif not stay.departed_on and (self.today - arrived).days >= 14 and rng.random() < 0.5:
                planned = self.today + timedelta(days=rng.randint(3, 24))
            created = _at(arrived, 10)
            changed = _at(min(stay.departed_on or self.today, self.today), 10)
            yield (stay.id, created, max(created, changed), arrived + timedelta(days=56), planned,
                   self._staff_of(stay.area, "police"), stay.id)  # fmt: skip

    MOVE_ON_PLAN_COLUMNS = [
        "id", "created_at", "updated_at", "target_on", "planned_move_out_on", "created_by_id", "placement_id",
    ]  # fmt: skip

    def _move_on_kind(self, kind: str, area: int) -> str:
        """The homelessness steps are the Welsh duties in Wales, the duty to refer in England."""
        if kind.startswith("wales_") and AREAS[area] not in WALES:
            return ActionKind.ENGLAND_DUTY_TO_REFER
        return kind

    def move_on_action_rows(self) -> Iterator[tuple]:
        """1 to 4 actions a plan: for those who left, the steps to where they went (as the demo's,
        or one no longer needed); for those in residence, the demo's plan so far, the earlier steps
        mostly done after a while, some open past their due date."""
        rng, today = self.extra_rng, self.today
        St = ActionStatus
        for stay in self._all_stays():
            if not stay.arrived_on:
                continue
            area, arrived = stay.area, stay.arrived_on
            supporting = {agency_id for agency_id, _ in stay.plan}
            agencies = self.agencies[area]
            steps = []
            if stay.departed_on:
                left = stay.departed_on
                planned = demo.DemoBuilder.MOVE_ON_STEPS.get(stay.destination) or [
                    ("wales_s62", "probation", None)
                ]
                for kind, code, worked in planned:
                    opened = min(arrived + timedelta(days=rng.randint(1, 7)), left)
                    outcome_on = max(opened, left - timedelta(days=rng.randint(0, 10)))
                    if worked is None:
                        status, result = St.NOT_NEEDED, ""
                    else:
                        status, result = St.DONE, "successful" if worked else "unsuccessful"
                    steps.append(
                        (kind, code, opened, opened + timedelta(days=14), status, outcome_on, result)
                    )
            else:
                days_in = (today - arrived).days
                for kind, code, due_after, status in demo.DemoBuilder.CURRENT_STEPS[: 1 + rng.randint(0, 3)]:
                    opened = min(arrived + timedelta(days=1), today)
                    due = arrived + timedelta(days=due_after)
                    outcome_on, result = None, ""
                    if status != St.DONE and days_in > due_after + 14 and rng.random() < 0.6:
                        status = St.DONE  # most steps are done a fortnight after they fall due
                    if status == St.DONE and due <= today:
                        outcome_on, result = max(opened, due), "successful"
                    elif status == St.DONE:
                        status = St.IN_PROGRESS
                    steps.append((kind, code, opened, due, status, outcome_on, result))
            officer = self._staff_of(area, "police")
            for kind, code, opened, due, status, outcome_on, result in steps:
                kind = self._move_on_kind(kind, area)
                owner = agencies[code].pk if code != "police" and agencies[code].pk in supporting else None
                owner_user = self._staff_of(area, code) if owner is not None else officer
                homeless = kind in HOMELESSNESS_KINDS
                created = _at(opened, 10)
                yield (
                    created, _at(outcome_on, 15) if outcome_on else created, _uuid_text(rng), kind,
                    "Move in with their family, who have a spare room" if kind == ActionKind.OTHER else "",
                    AREA_CODES[AREAS[area]] if homeless else None,  # the area's council
                    opened if homeless or kind == ActionKind.HOUSING_REGISTER else None,
                    opened, due, status, outcome_on, result,
                    "Relief duty owed" if kind == ActionKind.WALES_S73 and result == "successful" else "",
                    "", officer, owner, owner_user, stay.id,
                )  # fmt: skip

    MOVE_ON_ACTION_COLUMNS = [
        "created_at", "updated_at", "public_id", "kind", "details", "local_authority_id", "applied_on", "opened_on",
        "due_on", "status", "outcome_on", "result", "outcome", "notes", "created_by_id", "owner_agency_id",
        "owner_user_id", "plan_id",
    ]  # fmt: skip

    def create_aftercare(self) -> None:
        """Each scheme's rent deposit fund (through the ORM, with its landlords: a few hundred
        rows), and the deposits it paid: for most moves to a private let, some to a social or
        long-term supported one, the week before they left; about half of the tenancies ended
        since, with their outcome. Each fund started with enough for all its deposits."""
        rng = self.extra_rng
        self.deposits: list[tuple] = []
        planned: list[tuple] = []
        spent = [Decimal(0)] * self.counts["areas"]
        landlords: list[list[tuple[int, tuple[str, str, str]]]] = []
        for area in range(self.counts["areas"]):
            made = []
            for n, pattern in enumerate(LANDLORDS):
                landlord = Landlord.objects.create(
                    name=pattern.format(area=AREAS[area]),
                    contact_name=f"{rng.choice(FIRST['female' if n % 2 else 'male'])} {rng.choice(LAST)}",
                    phone=f"01{rng.randint(200, 999)} {rng.randint(100000, 999999)}",
                )
                homes = [
                    LandlordProperty(
                        landlord=landlord,
                        address_line_1=f"Flat {k + 1}, {rng.randint(1, 140)} {rng.choice(STREETS)}",
                        town=AREAS[area],
                        postcode=f"ZZ{area + 1} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}",
                    )
                    for k in range(rng.randint(1, 3))
                ]
                LandlordProperty.objects.bulk_create(homes)
                made += [(landlord.pk, (h.address_line_1, h.town, h.postcode)) for h in homes]
            landlords.append(made)
        for stay in self._all_stays():
            share = DEPOSIT_SHARE.get(stay.destination, 0.0)
            if not stay.departed_on or rng.random() >= share:
                continue
            kind = "bond" if rng.random() < 0.25 else "cash"
            amount = Decimal(rng.choice((350, 400, 450, 500, 550)))
            paid_on = max(self.start, stay.departed_on - timedelta(days=3))
            if kind == "cash":
                spent[stay.area] += amount
            ended_on = paid_on + timedelta(days=rng.randint(90, 540)) if rng.random() < 0.5 else None
            planned.append(
                (stay, kind, amount, paid_on, ended_on if ended_on and ended_on < self.today else None)
            )
        funds = [
            DepositFund.objects.create(
                name=f"{AREAS[area]} rent deposit scheme",
                starting_amount=max(Decimal(2000), (spent[area] * Decimal("1.2")).quantize(Decimal(100))),
                starts_on=self.start,
                notes="Deposits and bond guarantees for private rented rooms.",
            ).pk
            for area in range(self.counts["areas"])
        ]
        outcomes = ("returned", "part_claimed", "returned", "written_off", "returned")
        for stay, kind, amount, paid_on, ended_on in planned:
            landlord_id, (line, town, postcode) = rng.choice(landlords[stay.area])
            officer = self._staff_of(stay.area, "police")
            outcome, returned, claimed, reason, recorded = "", None, None, "", None
            if ended_on is not None:
                recorded = _at(min(ended_on + timedelta(days=rng.randint(0, 14)), self.today), 14)
                if kind == "bond":
                    claimed_bond = rng.random() < 0.125
                    outcome = "bond_claimed" if claimed_bond else "bond_released"
                    returned, claimed = Decimal(0), Decimal(120) if claimed_bond else Decimal(0)
                    reason = "arrears" if claimed_bond else ""
                else:
                    outcome, claimed = rng.choice(outcomes), Decimal(0)
                    returned = {"returned": amount, "part_claimed": amount - 150, "written_off": Decimal(0)}[
                        outcome
                    ]
                    reason = "damage" if outcome == "part_claimed" else ""
            paid = _at(paid_on, 11)
            self.deposits.append(
                (paid, max(paid, recorded) if recorded else paid, _uuid_text(rng), line, "", town, postcode, kind,
                 amount, paid_on, Decimal(0), "", outcome, ended_on, returned, claimed, reason, "", recorded,
                 officer if recorded else None, officer, stay.id, funds[stay.area], landlord_id)
            )  # fmt: skip

    DEPOSIT_COLUMNS = [
        "created_at", "updated_at", "public_id", "address_line_1", "address_line_2", "town", "postcode", "kind",
        "amount", "paid_on", "recycled_amount", "notes", "outcome", "tenancy_ended_on", "returned_amount",
        "claimed_amount", "claim_reason", "outcome_notes", "outcome_recorded_at", "outcome_recorded_by_id",
        "paid_by_id", "placement_id", "fund_id", "landlord_id",
    ]  # fmt: skip

    def follow_up_rows(self) -> Iterator[tuple]:
        """The checks FOLLOW_UP_MONTHS after each departure (due as PostgreSQL adds months: the
        database's trigger stays on for this table and checks it), recorded a fortnight after at
        most: 5 in 6 of those due three weeks to three months ago, nearly all the older ones."""
        rng, today = self.extra_rng, self.today
        recent, lately = today - timedelta(days=21), today - timedelta(days=91)
        answers = FOLLOW_UP_ANSWERS
        for stay in self._all_stays():
            if stay.status != Placement.Status.ENDED or not stay.departed_on:
                continue
            scheduled = _at(stay.departed_on, 12)
            police = self.agencies[stay.area]["police"].pk
            for months in settings.FOLLOW_UP_MONTHS:
                due_on = add_months(stay.departed_on, months)
                if due_on < recent and rng.random() < (5 / 6 if due_on >= lately else 0.99):
                    accommodation, moved_to, engaging = rng.choice(answers)
                    recorded = _at(
                        min(due_on + timedelta(days=rng.randint(0, 14)), today - timedelta(days=1)), 11
                    )
                    by = self._staff_of(stay.area, "police")
                    yield (scheduled, recorded, _uuid_text(rng), months, due_on, accommodation, moved_to, engaging,
                           "Spoke by phone." if rng.random() < 0.3 else "", recorded, stay.id, by, police)  # fmt: skip
                else:
                    yield (scheduled, scheduled, _uuid_text(rng), months, due_on, "", "", "", "", None, stay.id,
                           None, None)  # fmt: skip

    FOLLOW_UP_COLUMNS = [
        "created_at", "updated_at", "public_id", "months", "due_on", "accommodation", "moved_to", "engaging",
        "notes", "recorded_at", "placement_id", "recorded_by_id", "recorded_by_agency_id",
    ]  # fmt: skip

    # ---- loading ---------------------------------------------------------------------------

    def load(self, cursor, ids: Ids) -> list[Loaded]:
        """COPY every planned row; the order follows the foreign keys."""
        joint: list[tuple] = []
        first_term = ids.next["placements_licenceterm"]
        void_rows = (
            (at := _at(starts_on, 9), at, starts_on, ends_on, reason, "", bedspace_id, None)
            for bedspace_id, starts_on, ends_on, reason in self.voids
        )
        steps = [
            ("referrals_offender", self.OFFENDER_COLUMNS, self.offender_rows()),
            ("referrals_offender_responsible_officers", ["offender_id", "user_id"], self.officer_rows()),
            ("referrals_referral", self.REFERRAL_COLUMNS, self.referral_rows()),
            ("placements_placement", self.PLACEMENT_COLUMNS, self.placement_rows()),
            ("placements_licenceterm", self.TERM_COLUMNS, self.term_rows(first_term)),
            ("placements_licenceagreement", self.AGREEMENT_COLUMNS, self.agreement_rows(first_term)),
            ("placements_personcondition", self.CONDITION_COLUMNS, iter(self.person_conditions)),
            ("placements_licencewarning", self.WARNING_COLUMNS, iter(self.warnings)),
            ("placements_licencebreachending", self.BREACH_COLUMNS, iter(self.breach_endings)),
            (
                "placements_licencebreachending_warnings",
                ["licencebreachending_id", "licencewarning_id"],
                iter(self.breach_warnings),
            ),
            ("placements_supportplan", self.PLAN_COLUMNS, self.plan_rows()),
            ("placements_supportagency", self.SUPPORT_AGENCY_COLUMNS, self.support_agency_rows()),
            ("agencies_homevisit", self.VISIT_COLUMNS, self.visit_rows(ids, joint)),
            ("agencies_homevisit_other_agencies", ["homevisit_id", "agency_id"], iter(joint)),
            ("referrals_offenderevent", self.EVENT_COLUMNS, self.event_rows()),
            ("referrals_referralevent", self.REFERRAL_EVENT_COLUMNS, self.referral_event_rows()),
            ("placements_voidperiod", VOID_COLUMNS, void_rows),
            ("moveon_moveonplan", self.MOVE_ON_PLAN_COLUMNS, self.move_on_plan_rows()),
            ("moveon_moveonaction", self.MOVE_ON_ACTION_COLUMNS, self.move_on_action_rows()),
            ("aftercare_deposit", self.DEPOSIT_COLUMNS, iter(self.deposits)),
            ("aftercare_followupcheck", self.FOLLOW_UP_COLUMNS, self.follow_up_rows()),
        ]
        loaded = []
        for table, columns, rows in steps:
            result = copy_rows(cursor, table, columns, rows)
            self.write(f"  {table}: {result.rows:,} rows in {result.seconds:.1f} s ({_rate(result)})")
            loaded.append(result)
        return loaded

    def create_funding(self) -> None:
        rng = self.rng
        rows = []
        for area in range(self.counts["areas"]):
            for year in range(YEARS + 1):
                starts_on = date(self.start.year + year, 4, 1)
                rows.append(
                    Funding(
                        name=f"IOM housing, {AREAS[area]}: {starts_on.year} to {starts_on.year + 1}",
                        funder="Police and Crime Commissioner",
                        amount=Decimal(rng.randrange(80_000, 160_000, 1000)),
                        starts_on=starts_on,
                        ends_on=date(starts_on.year + 1, 3, 31),
                    )
                )
        Funding.objects.bulk_create(rows)
        for cost in demo.demo_unit_costs():
            UnitCost.objects.get_or_create(
                key=cost.key,
                defaults={
                    f.name: getattr(cost, f.name)
                    for f in UnitCost._meta.concrete_fields
                    if f.name not in ("id", "key")
                },
            )


VOID_COLUMNS = [
    "created_at",
    "updated_at",
    "starts_on",
    "ends_on",
    "reason",
    "notes",
    "bedspace_id",
    "created_by_id",
]
LOADED_TABLES = [
    "referrals_offender", "referrals_offender_responsible_officers", "referrals_referral", "referrals_referralevent",
    "referrals_offenderevent", "placements_placement", "placements_licenceterm", "placements_supportplan",
    "placements_supportagency", "placements_voidperiod", "agencies_homevisit", "agencies_homevisit_other_agencies",
    "placements_licenceagreement", "placements_personcondition", "placements_licencewarning",
    "placements_licencebreachending", "placements_licencebreachending_warnings", "moveon_moveonplan",
    "moveon_moveonaction", "aftercare_deposit", "aftercare_followupcheck",
]  # fmt: skip
# Triggers that stay on for the load: rules of the data, not history. A follow-up check must be
# due its months after an ended placement's departure (aftercare migration 0002).
KEPT_TRIGGERS = [("aftercare_followupcheck", "aftercare_followupcheck_follows_departure")]
EXPLICIT_ID_TABLES = [
    "referrals_offender",
    "referrals_referral",
    "placements_placement",
    "agencies_homevisit",
]
EXPLICIT_ID_TABLES += ["placements_supportplan", "placements_licenceterm"]
EXPLICIT_ID_TABLES += ["placements_licencewarning", "placements_licencebreachending", "moveon_moveonplan"]

WAITING_FILL_SQL = import_module("referrals.migrations.0017_waiting_for_bedspace").FILL

# Each person's last activity, as the audit trigger computes it (see audit migration 0001).
LAST_ACTIVITY_SQL = """
WITH p AS (SELECT offender_id, max(GREATEST(starts_on, COALESCE(departed_on, ends_on))) AS day
             FROM placements_placement GROUP BY offender_id),
     e AS (SELECT offender_id, max(occurred_on) AS day FROM referrals_offenderevent GROUP BY offender_id),
     r AS (SELECT offender_id, max(submitted_at)::date AS day FROM referrals_referral GROUP BY offender_id)
UPDATE referrals_offender o
   SET last_activity_on = GREATEST(o.created_at::date, p.day, e.day, r.day)
  FROM referrals_offender x
  LEFT JOIN p ON p.offender_id = x.id
  LEFT JOIN e ON e.offender_id = x.id
  LEFT JOIN r ON r.offender_id = x.id
 WHERE o.id = x.id AND o.id >= %s
"""


def _rate(loaded: Loaded) -> str:
    return f"{loaded.rows / loaded.seconds:,.0f} rows/s" if loaded.seconds else "-"


@dataclass
class ScaleResult:
    counts: dict[str, int]
    loaded: list[Loaded]
    seconds: float
    dropped: int


def seed_scale(*, people: int, today: date, password: str, write: Callable[[str], None]) -> ScaleResult:
    """Plan and load the national data set in one transaction (see the module docstring)."""
    started = clock.perf_counter()
    plan = ScalePlan(people=people, today=today, write=write)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [demo.SEED_LOCK_KEY])
        plan.ensure_agencies_and_staff(password)
        plan.create_properties()
        plan.create_funding()
        ids = Ids(cursor, EXPLICIT_ID_TABLES)
        first_person = ids.next["referrals_offender"]
        write(f"Planning {people:,} people in {plan.counts['areas']} areas over {YEARS} years…")
        plan.plan_stays()
        plan.assign_people(ids)
        plan.add_released_bookings()
        plan.plan_referrals(ids)
        plan.plan_support()
        wording = licence_wording_current()
        plan.wording_id, plan.notice_days = wording.pk, wording.notice_days
        plan.wording_conditions = wording.condition_list
        plan.plan_licence(ids)
        plan.create_aftercare()
        write(f"  planned in {clock.perf_counter() - started:.1f} s; loading with COPY:")
        for table in LOADED_TABLES:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table, trigger in KEPT_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
        loaded = plan.load(cursor, ids)
        cursor.execute(LAST_ACTIVITY_SQL, [first_person])
        cursor.execute(WAITING_FILL_SQL)  # the referrals waiting for a bedspace, as their trigger keeps them
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
        for table in LOADED_TABLES:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for table in EXPLICIT_ID_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",
                [table],
            )
    # VACUUM as autovacuum would later: it marks the pages all-visible, which the report's
    # index-only scans need. It cannot run inside a transaction (a test's), where ANALYZE does.
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for table in LOADED_TABLES:
            cursor.execute(f"{statement} {table}")
    return ScaleResult(plan.counts, loaded, clock.perf_counter() - started, plan.dropped)
