"""Deterministic synthetic demo data for a scheme like the Ceredigion IOM housing pilot (`seed_demo`).

Every person, address and reference here is generated from the lists below with a fixed random
seed: no real person's data. The same `today` always gives the same data.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction

from agencies.models import Agency, ApiClient, HomeVisit, StaffMembership
from agencies.services import api_client_register
from iom_housing.access import Role
from moveon.models import MoveOnAction, MoveOnPlan
from placements.areas import CEREDIGION, known_area
from placements.dates import free_from
from placements.models import (
    LEAVING_REASONS,
    LICENCE_TERM_MAX_DAYS,
    TIER_WEEKLY_HOURS,
    Bedspace,
    DepartureReason,
    Destination,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    PersonCondition,
    Placement,
    Property,
    PropertyExclusion,
    SupportAgency,
    SupportPlan,
    SupportTier,
    VoidPeriod,
)
from placements.services_licence import licence_wording_current
from referrals.models import (
    Ethnicity,
    Gender,
    Need,
    OffenceCategory,
    Offender,
    OffenderEvent,
    Referral,
    ReferralEvent,
    SexualRiskToAdults,
)
from reports.models import Funding, UnitCost

DEMO_SEED = 20210401  # the month the Ceredigion pilot opened; any fixed number would do
HISTORY_DAYS = 365
TURNAROUND_DAYS = 2  # working days, as in the pilot
TERM = LICENCE_TERM_MAX_DAYS
LONDON = ZoneInfo("Europe/London")
# Between 25 and 40 people in all: the unplaced referrals make up the difference.
TARGET_OFFENDERS = 34
MIN_OFFENDERS, MAX_OFFENDERS = 25, 40
# Arbitrary key for pg_advisory_xact_lock, so two runs at once do not both create the data.
SEED_LOCK_KEY = 7_140_2021

S = Placement.Status
R = DepartureReason
# The reasons a person leaves (a move to another bedspace is not one: the demo makes none).
LEAVING = [value for value, _label in LEAVING_REASONS]
D = Destination
RS = Referral.Status
DR = Referral.DeclineReason
EK = OffenderEvent.Kind
VO = HomeVisit.Outcome
VK = HomeVisit.Kind

# --------------------------------------------------------------------------------------------
# Agencies, demo logins and staff
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: str
    short: str
    phone: str


AGENCIES = [
    AgencySpec("police", "Dyfed-Powys Police IOM team", Agency.Kind.POLICE, "Police", "01632 960101"),
    AgencySpec(
        "probation",
        "Probation Service — Wales (Ceredigion)",
        Agency.Kind.PROBATION,
        "Probation",
        "01632 960102",
    ),
    AgencySpec("ddas", "Dyfed Drug and Alcohol Service", Agency.Kind.DRUG_ALCOHOL, "DDAS", "01632 960103"),
    AgencySpec(
        "care-society", "Ceredigion Care Society", Agency.Kind.CARE_SOCIETY, "Care Society", "01632 960104"
    ),
    AgencySpec(
        "social-services",
        "Ceredigion County Council social services",
        Agency.Kind.SOCIAL_SERVICES,
        "Social services",
        "01632 960105",
    ),
    AgencySpec(
        "womens-centre",
        "West Wales Women's Centre",
        Agency.Kind.WOMENS_CENTRE,
        "Women's Centre",
        "01632 960106",
    ),
    AgencySpec(
        "opcc",
        "Office of the Police and Crime Commissioner for Dyfed-Powys",
        Agency.Kind.COMMISSIONER,
        "OPCC",
        "01632 960107",
    ),
]
AGENCY_SHORT = {spec.code: spec.short for spec in AGENCIES}


@dataclass(frozen=True)
class StaffSpec:
    username: str
    agency: str
    role: str
    first_name: str
    last_name: str
    job_title: str
    title: str = ""  # shown before the name on visits, e.g. "PC"
    language: str = ""  # their preferred language ("cy": the service in Welsh), blank for none
    records_work: bool = True  # False: a login to try the service with, named on no demo record


LOGINS = [
    StaffSpec("officer", "police", Role.IOM_OFFICER, "Carys", "Bowen", "IOM police constable", "PC"),
    StaffSpec("probation", "probation", Role.AGENCY_WORKER, "Gethin", "Pryce", "Probation practitioner"),
    StaffSpec("ddas", "ddas", Role.AGENCY_WORKER, "Lowri", "Howells", "Substance misuse worker"),
    StaffSpec("manager", "police", Role.SCHEME_MANAGER, "Meinir", "Tudor", "IOM housing scheme manager"),
    StaffSpec("opcc", "opcc", Role.OPCC_ANALYST, "Emyr", "Vaughan", "Performance and evaluation analyst"),
    # An IOM officer who works in Welsh: signing in shows the whole service in Welsh.
    StaffSpec(
        "swyddog",
        "police",
        Role.IOM_OFFICER,
        "Elin",
        "ap Rhys",
        "Swyddog heddlu IOM",
        "PC",
        language="cy",
        records_work=False,
    ),
]

# Colleagues who record visits and events; they have no password, so they cannot sign in.
STAFF = [
    StaffSpec(
        "huw.jenkins", "police", Role.IOM_OFFICER, "Huw", "Jenkins", "Police constable, IOM team", "PC"
    ),
    StaffSpec(
        "nia.pugh", "police", Role.IOM_OFFICER, "Nia", "Pugh", "Police community support officer", "PCSO"
    ),
    StaffSpec("sian.meredith", "probation", Role.AGENCY_WORKER, "Siân", "Meredith", "Probation practitioner"),
    StaffSpec("aled.prosser", "ddas", Role.AGENCY_WORKER, "Aled", "Prosser", "Recovery worker"),
    StaffSpec("ffion.walters", "care-society", Role.AGENCY_WORKER, "Ffion", "Walters", "Support worker"),
    StaffSpec("tomos.harries", "care-society", Role.AGENCY_WORKER, "Tomos", "Harries", "Support worker"),
    StaffSpec("rhian.bevan", "social-services", Role.AGENCY_WORKER, "Rhian", "Bevan", "Social worker"),
    StaffSpec(
        "angharad.preece", "womens-centre", Role.AGENCY_WORKER, "Angharad", "Preece", "Women's support worker"
    ),
]
TITLES = {spec.username: spec.title for spec in LOGINS + STAFF if spec.title}

# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PropertySpec:
    key: str
    name: str
    address_line_1: str
    address_line_2: str
    town: str
    postcode: str
    provider: str
    weekly_cost: Decimal
    restriction: str
    accessible: bool
    bedspaces: tuple[str, ...]
    notes: str


PROPERTIES = [
    PropertySpec(
        "aber",
        "Tŷ Derwen, Aberystwyth",
        "14 Heol y Dderwen",
        "Penparcau",
        "Aberystwyth",
        "SY23 3QT",
        "Tai Glan Aeron Housing Association",
        Decimal("165.00"),
        Property.Restriction.NONE,
        False,
        ("Flat 1", "Flat 2"),
        "Two self-contained first-floor flats with a shared entrance, a short walk from the town centre.",
    ),
    PropertySpec(
        "cardigan",
        "Bwthyn Teifi, Cardigan",
        "3 Lôn Glan Teifi",
        "",
        "Cardigan",
        "SA43 1HN",
        "Teifi Valley Lettings (private landlord)",
        Decimal("142.50"),
        Property.Restriction.WOMEN_ONLY,
        False,
        ("Flat A",),
        "A one-bedroom flat for women, near the West Wales Women's Centre outreach office.",
    ),
    PropertySpec(
        "lampeter",
        "Tŷ Cerrig, Lampeter",
        "7 Maes yr Onnen",
        "",
        "Lampeter",
        "SA48 7DL",
        "Tai Glan Aeron Housing Association",
        Decimal("128.00"),
        Property.Restriction.MEN_ONLY,
        True,
        ("Ground floor flat",),
        "Step-free ground floor flat with a level-access shower.",
    ),
]
# The property whose presence means the demo data has already been created.
MARKER_PROPERTY = PROPERTIES[0].name

# --------------------------------------------------------------------------------------------
# Generated names (plausible Welsh and English names, combined at random: no real people)
# --------------------------------------------------------------------------------------------

MALE_FIRST = [
    "Aled", "Alun", "Arwel", "Bryn", "Cai", "Callum", "Carwyn", "Connor", "Craig", "Dafydd", "Darren",
    "Dean", "Dewi", "Dylan", "Emlyn", "Gareth", "Geraint", "Gruffydd", "Gwion", "Iestyn", "Ieuan",
    "Ioan", "Jac", "Jamie", "Jason", "Kieran", "Lee", "Liam", "Lloyd", "Luke", "Mark", "Mathew",
    "Nathan", "Owain", "Rhodri", "Rhys", "Ryan", "Scott", "Siôn", "Steffan", "Wayne", "Wyn",
]  # fmt: skip
FEMALE_FIRST = [
    "Alys", "Amy", "Bethan", "Catrin", "Cerys", "Chelsea", "Elen", "Gwen", "Hannah", "Kayleigh",
    "Leanne", "Mared", "Megan", "Rhiannon", "Sara", "Stacey", "Tegan", "Zoe",
]  # fmt: skip
LAST = [
    "Ashford", "Beynon", "Carter", "Davies", "Edwards", "Ellis", "Evans", "Fletcher", "Gittins",
    "Griffiths", "Gwynne", "Hopkins", "Hughes", "Humphreys", "James", "Jarvis", "Jones", "Kendall",
    "Lloyd", "Marsh", "Mathias", "Morgan", "Morris", "Nicholls", "Owen", "Palmer", "Parry", "Phillips",
    "Powell", "Price", "Pritchard", "Probert", "Protheroe", "Rees", "Roberts", "Rowlands", "Shaw",
    "Thomas", "Turner", "Walsh", "Watkins", "Williams", "Wood",
]  # fmt: skip
# For "White: any other White background" and "White: Irish".
OTHER_WHITE_MALE_FIRST = ["Tomasz", "Marek", "Paweł", "Krzysztof", "Andrius"]
OTHER_WHITE_FEMALE_FIRST = ["Agnieszka", "Katarzyna", "Ieva"]
OTHER_WHITE_LAST = ["Nowak", "Kowalczyk", "Wójcik", "Kaczmarek", "Mazur"]
IRISH_MALE_FIRST = ["Ciarán", "Declan", "Padraig"]
IRISH_FEMALE_FIRST = ["Niamh", "Aoife"]
IRISH_LAST = ["Murphy", "Byrne", "Doyle", "Quinn"]
NICKNAMES = {
    "Dafydd": "Dai", "Gareth": "Gaz", "Rhys": "Reece", "Siôn": "John", "Ieuan": "Evan", "Owain": "Owen",
    "Gruffydd": "Griff", "Jason": "Jay", "Steffan": "Steve", "Mathew": "Matty", "Rhodri": "Rhod",
    "Nathan": "Nate", "Krzysztof": "Chris", "Tomasz": "Tom", "Rhiannon": "Rhi", "Kayleigh": "Kay",
    "Catrin": "Cat", "Padraig": "Paddy",
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Free text pools
# --------------------------------------------------------------------------------------------

LICENCE_CONDITIONS = [
    "Not to enter Aberystwyth town centre (exclusion zone map attached) without prior approval.",
    "Not to contact or associate with named individuals without prior approval.",
    "Curfew 19:00 to 07:00, electronically monitored.",
    "Attend drug testing as directed by the supervising officer.",
    "Attend all appointments with the drug and alcohol service.",
    "No contact with the victim, directly or indirectly.",
    "Disclose any developing intimate relationships to the supervising officer.",
    "Comply with alcohol monitoring requirements.",
]
SAFETY_WARNINGS = [
    "Do not visit alone.",
    "Dog at the property: ask for it to be shut away before entering.",
    "History of violence towards staff: visit in pairs.",
    "Has carried bladed articles: police to attend first.",
    "Injects drugs: sharps risk, do not search soft furnishings by hand.",
    "Verbally aggressive when under the influence of alcohol.",
    "Known associates may be at the property: check before entering.",
]
REFERRAL_REASONS = [
    "Released on licence with no fixed abode; the previous address is unsuitable because of associates.",
    "Released from custody after a sentence for supply of Class A drugs; nowhere to live in Ceredigion.",
    "Sofa surfing since release; appointments missed because there is no stable address.",
    "Multi-occupancy hostel placement broke down; wants to move away from peers who use drugs.",
    "Approved premises move-on date due with no onward accommodation.",
    "Family home no longer available after a relationship breakdown; licence requires an approved address.",
    "Rough sleeping in Aberystwyth since release; at risk of breach for failing to reside.",
]
RISK_SUMMARIES = {
    "low": "Low risk of serious harm. No known risk to staff or children.",
    "medium": "Medium risk of serious harm to known adults, linked to alcohol and drug use.",
    "high": "High risk of serious harm to a former partner; risk to staff when intoxicated.",
    "very_high": "Very high risk of serious harm to a known adult; managed under MAPPA level 2.",
}
RISK_EXTRAS = [
    "Protective factors: engaging with DDAS and keen to rebuild contact with family.",
    "Triggers: associates from supported housing, alcohol, debt.",
    "Previous breaches for failing to reside where directed.",
    "Vulnerable to exploitation by drug supply lines.",
    "No known risk to children.",
]
RENEWAL_REASONS = [
    "Engaging well; move-on plan agreed at the multi-agency meeting.",
    "No suitable move-on yet; engagement good and risk stable.",
    "Licence conditions still require an approved address.",
    "Universal Credit housing element being reassessed; move-on delayed.",
    "Housing application with Ceredigion County Council in progress.",
]
RENEWAL_BY_DESTINATION = {
    D.SOCIAL_RENT: "Awaiting social housing offer.",
    D.PRIVATE_RENT: "Rent deposit agreed through the bond scheme; waiting for the tenancy to start.",
    D.SUPPORTED_LONG_TERM: "Awaiting a place in long-term supported housing.",
    D.FAMILY: "Family mediation under way before a return to the family home.",
    D.HOSPITAL: "Waiting for a residential rehabilitation bed.",
}
CANCELLATION_REASONS = [
    "Probation arranged an approved premises place instead.",
    "Release date put back by the Parole Board; a new referral will follow.",
    "Remanded in custody on a new matter before the arrival date.",
]
FUTURE_CANCELLATION = (
    "Bedspace taken out of use for urgent repairs; the person was found a place in approved premises instead."
)
NOT_ARRIVED_NOTE = "Did not arrive on the day of release; whereabouts unknown and probation informed."
CONCERNS = [
    "Smell of cannabis in the flat; two unknown males present who left when we arrived.",
    "Appeared under the influence of alcohol, with an injury to the hand that was not explained.",
    "Neighbour reported shouting and visitors late at night.",
    "Says former associates from Aberystwyth have been calling at the flat.",
    "Low mood and talk of self-harm; GP and crisis team contacted.",
    "Drug paraphernalia in plain sight; possible cuckooing.",
    "Rent arrears building up and electricity meter empty.",
]
VISIT_NOTES = {
    "police": [
        "Welfare check; flat tidy. Discussed staying away from associates in town.",
        "Reminded of curfew condition; no issues reported by neighbours.",
        "Quick check-in; in good spirits and planning for move-on.",
    ],
    "probation": [
        "Supervision appointment; reviewed licence conditions and move-on plan.",
        "Completed a housing application together.",
        "Discussed the victim awareness work and the next steps in the sentence plan.",
    ],
    "ddas": [
        "Key work session; prescription collected daily from the pharmacy.",
        "Discussed cutting down on alcohol; referred to the peer support group.",
        "Naloxone kit checked and harm reduction advice given.",
    ],
    "care-society": [
        "Budgeting support; food bank voucher issued.",
        "Helped with the Universal Credit journal and a GP registration.",
        "Support to furnish the flat and set up utilities.",
    ],
    "womens-centre": [
        "Attended the wellbeing group at the centre.",
        "One-to-one session on healthy relationships.",
    ],
    "social-services": [
        "Contact arrangements with the children discussed.",
        "Care and support assessment reviewed.",
    ],
}
NOT_SEEN_NOTES = {
    (VK.HOME, VO.NOT_IN): "No answer; card left asking for a call back.",
    (VK.HOME, VO.REFUSED_ENTRY): "Spoke at the door but would not let us in.",
    (VK.HOME, VO.CANCELLED): "Visit cancelled: staff sickness. Rearranged for next week.",
    (VK.PHONE, VO.NOT_IN): "Phone not answered; text message sent.",
    (VK.OFFICE, VO.NOT_IN): "Did not attend the office appointment.",
    (VK.OFFICE, VO.CANCELLED): "Appointment cancelled by the office; rebooked.",
}
# Concerns raised without getting inside.
DOORSTEP_CONCERNS = [
    "Neighbours report visitors late at night and shouting; no answer at the door.",
    "Appeared intoxicated and agitated at the door.",
    "Not seen for over a week; post piling up behind the door.",
]
OFFENCE_NOTES = {
    EK.ARREST: "Arrested and interviewed.",
    EK.CHARGE: "Charged and bailed to court.",
    EK.CONVICTION: "Convicted at Aberystwyth Justice Centre.",
    EK.CAUTION: "Conditional caution issued.",
}


def demo_unit_costs() -> list[UnitCost]:
    """The unit costs the reports price the alternative and the costs avoided with: a low, a
    central and a high figure each. Illustrative figures in the range the named publications
    give; a scheme manager checks each against the current edition on the report's assumptions
    page before a report goes to the board."""
    illustrative = "Illustrative demo figure: check the current published source before using it."
    return [
        UnitCost(
            key="custody-night",
            name="A night in custody",
            low=Decimal("110.00"),
            central=Decimal("140.00"),
            high=Decimal("190.00"),
            unit="night",
            source="Ministry of Justice: costs per prison place and cost per prisoner (annual), ÷ 365",
            source_date=date(2024, 10, 31),
            notes=illustrative,
        ),
        UnitCost(
            key="approved-premises-night",
            name="A night in approved premises",
            low=Decimal("90.00"),
            central=Decimal("120.00"),
            high=Decimal("160.00"),
            unit="night",
            source="HM Prison and Probation Service: approved premises (illustrative: no single published cost a night)",
            source_date=date(2024, 3, 31),
            notes=illustrative,
        ),
        UnitCost(
            key="bed-and-breakfast-night",
            name="A night in bed and breakfast",
            low=Decimal("40.00"),
            central=Decimal("60.00"),
            high=Decimal("95.00"),
            unit="night",
            source="Local authorities' nightly rates for emergency temporary accommodation (illustrative)",
            source_date=date(2025, 3, 31),
            notes=illustrative,
        ),
        UnitCost(
            key="recall",
            name="Recall to custody",
            low=Decimal("3000.00"),
            central=Decimal("4800.00"),
            high=Decimal("6500.00"),
            unit="recall",
            source="HM Prison and Probation Service: recall process costs (estimate, illustrative)",
            source_date=date(2023, 3, 31),
            notes=illustrative,
        ),
        UnitCost(
            key="arrest",
            name="Arrest and police custody time",
            low=Decimal("500.00"),
            central=Decimal("780.00"),
            high=Decimal("1200.00"),
            unit="arrest",
            source="Greater Manchester Combined Authority: unit cost database (police), illustrative",
            source_date=date(2022, 7, 1),
            notes=illustrative,
        ),
    ]


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _pick(rng: random.Random, options):
    """One value from [(value, weight), ...]."""
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights=weights, k=1)[0]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _hours(value: float) -> Decimal:
    """Support hours to the nearest quarter hour, at least a quarter."""
    quarters = max(1, round(value * 4))
    return Decimal(quarters) / Decimal(4)


def display_name(user) -> str:
    title = TITLES.get(user.username, "")
    return f"{title} {user.get_full_name()}".strip()


@dataclass
class Person:
    gender: str
    stays: list[Stay] = field(default_factory=list)
    referrals: list[RefPlan] = field(default_factory=list)
    on_licence: bool = True
    risk: str = ""
    iom_category: str = ""
    offender: Offender | None = None

    @property
    def first_contact(self) -> date:
        days = [stay.starts_on for stay in self.stays] + [ref.submitted_at.date() for ref in self.referrals]
        return min(days)


@dataclass
class Stay:
    bedspace: Bedspace
    spec: PropertySpec
    status: str
    starts_on: date
    terms: list[tuple[date, date]]
    departed_on: date | None = None
    reason: str = ""
    destination: str = ""
    cancellation_reason: str = ""
    notes: str = ""
    person: Person | None = None
    refplan: RefPlan | None = None
    placement: Placement | None = None
    scenario: str = ""  # "overrun", "ending_soon", "current" for the scripted active cases

    @property
    def ends_on(self) -> date:
        return self.terms[-1][1]

    @property
    def free_from(self) -> date:
        return free_from(self.ends_on, TURNAROUND_DAYS)

    @property
    def occupies(self) -> bool:
        return self.status not in Placement.RELEASED_STATUSES


@dataclass
class RefPlan:
    person: Person
    agency: str
    status: str
    urgency: str
    submitted_at: datetime
    decided_at: datetime | None
    wanted_from: date | None
    decline_reason: str = ""
    decision_notes: str = ""
    reason: str = ""
    stay: Stay | None = None
    referral: Referral | None = None


class _ReasonDeck:
    """Departure reasons: every one of them early on, then mostly planned move-ons."""

    STREAM = [
        (R.PLANNED_MOVE_ON, 70), (R.LICENCE_ENDED, 14), (R.EVICTION, 4),
        (R.ABANDONED, 4), (R.RECALLED, 4), (R.ARRESTED, 4),
    ]  # fmt: skip

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.queue = [*LEAVING, *[R.PLANNED_MOVE_ON] * 6]
        rng.shuffle(self.queue)

    def draw(self) -> str:
        return self.queue.pop(0) if self.queue else _pick(self.rng, self.STREAM)

    def put_back(self, reason: str) -> None:
        self.queue.insert(0, reason)


TERMS_BY_REASON = {
    R.PLANNED_MOVE_ON: [(1, 2), (2, 4), (3, 4), (4, 2), (5, 1)],
    R.LICENCE_ENDED: [(1, 2), (2, 3), (3, 2)],
    R.EVICTION: [(1, 3), (2, 3), (3, 1)],
    R.ABANDONED: [(1, 3), (2, 2), (3, 1)],
    R.RECALLED: [(1, 3), (2, 3), (3, 1)],
    R.ARRESTED: [(1, 3), (2, 3), (3, 1)],
}
DESTINATIONS_BY_REASON = {
    R.PLANNED_MOVE_ON: [
        (D.SOCIAL_RENT, 5), (D.PRIVATE_RENT, 4), (D.SUPPORTED_LONG_TERM, 3), (D.FAMILY, 3),
        (D.HOSPITAL, 1), (D.TEMPORARY, 1),
    ],
    R.LICENCE_ENDED: [
        (D.TEMPORARY, 3), (D.FAMILY, 2), (D.PRIVATE_RENT, 1), (D.NO_FIXED_ABODE, 2), (D.OTHER, 1),
    ],
    R.EVICTION: [(D.NO_FIXED_ABODE, 3), (D.TEMPORARY, 2), (D.UNKNOWN, 1)],
    R.ABANDONED: [(D.UNKNOWN, 3), (D.NO_FIXED_ABODE, 2)],
    R.RECALLED: [(D.CUSTODY, 1)],
    R.ARRESTED: [(D.CUSTODY, 1)],
}  # fmt: skip
# Where a move-on to "Other" went (the ending asks for it).
OTHER_DESTINATION_DETAILS = "Staying with a friend while a room is found"
BAD_ENDINGS = (R.EVICTION, R.ABANDONED, R.RECALLED, R.ARRESTED)
SETTLED = (D.SOCIAL_RENT, D.PRIVATE_RENT, D.SUPPORTED_LONG_TERM, D.FAMILY)

# Unplaced referrals, each for a new person, taken in this order (the first eight cover every status).
UNPLACED = [
    dict(status=RS.DECLINED, decline=DR.RISK_TOO_HIGH, risk=Offender.RiskOfSeriousHarm.VERY_HIGH,
         notes="Very high risk to a known adult who lives in Aberystwyth; needs approved premises."),
    dict(status=RS.SUBMITTED),
    dict(status=RS.IN_REVIEW),
    dict(status=RS.WITHDRAWN, notes="Withdrawn by the referrer: remanded in custody before a decision."),
    dict(status=RS.DECLINED, decline=DR.NO_SUITABLE_PROPERTY, gender=Gender.FEMALE,
         notes="Needs a step-free flat for women; none available on the wanted date."),
    dict(status=RS.DECLINED, decline=DR.NOT_ELIGIBLE, on_licence=False, iom=Offender.IomCategory.FREE,
         notes="Not on licence and not in the IOM cohort; signposted to the council's housing options team."),
    dict(status=RS.DECLINED, decline=DR.NEEDS_MET_ELSEWHERE,
         notes="Approved premises place offered by probation, which better manages the risk."),
    dict(status=RS.DECLINED, decline=DR.PERSON_DECLINED,
         notes="Turned the offer down: wants to stay near family in Carmarthenshire."),
    dict(status=RS.SUBMITTED),
    dict(status=RS.WITHDRAWN, notes="Withdrawn by the referrer: moved in with family out of the area."),
    dict(status=RS.DECLINED, decline=DR.OTHER, gender=Gender.NON_BINARY,
         notes="Referral incomplete after two requests for the risk assessment."),
    dict(status=RS.IN_REVIEW),
    dict(status=RS.DECLINED, decline=DR.NO_SUITABLE_PROPERTY,
         notes="All bedspaces occupied on the release date; referred to the council's emergency housing."),
    dict(status=RS.WITHDRAWN, notes="Withdrawn by the referrer: release date postponed by the Parole Board."),
    dict(status=RS.DECLINED, decline=DR.PERSON_DECLINED,
         notes="Turned the offer down: did not want to leave Cardigan."),
    dict(status=RS.DECLINED, decline=DR.NEEDS_MET_ELSEWHERE,
         notes="Residential rehabilitation place funded instead."),
]  # fmt: skip
EXTERNAL_REF_PREFIX = {
    "probation": "PROB", "ddas": "DDAS", "police": "IOM", "womens-centre": "WWWC", "social-services": "CCSS",
}  # fmt: skip
# Share of the tier's weekly support hours each agency delivers.
HOURS_SHARE = {
    "care-society": 0.45, "ddas": 0.2, "probation": 0.15, "police": 0.1, "womens-centre": 0.3,
    "social-services": 0.15,
}  # fmt: skip
VISIT_KINDS = {
    "police": [(VK.HOME, 85), (VK.PHONE, 15)],
    "probation": [(VK.HOME, 60), (VK.OFFICE, 30), (VK.PHONE, 10)],
    "ddas": [(VK.HOME, 60), (VK.OFFICE, 25), (VK.PHONE, 15)],
    "care-society": [(VK.HOME, 90), (VK.PHONE, 10)],
    "womens-centre": [(VK.HOME, 50), (VK.OFFICE, 40), (VK.PHONE, 10)],
    "social-services": [(VK.HOME, 80), (VK.PHONE, 20)],
}
OFFENCES_BY_NEED = {
    Need.DRUGS: [OffenceCategory.DRUGS, OffenceCategory.THEFT, OffenceCategory.BURGLARY],
    Need.ALCOHOL: [OffenceCategory.VIOLENCE, OffenceCategory.PUBLIC_ORDER, OffenceCategory.CRIMINAL_DAMAGE],
}
GENERAL_OFFENCES = [
    (OffenceCategory.THEFT, 6), (OffenceCategory.VIOLENCE, 5), (OffenceCategory.BURGLARY, 3),
    (OffenceCategory.CRIMINAL_DAMAGE, 3), (OffenceCategory.PUBLIC_ORDER, 3), (OffenceCategory.DRUGS, 3),
    (OffenceCategory.VEHICLE, 2), (OffenceCategory.WEAPONS, 1), (OffenceCategory.ROBBERY, 1),
    (OffenceCategory.FRAUD, 1), (OffenceCategory.OTHER, 1),
]  # fmt: skip


# --------------------------------------------------------------------------------------------
# The generator: unsaved model instances, then one bulk save
# --------------------------------------------------------------------------------------------


# A person's own conditions of the licence, and warnings under it (the index of the standard
# condition breached in the first wording, what happened).
PERSON_CONDITIONS = (
    "No visitors after 22:00.",
    "Exclusion zone: not to enter Penparcau or contact the victim's family.",
    "To be at the property from 21:00 to 07:00 (curfew agreed with probation).",
    "To attend every appointment with the drug and alcohol service.",
)
WARNING_STORIES = (
    (1, "Flat found dirty with rubbish bags in the hallway at the weekly visit."),
    (3, "Neighbours complained of loud music after midnight on two nights."),
    (2, "Cannabis smell and paraphernalia found in the living room."),
    (4, "Refused entry to the support worker twice this week."),
    (0, "A friend found staying overnight without permission."),
)


class DemoBuilder:
    """Builds the whole demo scheme in memory from a fixed seed, then saves it in one go."""

    def __init__(
        self, *, today: date, agencies: dict[str, Agency], staff: dict[str, list], seed: int = DEMO_SEED
    ):
        self.today = today
        self.start = today - timedelta(days=HISTORY_DAYS)
        # Not for security: a fixed seed makes the demo data the same on every run.
        self.rng = random.Random(seed)  # noqa: S311
        self.agencies = agencies
        self.staff = staff
        self.officer = staff["police"][0]
        self.deck = _ReasonDeck(self.rng)
        self.used_names: set[tuple[str, str]] = {(s.first_name, s.last_name) for s in LOGINS + STAFF}
        self.used_ids: set[str] = set()

        self.properties: list[Property] = []
        self.bedspaces: list[tuple[Bedspace, PropertySpec]] = []
        self.voids: list[VoidPeriod] = []
        self.stays: list[Stay] = []
        self.persons: list[Person] = []
        self.refplans: list[RefPlan] = []
        self.offenders: list[Offender] = []
        self.officer_links: list[tuple[Offender, object]] = []
        self.referrals: list[Referral] = []
        self.placements: list[Placement] = []
        self.terms: list[LicenceTerm] = []
        self.plans: list[SupportPlan] = []
        self.plan_agencies: list[SupportAgency] = []
        self.visits: list[HomeVisit] = []
        self.joint: list[tuple[HomeVisit, list[Agency]]] = []
        self.events: list[OffenderEvent] = []
        self.exclusions: list[PropertyExclusion] = []
        self.funding: list[Funding] = []
        self.unit_costs: list[UnitCost] = []
        self.agreements: list[LicenceAgreement] = []
        self.conditions: list[PersonCondition] = []
        self.warnings: list[LicenceWarning] = []
        self.breach_endings: list[tuple[LicenceBreachEnding, list[LicenceWarning]]] = []
        self.support_codes: dict[int, list[str]] = {}  # a stay's supporting agencies, by id(stay)
        self.move_on_plans: list[MoveOnPlan] = []
        self.move_on_actions: list[MoveOnAction] = []

    # ---- the plan -------------------------------------------------------------------------

    def build(self) -> DemoBuilder:
        self._build_properties()
        self._schedule()
        self._cover_every_departure_reason()
        self._pick_destinations()
        self._assign_people()
        self._plan_stay_referrals()
        self._plan_unplaced_referrals()
        self._build_offenders()
        self._mark_sharing_risks()
        self._build_referrals()
        self._build_placements()
        self._build_support_and_visits()
        self._build_events()
        self._build_exclusion()
        self._build_money()
        self._build_licence()
        self._build_move_on()
        return self

    def _build_properties(self) -> None:
        ceredigion = known_area(CEREDIGION)
        for spec in PROPERTIES:
            prop = Property(
                name=spec.name,
                address_line_1=spec.address_line_1,
                address_line_2=spec.address_line_2,
                town=spec.town,
                postcode=spec.postcode,
                local_authority=ceredigion,
                provider=spec.provider,
                weekly_cost=spec.weekly_cost,
                restriction=spec.restriction,
                accessible=spec.accessible,
                turnaround_days=TURNAROUND_DAYS,
                notes=spec.notes,
            )
            self.properties.append(prop)
            for label in spec.bedspaces:
                self.bedspaces.append((Bedspace(property=prop, label=label), spec))

    # Each bedspace has a scripted present (what the demo needs to show today) and a random past.
    def _schedule(self) -> None:
        rng, today = self.rng, self.today
        (aber1, aber_spec), (aber2, _), (card, card_spec), (lamp, lamp_spec) = self.bedspaces

        # Tŷ Derwen Flat 1: active mid-term, with a confirmed booking after it.
        n = rng.choice([2, 3])
        ends = today + timedelta(days=rng.randint(12, 20))
        current = self._active(aber1, aber_spec, ends - timedelta(days=TERM * n), n, "current")
        self._fill_history(aber1, aber_spec, cutoff=current.starts_on, released={2: S.CANCELLED})
        self.stays.append(current)
        self._booking(aber1, aber_spec, current.free_from + timedelta(days=rng.randint(0, 3)), S.CONFIRMED)

        # Tŷ Derwen Flat 2: an overrun (the last term ended three days ago, no departure recorded).
        overrun = self._active(aber2, aber_spec, today - timedelta(days=3 + TERM * 3), 3, "overrun")
        self._fill_history(
            aber2, aber_spec, cutoff=overrun.starts_on, released={3: S.CANCELLED}, past_void=True
        )
        self.stays.append(overrun)

        # Bwthyn Teifi: the term ends within a week; a provisional booking follows.
        ends = today + timedelta(days=rng.randint(3, 6))
        ending = self._active(card, card_spec, ends - timedelta(days=TERM * 2), 2, "ending_soon")
        self._fill_history(card, card_spec, cutoff=ending.starts_on, released={1: S.NOT_ARRIVED})
        self.stays.append(ending)
        self._booking(card, card_spec, ending.free_from + timedelta(days=rng.randint(1, 4)), S.PROVISIONAL)

        # Tŷ Cerrig: empty since a recent departure, out of use for repairs now, booked after.
        void_start, void_end = today - timedelta(days=5), today + timedelta(days=9)
        self._fill_history(lamp, lamp_spec, cutoff=void_start, released={})
        self.voids.append(
            VoidPeriod(
                bedspace=lamp,
                starts_on=void_start,
                ends_on=void_end,
                reason=VoidPeriod.Reason.REPAIRS,
                notes="Boiler replacement and damp treatment in the bathroom.",
                created_by=self.staff["police"][0],
            )
        )
        cancelled = self._booking(lamp, lamp_spec, today + timedelta(days=2), S.CANCELLED)
        cancelled.cancellation_reason = FUTURE_CANCELLATION
        self._booking(lamp, lamp_spec, void_end, S.CONFIRMED)

    def _active(self, bedspace, spec, starts_on: date, n_terms: int, scenario: str) -> Stay:
        terms = [
            (starts_on + timedelta(days=TERM * i), starts_on + timedelta(days=TERM * (i + 1)))
            for i in range(n_terms)
        ]
        return Stay(bedspace, spec, S.ACTIVE, starts_on, terms, scenario=scenario)

    def _booking(self, bedspace, spec, starts_on: date, status: str) -> Stay:
        stay = Stay(bedspace, spec, status, starts_on, [(starts_on, starts_on + timedelta(days=TERM))])
        self.stays.append(stay)
        return stay

    def _fill_history(
        self, bedspace, spec, *, cutoff: date, released: dict[int, str], past_void=False
    ) -> None:
        """Ended stays from the start of the history until `cutoff` (the next arrival or void)."""
        rng = self.rng
        cursor = self.start + timedelta(days=rng.randint(3, 12))
        index = 0
        void_done = not past_void
        while True:
            if index in released and cursor < cutoff:
                status = released[index]
                stay = Stay(bedspace, spec, status, cursor, [(cursor, cursor + timedelta(days=TERM))])
                if status == S.CANCELLED:
                    stay.cancellation_reason = rng.choice(CANCELLATION_REASONS)
                else:
                    stay.notes = NOT_ARRIVED_NOTE
                self.stays.append(stay)
                cursor += timedelta(days=rng.randint(2, 6))
            stay = self._ended_stay(bedspace, spec, cursor, cutoff)
            if stay is None:
                break
            self.stays.append(stay)
            cursor = stay.free_from
            if not void_done and index >= 1:
                void_end = cursor + timedelta(days=rng.randint(10, 14))
                if void_end + timedelta(days=14) <= cutoff:
                    self._past_void(bedspace, stay, cursor, void_end)
                    cursor, void_done = void_end, True
            cursor += timedelta(
                days=_pick(rng, [(0, 3), (1, 2), (2, 2), (3, 2), (5, 1), (7, 1), (10, 1), (14, 1)])
            )
            index += 1
        if not void_done and (cutoff - cursor).days >= 5:
            self._past_void(bedspace, None, cursor, cutoff)

    def _past_void(self, bedspace, after: Stay | None, starts_on: date, ends_on: date) -> None:
        damaged = after is not None and after.reason in (R.EVICTION, R.ABANDONED)
        self.voids.append(
            VoidPeriod(
                bedspace=bedspace,
                starts_on=starts_on,
                ends_on=ends_on,
                reason=VoidPeriod.Reason.DAMAGE if damaged else VoidPeriod.Reason.DEEP_CLEAN,
                notes="Door and kitchen cupboards repaired after the last occupant left."
                if damaged
                else "Deep clean and redecoration between occupants.",
                created_by=self.staff["police"][0],
            )
        )

    def _ended_stay(self, bedspace, spec, starts_on: date, cutoff: date) -> Stay | None:
        rng = self.rng
        reason = self.deck.draw()
        n = _pick(rng, TERMS_BY_REASON[reason])
        if reason == R.LICENCE_ENDED:
            last = TERM
        elif reason == R.PLANNED_MOVE_ON:
            last = TERM if rng.random() < 0.4 else rng.randint(7, TERM - 1)
        else:
            last = rng.randint(3, 25)
        departed = starts_on + timedelta(days=TERM * (n - 1) + last)
        if free_from(departed, TURNAROUND_DAYS) > cutoff:
            # Too long to fit before what comes next: keep the reason for a later stay and
            # end this one with a planned move-on as late as the next arrival allows.
            self.deck.put_back(reason)
            departed = cutoff
            while free_from(departed, TURNAROUND_DAYS) > cutoff:
                departed -= timedelta(days=1)
            departed -= timedelta(days=rng.randint(0, 2))
            if (departed - starts_on).days < 14:
                return None
            reason = R.PLANNED_MOVE_ON
        total = (departed - starts_on).days
        n = (total - 1) // TERM + 1
        terms = [
            (starts_on + timedelta(days=TERM * i), starts_on + timedelta(days=TERM * (i + 1)))
            for i in range(n - 1)
        ]
        # The last term is cut short at the departure (still at least one day: terms are half-open).
        terms.append((starts_on + timedelta(days=TERM * (n - 1)), departed))
        return Stay(bedspace, spec, S.ENDED, starts_on, terms, departed_on=departed, reason=reason)

    def _cover_every_departure_reason(self) -> None:
        """Relabel a planned move-on for any reason the random history happened not to use."""
        ended = [stay for stay in self.stays if stay.status == S.ENDED]
        for reason in LEAVING:
            if any(stay.reason == reason for stay in ended):
                continue
            counts = Counter(stay.reason for stay in ended)
            spare = [stay for stay in reversed(ended) if counts[stay.reason] > 1]
            if spare:
                spare[0].reason = reason

    def _pick_destinations(self) -> None:
        ended = [stay for stay in self.stays if stay.status == S.ENDED]
        for stay in ended:
            stay.destination = _pick(self.rng, DESTINATIONS_BY_REASON[stay.reason])
        # Most people move on to settled housing, as in the pilot: make sure the dice agree.
        for stay in reversed(ended):
            if sum(s.destination in SETTLED for s in ended) >= 0.6 * len(ended):
                break
            if stay.reason == R.PLANNED_MOVE_ON and stay.destination == D.TEMPORARY:
                stay.destination = self.rng.choice(SETTLED)

    def _assign_people(self) -> None:
        """One person per stay, except a few people placed again after custody or a failed stay."""
        rng = self.rng
        repeats = 0
        for stay in sorted(self.stays, key=lambda s: (s.starts_on, s.bedspace.label)):
            restriction = stay.spec.restriction
            if restriction == Property.Restriction.WOMEN_ONLY:
                gender = Gender.FEMALE
            elif restriction == Property.Restriction.MEN_ONLY:
                gender = Gender.MALE
            else:
                gender = Gender.FEMALE if rng.random() < 0.12 else Gender.MALE
            person = None
            if stay.occupies and repeats < 3:
                candidates = [
                    p
                    for p in self.persons
                    if p.gender == gender
                    and p.stays[-1].status == S.ENDED
                    and p.stays[-1].reason in (R.RECALLED, R.ARRESTED, R.LICENCE_ENDED, R.ABANDONED)
                    and (stay.starts_on - p.stays[-1].departed_on).days >= 45
                    and len(p.stays) == 1
                ]
                if candidates and rng.random() < 0.6:
                    person = candidates[0]
                    repeats += 1
            if person is None:
                person = Person(gender=gender)
                self.persons.append(person)
            person.stays.append(stay)
            stay.person = person

    # ---- referrals ------------------------------------------------------------------------

    def _referring_agency(self, person: Person) -> str:
        options = [("probation", 65), ("ddas", 15), ("police", 15)]
        if person.gender == Gender.FEMALE:
            options.append(("womens-centre", 20))
        return _pick(self.rng, options)

    def _plan_stay_referrals(self) -> None:
        rng = self.rng
        latest_day = self.today - timedelta(days=2)
        for stay in sorted(self.stays, key=lambda s: (s.starts_on, s.bedspace.label)):
            urgency = _pick(
                rng,
                [
                    (Referral.Urgency.ROUTINE, 45),
                    (Referral.Urgency.URGENT, 35),
                    (Referral.Urgency.EMERGENCY, 20),
                ],
            )
            # Days before arrival the referral came in, and working days the decision took.
            lead, decision_days = {
                Referral.Urgency.EMERGENCY: ((1, 2), (0, 0)),
                Referral.Urgency.URGENT: ((3, 10), (1, 3)),
                Referral.Urgency.ROUTINE: ((10, 28), (2, 10)),
            }[urgency]
            day = min(max(stay.starts_on - timedelta(days=rng.randint(*lead)), self.start), latest_day)
            submitted = _at(day, rng.randint(9, 14), rng.choice([0, 15, 30, 45]))
            latest = min(_at(stay.starts_on, 9), _at(self.today - timedelta(days=1), 17))
            decided = min(self._later(submitted, *decision_days), latest)
            if urgency == Referral.Urgency.EMERGENCY:
                wanted = stay.starts_on
            else:
                wanted = max(stay.starts_on - timedelta(days=rng.randint(0, 7)), day + timedelta(days=1))
            ref = RefPlan(
                person=stay.person,
                agency=self._referring_agency(stay.person),
                status=RS.ACCEPTED,
                urgency=urgency,
                submitted_at=submitted,
                decided_at=decided,
                wanted_from=wanted,
                reason=rng.choice(REFERRAL_REASONS),
                decision_notes="Accepted at the weekly IOM housing panel.",
                stay=stay,
            )
            stay.refplan = ref
            stay.person.referrals.append(ref)
            self.refplans.append(ref)

    def _later(self, moment: datetime, min_days: int, max_days: int) -> datetime:
        """A time in office hours (09:00 to 17:45) `min_days` to `max_days` days after `moment`."""
        days = self.rng.randint(min_days, max_days)
        day = moment.astimezone(LONDON).date() + timedelta(days=days)
        first_hour = 9
        if days == 0:
            first_hour = moment.astimezone(LONDON).hour + 1
            if first_hour > 17:
                day, first_hour = day + timedelta(days=1), 9
        return _at(day, self.rng.randint(first_hour, 17), self.rng.choice([0, 15, 30, 45]))

    def _plan_unplaced_referrals(self) -> None:
        rng, today = self.rng, self.today
        placed = len(self.persons)
        wanted = min(max(TARGET_OFFENDERS - placed, 8), len(UNPLACED))
        for scenario in UNPLACED[:wanted]:
            status = scenario["status"]
            person = Person(
                gender=scenario.get("gender") or (Gender.FEMALE if rng.random() < 0.15 else Gender.MALE)
            )
            person.on_licence = scenario.get("on_licence", True)
            person.risk = scenario.get("risk", "")
            person.iom_category = scenario.get("iom", "")
            self.persons.append(person)
            if status == RS.SUBMITTED:
                day, decided = today - timedelta(days=rng.randint(1, 5)), None
            elif status == RS.IN_REVIEW:
                day, decided = today - timedelta(days=rng.randint(4, 14)), None
            else:
                day = self.start + timedelta(days=rng.randint(20, HISTORY_DAYS - 14))
                decided = True
            submitted = _at(day, rng.randint(9, 16), rng.choice([0, 15, 30, 45]))
            decided_at = self._later(submitted, 1, 8) if decided else None
            urgency = _pick(
                rng,
                [
                    (Referral.Urgency.ROUTINE, 50),
                    (Referral.Urgency.URGENT, 35),
                    (Referral.Urgency.EMERGENCY, 15),
                ],
            )
            ref = RefPlan(
                person=person,
                agency=self._referring_agency(person),
                status=status,
                urgency=urgency,
                submitted_at=submitted,
                decided_at=decided_at,
                wanted_from=day + timedelta(days=rng.randint(3, 21)),
                decline_reason=scenario.get("decline", ""),
                decision_notes=scenario.get("notes", ""),
                reason=rng.choice(REFERRAL_REASONS),
            )
            person.referrals.append(ref)
            self.refplans.append(ref)

        # A second agency referring someone already referred: declined as a duplicate.
        original = next(
            ref
            for ref in self.refplans
            if ref.stay is not None and ref.stay.status == S.ENDED and ref.agency != "ddas"
        )
        submitted = self._later(original.submitted_at, 0, 1)
        duplicate = RefPlan(
            person=original.person,
            agency="ddas",
            status=RS.DECLINED,
            urgency=original.urgency,
            submitted_at=submitted,
            decided_at=self._later(submitted, 0, 1),
            wanted_from=original.wanted_from,
            decline_reason=DR.DUPLICATE,
            decision_notes="Duplicate of an open referral for the same release.",
            reason=original.reason,
        )
        original.person.referrals.append(duplicate)
        self.refplans.append(duplicate)

        # Someone recalled from a placement is referred again ahead of re-release.
        back = [
            p
            for p in self.persons
            if p.stays and p.stays[-1].status == S.ENDED and p.stays[-1].reason == R.RECALLED
        ]
        if back:
            person = back[0]
            day = today - timedelta(days=rng.randint(3, 9))
            ref = RefPlan(
                person=person,
                agency="probation",
                status=RS.IN_REVIEW,
                urgency=Referral.Urgency.URGENT,
                submitted_at=_at(day, rng.randint(9, 16), 30),
                decided_at=None,
                wanted_from=today + timedelta(days=rng.randint(10, 30)),
                reason="Re-release after a recall expected; the last placement went well until the recall.",
            )
            person.referrals.append(ref)
            self.refplans.append(ref)

    # ---- people ---------------------------------------------------------------------------

    def _unique_name(self, gender: str, ethnicity: str) -> tuple[str, str]:
        rng = self.rng
        female = gender == Gender.FEMALE or (gender != Gender.MALE and rng.random() < 0.5)
        if ethnicity == Ethnicity.WHITE_OTHER:
            firsts, lasts = (OTHER_WHITE_FEMALE_FIRST if female else OTHER_WHITE_MALE_FIRST), OTHER_WHITE_LAST
        elif ethnicity == Ethnicity.WHITE_IRISH:
            firsts, lasts = (IRISH_FEMALE_FIRST if female else IRISH_MALE_FIRST), IRISH_LAST
        else:
            firsts, lasts = (FEMALE_FIRST if female else MALE_FIRST), LAST
        while True:
            name = (rng.choice(firsts), rng.choice(lasts))
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _unique_id(self, make) -> str:
        while True:
            value = make()
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def _build_offenders(self) -> None:
        rng = self.rng
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        police = self.staff["police"][:2]
        probation = self.staff["probation"]
        for index, person in enumerate(self.persons):
            first_contact = person.first_contact
            ethnicity = _pick(
                rng,
                [
                    (Ethnicity.WHITE_BRITISH, 84), (Ethnicity.WHITE_OTHER, 4), (Ethnicity.WHITE_IRISH, 2),
                    (Ethnicity.WHITE_GYPSY_TRAVELLER, 2), (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 2),
                    (Ethnicity.MIXED_OTHER, 1), (Ethnicity.BLACK_CARIBBEAN, 1), (Ethnicity.ASIAN_OTHER, 1),
                    (Ethnicity.NOT_STATED, 3),
                ],
            )  # fmt: skip
            first, last = self._unique_name(person.gender, ethnicity)
            age = _pick(rng, [((19, 24), 15), ((25, 34), 40), ((35, 44), 30), ((45, 58), 15)])
            dob = first_contact - timedelta(days=365 * rng.randint(*age) + rng.randint(0, 364))
            aliases = []
            if first in NICKNAMES and rng.random() < 0.6:
                aliases.append(f"{NICKNAMES[first]} {last}")
            elif person.gender == Gender.FEMALE and rng.random() < 0.4:
                aliases.append(f"{first} {rng.choice(LAST)}")
            pnc_year = min(dob.year + rng.randint(14, 20), 2022)
            pnc = self._unique_id(
                lambda y=pnc_year: f"{y}/{rng.randint(1, 9_999_999):07d}{rng.choice(letters)}"
            )
            crn = self._unique_id(lambda: f"{rng.choice(letters)}{rng.randint(100_000, 999_999)}")
            custody = person.on_licence and rng.random() < 0.85
            prison_number = (
                self._unique_id(
                    lambda: f"{rng.choice('AG')}{rng.randint(1000, 9999)}{''.join(rng.sample(letters, 2))}"
                )
                if custody
                else ""
            )
            needs = [Need.ACCOMMODATION]
            chances = {
                Need.ETE: 0.5, Need.FINANCE: 0.55, Need.RELATIONSHIPS: 0.3, Need.LIFESTYLE: 0.5,
                Need.DRUGS: 0.6, Need.ALCOHOL: 0.4, Need.EMOTIONAL_WELLBEING: 0.45,
                Need.THINKING_BEHAVIOUR: 0.35, Need.ATTITUDES: 0.25,
            }  # fmt: skip
            needs += [need for need, chance in chances.items() if rng.random() < chance]
            if len(needs) < 3:
                needs.append(
                    rng.choice([n for n in (Need.DRUGS, Need.ALCOHOL, Need.FINANCE) if n not in needs])
                )
            needs = [need.value for need in Need if need in needs]
            risk = person.risk or _pick(
                rng,
                [
                    (Offender.RiskOfSeriousHarm.LOW, 12),
                    (Offender.RiskOfSeriousHarm.MEDIUM, 56),
                    (Offender.RiskOfSeriousHarm.HIGH, 32),
                ],
            )
            iom = person.iom_category or _pick(
                rng,
                [
                    (Offender.IomCategory.FIXED, 60),
                    (Offender.IomCategory.FLEX, 32),
                    (Offender.IomCategory.FREE, 8),
                ],
            )
            licence_starts = licence_ends = None
            conditions = ""
            if person.on_licence:
                if person.stays:
                    licence_starts = person.stays[0].starts_on - timedelta(
                        days=_pick(rng, [(0, 5), (rng.randint(1, 3), 3), (rng.randint(7, 60), 2)])
                    )
                    last_start = person.stays[-1].starts_on
                    licence_ends = max(
                        licence_starts + timedelta(days=rng.randint(150, 720)),
                        last_start + timedelta(days=rng.randint(30, 200)),
                    )
                else:
                    wanted = person.referrals[0].wanted_from
                    licence_starts = wanted - timedelta(days=rng.randint(0, 5))
                    licence_ends = licence_starts + timedelta(days=rng.randint(150, 720))
                extra = rng.sample(LICENCE_CONDITIONS, rng.randint(1, 3))
                conditions = "\n".join(
                    ["Reside permanently at an address approved by the supervising officer.", *extra]
                )
            warnings = ""
            if rng.random() < 0.3:
                warnings = " ".join(rng.sample(SAFETY_WARNINGS, rng.randint(1, 2)))
            offender = Offender(
                first_name=first,
                last_name=last,
                aliases=aliases,
                date_of_birth=dob,
                gender=person.gender,
                ethnicity=ethnicity,
                pnc_id=pnc,
                crn=crn if person.on_licence else "",
                prison_number=prison_number,
                iom_category=iom,
                risk_of_serious_harm=risk,
                licence_starts_on=licence_starts,
                licence_ends_on=licence_ends,
                licence_conditions=conditions,
                needs=needs,
                safety_warnings=warnings,
            )
            person.offender = offender
            self.offenders.append(offender)
            self.officer_links.append((offender, police[index % len(police)]))
            if person.on_licence:
                self.officer_links.append((offender, probation[index % len(probation)]))

    def _mark_sharing_risks(self) -> None:
        """A few sharing risks and one property characteristic, so that booking the shared flats
        shows who else is there and a conflict (placements.sharing). Chosen, not drawn: the
        random streams stay as they were. Nobody placed is given a risk their property refuses."""
        shared = PROPERTIES[0]  # Tŷ Derwen: two flats with a shared entrance
        self.properties[0].near_school = True
        # An arson history in the shared flats (which do not refuse one), violence to other
        # residents where no one else lives: no one placed conflicts with anyone.
        alone = [spec for spec in PROPERTIES if len(spec.bedspaces) == 1]
        for specs, risk in (([shared], "arson_history"), (alone, "violence_to_residents")):
            there = [
                stay.person.offender
                for stay in self.stays
                if stay.spec in specs and stay.status == Placement.Status.ACTIVE and stay.person is not None
            ]
            if there and there[0] is not None:
                setattr(there[0], risk, True)
        # Someone referred and not yet decided: accepting and placing them shows the conflicts.
        waiting = [
            plan.person
            for plan in self.refplans
            if plan.status in (RS.SUBMITTED, RS.IN_REVIEW)
            and plan.stay is None
            and not plan.person.stays
            and plan.person.offender is not None
        ]
        if waiting:
            offender = cast(Offender, waiting[0].offender)
            offender.sexual_risk_to_children = True
            offender.sexual_risk_to_adults = SexualRiskToAdults.WOMEN

    def _build_referrals(self) -> None:
        rng = self.rng
        counters: dict[tuple[str, int], int] = {}
        for plan in sorted(self.refplans, key=lambda r: r.submitted_at):
            offender = plan.person.offender
            prefix = EXTERNAL_REF_PREFIX[plan.agency]
            year = plan.submitted_at.year
            counters[(plan.agency, year)] = counters.get((plan.agency, year), 0) + rng.randint(1, 9)
            needs = list(offender.needs)
            risk = RISK_SUMMARIES[offender.risk_of_serious_harm] + " " + rng.choice(RISK_EXTRAS)
            referral = Referral(
                offender=offender,
                referring_agency=self.agencies[plan.agency],
                external_ref=f"{prefix}-{year}-{counters[(plan.agency, year)]:04d}",
                status=plan.status,
                urgency=plan.urgency,
                needs=needs,
                risk_summary=risk,
                reason=plan.reason,
                wanted_from=plan.wanted_from,
                submitted_at=plan.submitted_at,
                submitted_by=self.staff[plan.agency][0],
                decided_at=plan.decided_at,
                decided_by=self.officer if plan.decided_at else None,
                decline_reason=plan.decline_reason,
                decision_notes=plan.decision_notes,
            )
            plan.referral = referral
            self.referrals.append(referral)

    # ---- placements -----------------------------------------------------------------------

    def _build_placements(self) -> None:
        rng = self.rng
        for stay in sorted(self.stays, key=lambda s: (s.starts_on, s.bedspace.label)):
            referral = stay.refplan.referral
            confirmed_at = None
            if stay.status != S.PROVISIONAL:
                confirmed_at = min(
                    self._later(referral.decided_at, 0, 1),
                    _at(stay.starts_on, 9),
                    _at(self.today - timedelta(days=1), 18),
                )
                confirmed_at = max(confirmed_at, referral.decided_at)
            arrived = stay.starts_on if stay.status in (S.ACTIVE, S.ENDED) else None
            placement = Placement(
                offender=stay.person.offender,
                bedspace=stay.bedspace,
                referral=referral,
                status=stay.status,
                starts_on=stay.starts_on,
                ends_on=stay.ends_on,
                free_from=stay.free_from,
                confirmed_at=confirmed_at,
                arrived_on=arrived,
                departed_on=stay.departed_on,
                departure_reason=stay.reason,
                destination=stay.destination,
                destination_details=OTHER_DESTINATION_DETAILS if stay.destination == D.OTHER else "",
                cancellation_reason=stay.cancellation_reason,
                notes=stay.notes,
                created_by=referral.decided_by,
                # Booked within the hour of the decision, and before the day of arrival.
                created_at=max(
                    referral.decided_at, min(referral.decided_at + timedelta(hours=1), _at(stay.starts_on, 9))
                ),
            )
            stay.placement = placement
            self.placements.append(placement)
            for number, (starts, ends) in enumerate(stay.terms, start=1):
                reason = ""
                if number > 1:
                    last_renewal = number == len(stay.terms) and stay.destination in RENEWAL_BY_DESTINATION
                    reason = (
                        RENEWAL_BY_DESTINATION[stay.destination]
                        if last_renewal
                        else rng.choice(RENEWAL_REASONS)
                    )
                self.terms.append(
                    LicenceTerm(
                        placement=placement,
                        number=number,
                        starts_on=starts,
                        ends_on=ends,
                        reason=reason,
                        created_by=self.officer,
                    )
                )

    def _tier(self, offender: Offender) -> str:
        needs = len(offender.needs)
        risk = offender.risk_of_serious_harm
        high = risk == Offender.RiskOfSeriousHarm.HIGH
        if needs >= 8 or (high and Need.DRUGS in offender.needs and needs >= 6):
            return SupportTier.T3
        if needs <= 5 and not high:
            return SupportTier.T1
        return SupportTier.T2

    def _build_support_and_visits(self) -> None:
        rng = self.rng
        visited = 0
        ddas_stopped = False
        ordered = sorted(self.stays, key=lambda s: (s.starts_on, s.bedspace.label))
        for stay in ordered:
            offender = stay.person.offender
            tier = self._tier(offender)
            plan = SupportPlan(
                placement=stay.placement,
                tier=tier,
                notes="Weekly visits by each agency; multi-agency review every four weeks.",
            )
            self.plans.append(plan)
            codes = ["police"]
            if offender.crn:
                codes.append("probation")
            if Need.DRUGS in offender.needs or Need.ALCOHOL in offender.needs:
                codes.append("ddas")
            if rng.random() < 0.8:
                codes.append("care-society")
            if offender.gender == Gender.FEMALE:
                codes.append("womens-centre")
                if Need.RELATIONSHIPS in offender.needs:
                    codes.append("social-services")
            stops: dict[str, date | None] = dict.fromkeys(codes)
            self.support_codes[id(stay)] = codes
            if (
                not ddas_stopped
                and "ddas" in codes
                and stay.status == S.ENDED
                and (stay.departed_on - stay.starts_on).days > 60
            ):
                stops["ddas"] = stay.starts_on + timedelta(days=35)
                plan.notes += " DDAS stopped visiting after the structured treatment programme was completed."
                ddas_stopped = True
            for code in codes:
                self.plan_agencies.append(
                    SupportAgency(
                        support_plan=plan,
                        agency=self.agencies[code],
                        visit_every_days=7,
                        ended_on=stops[code],
                    )
                )
            if stay.status in (S.ACTIVE, S.ENDED):
                self._visits_for(stay, tier, stops, visited)
                visited += 1

    def _visits_for(self, stay: Stay, tier: str, stops: dict[str, date | None], index: int) -> None:
        rng = self.rng
        end = stay.departed_on or self.today
        bad = stay.reason in BAD_ENDINGS
        weekly = float(TIER_WEEKLY_HOURS[tier])
        share_total = sum(HOURS_SHARE[code] for code in stops)
        offender = stay.person.offender
        joint_weeks: dict[int, list[str]] = {}
        skip: dict[str, set[int]] = {code: set() for code in stops}
        if index % 4 == 0 and "probation" in stops:
            joint_weeks[0] = ["probation"]  # joint induction visit
            skip["probation"].add(0)
        last_week = (end - stay.starts_on).days // 7
        if bad and "ddas" in stops and last_week > 1 and stops["ddas"] is None:
            joint_weeks[last_week - 1] = ["ddas"]
            skip["ddas"].add(last_week - 1)
        made: list[HomeVisit] = []
        for code, stop in stops.items():
            window_end = min(end, stop) if stop else end
            workers = self.staff[code]
            worker = workers[index % len(workers)]
            week = 0
            while True:
                week_start = stay.starts_on + timedelta(days=7 * week)
                if week_start >= window_end:
                    break
                this_week = week
                week += 1
                if this_week in skip[code]:
                    continue
                joint = joint_weeks.get(this_week, []) if code == "police" else []
                if not joint and rng.random() < (0.14 if code == "police" else 0.1):
                    continue  # a missed week
                day = week_start + timedelta(days=rng.randint(0, 6))
                if day >= window_end:
                    continue
                late = bad and (end - day).days <= 21
                kind = VK.HOME if joint else _pick(rng, VISIT_KINDS[code])
                if kind == VK.HOME:
                    outcomes = (
                        [(VO.SEEN, 60), (VO.NOT_IN, 25), (VO.REFUSED_ENTRY, 10), (VO.CANCELLED, 5)]
                        if late
                        else [(VO.SEEN, 84), (VO.NOT_IN, 9), (VO.REFUSED_ENTRY, 3), (VO.CANCELLED, 4)]
                    )
                elif kind == VK.PHONE:
                    outcomes = [(VO.SEEN, 85), (VO.NOT_IN, 15)]
                else:
                    outcomes = [(VO.SEEN, 85), (VO.NOT_IN, 10), (VO.CANCELLED, 5)]
                outcome = VO.SEEN if joint else _pick(rng, outcomes)
                visit = HomeVisit(
                    placement=stay.placement,
                    agency=self.agencies[code],
                    recorded_by=worker,
                    visited_at=_at(day, rng.randint(9, 16), rng.choice([0, 10, 20, 30, 40, 50])),
                    kind=kind,
                    staff_names=display_name(worker),
                    outcome=outcome,
                    next_visit_on=day + timedelta(days=7),
                )
                if outcome == VO.SEEN:
                    if kind == VK.HOME:
                        visit.property_in_good_order = rng.random() < (0.6 if late else 0.92)
                    drug_use = Need.DRUGS in offender.needs
                    if code == "ddas" or (code == "probation" and rng.random() < 0.2):
                        positive = (35 if late else 20) if drug_use else 5
                        visit.drug_test = _pick(
                            rng,
                            [
                                (HomeVisit.DrugTest.NEGATIVE, 100 - positive),
                                (HomeVisit.DrugTest.POSITIVE, positive),
                                (HomeVisit.DrugTest.NOT_TAKEN, 12),
                            ],
                        )
                    visit.engagement = _pick(
                        rng,
                        [
                            (HomeVisit.Engagement.GOOD, 20),
                            (HomeVisit.Engagement.SOME, 50),
                            (HomeVisit.Engagement.NONE, 30),
                        ]
                        if late
                        else [
                            (HomeVisit.Engagement.GOOD, 65),
                            (HomeVisit.Engagement.SOME, 28),
                            (HomeVisit.Engagement.NONE, 7),
                        ],
                    )
                    hours = weekly * HOURS_SHARE[code] / share_total * rng.uniform(0.7, 1.3)
                    if kind == VK.PHONE:
                        hours = min(hours, 0.5)
                    visit.support_hours = _hours(hours)
                    visit.notes = rng.choice(VISIT_NOTES[code])
                else:
                    visit.notes = NOT_SEEN_NOTES[(kind, outcome)]
                if joint:
                    others = [self.staff[other][index % len(self.staff[other])] for other in joint]
                    visit.staff_names = ", ".join(
                        f"{display_name(user)} ({AGENCY_SHORT[c]})"
                        for user, c in zip([worker, *others], [code, *joint], strict=True)
                    )
                    visit.notes = "Joint visit. " + visit.notes
                    self.joint.append((visit, [self.agencies[other] for other in joint]))
                elif outcome == VO.SEEN and kind == VK.HOME and rng.random() < 0.015:
                    self._raise_concern(visit)
                made.append(visit)
        made.sort(key=lambda v: v.visited_at)
        at_door = [v for v in made if v.kind == VK.HOME and v.outcome != VO.CANCELLED]
        if bad:
            late_visits = [v for v in at_door if (end - v.visited_at.date()).days <= 21]
            for visit in late_visits[-rng.randint(1, 2) :]:
                self._raise_concern(visit)
        elif stay.scenario in ("overrun", "ending_soon") and at_door:
            self._raise_concern(at_door[-1])
        self.visits.extend(made)

    def _raise_concern(self, visit: HomeVisit) -> None:
        visit.concern_raised = True
        visit.concern = self.rng.choice(CONCERNS if visit.outcome == VO.SEEN else DOORSTEP_CONCERNS)

    # ---- offending and compliance ---------------------------------------------------------

    def _release(self, offender, custody_from: date, days: tuple[int, int] = (28, 240)) -> None:
        """A release from custody some weeks or months after `custody_from` (none if it would fall
        on or after today: still in custody). The length comes from the person, not the random
        sequence, so the rest of the demo data is the same with or without releases."""
        low, high = days
        key = sum(ord(c) for c in f"{offender.first_name}{offender.last_name}{custody_from}")
        self._event(
            offender,
            OffenderEvent.Kind.RELEASE,
            custody_from + timedelta(days=low + key % (high - low + 1)),
            notes="Released from custody on licence.",
        )

    def _event(self, offender, kind, day: date, category="", notes="", by=None) -> None:
        if day >= self.today:
            return
        self.events.append(
            OffenderEvent(
                offender=offender,
                kind=kind,
                occurred_on=day,
                offence_category=category,
                notes=notes or OFFENCE_NOTES.get(kind, ""),
                recorded_by=by or self.officer,
            )
        )

    def _offence(self, offender) -> str:
        options = [
            option for need, cats in OFFENCES_BY_NEED.items() if need in offender.needs for option in cats
        ]
        if options and self.rng.random() < 0.6:
            return self.rng.choice(options)
        return _pick(self.rng, GENERAL_OFFENCES)

    def _build_events(self) -> None:
        rng = self.rng
        probation_user = self.staff["probation"][0]
        for person in self.persons:
            offender = person.offender
            first = person.first_contact
            # Before: the offending history that brought them into the IOM cohort.
            for _ in range(rng.randint(2, 5)):
                day = first - timedelta(days=rng.randint(60, 1100))
                category = self._offence(offender)
                roll = rng.random()
                if roll < 0.55:
                    self._event(offender, EK.ARREST, day, category)
                    self._event(offender, EK.CHARGE, day + timedelta(days=rng.randint(0, 1)), category)
                    convicted = day + timedelta(days=rng.randint(30, 150))
                    if convicted < first - timedelta(days=14):
                        self._event(offender, EK.CONVICTION, convicted, category)
                elif roll < 0.8:
                    self._event(offender, EK.ARREST, day, category, "Arrested; no further action.")
                else:
                    self._event(offender, EK.CAUTION, day, category)
            if offender.licence_starts_on and rng.random() < 0.3:
                day = first - timedelta(days=rng.randint(3, 30))
                if day >= offender.licence_starts_on:
                    self._event(
                        offender,
                        EK.LICENCE_WARNING,
                        day,
                        notes="Formal warning: failure to reside where directed.",
                        by=probation_user,
                    )
            for stay in person.stays:
                self._stay_events(stay, offender, probation_user)

    def _stay_events(self, stay: Stay, offender, probation_user) -> None:
        rng = self.rng
        start = stay.starts_on
        if stay.status == S.NOT_ARRIVED:
            self._event(
                offender,
                EK.LICENCE_BREACH,
                start + timedelta(days=1),
                notes="Failed to reside at the approved address.",
                by=probation_user,
            )
            self._event(
                offender,
                EK.RECALL,
                start + timedelta(days=4),
                notes="Recalled to custody after failing to arrive.",
                by=probation_user,
            )
            self._release(offender, start + timedelta(days=4))
            return
        if stay.status == S.ACTIVE:
            if rng.random() < 0.35:
                day = start + timedelta(days=rng.randint(3, max(3, (self.today - start).days - 1)))
                self._event(
                    offender,
                    EK.LICENCE_WARNING,
                    day,
                    notes="Warning: missed a probation appointment.",
                    by=probation_user,
                )
            return
        if stay.status != S.ENDED:
            return
        departed, reason = stay.departed_on, stay.reason
        during = max(start, departed - timedelta(days=rng.randint(1, 6)))
        if reason == R.RECALLED:
            self._event(
                offender,
                EK.LICENCE_BREACH,
                during,
                notes="Missed appointments and a positive test for cocaine.",
                by=probation_user,
            )
            self._event(
                offender,
                EK.RECALL,
                departed,
                notes="Recalled to custody (standard recall).",
                by=probation_user,
            )
            self._release(offender, departed)
        elif reason == R.ARRESTED:
            category = self._offence(offender)
            self._event(
                offender, EK.ARREST, departed - timedelta(days=1) if departed > start else departed, category
            )
            self._event(offender, EK.CHARGE, departed, category, "Charged and remanded in custody.")
            self._event(offender, EK.CONVICTION, departed + timedelta(days=rng.randint(40, 120)), category)
            self._release(offender, departed, (60, 300))
        elif reason == R.EVICTION:
            self._event(
                offender,
                EK.LICENCE_WARNING,
                start + timedelta(days=(departed - start).days // 2),
                notes="Warning: visitors at the flat against the licence to occupy.",
                by=probation_user,
            )
            if rng.random() < 0.5:
                self._event(
                    offender,
                    EK.ARREST,
                    during,
                    _pick(rng, [(OffenceCategory.CRIMINAL_DAMAGE, 1), (OffenceCategory.PUBLIC_ORDER, 1)]),
                )
        elif reason == R.ABANDONED:
            self._event(
                offender,
                EK.LICENCE_BREACH,
                departed + timedelta(days=rng.randint(1, 3)),
                notes="Failed to reside at the approved address.",
                by=probation_user,
            )
            if rng.random() < 0.5:
                self._event(
                    offender,
                    EK.RECALL,
                    departed + timedelta(days=rng.randint(7, 20)),
                    notes="Recalled to custody: whereabouts unknown.",
                    by=probation_user,
                )
                self._release(offender, departed + timedelta(days=20))
        else:
            roll = rng.random()
            if roll < 0.3:
                self._event(
                    offender, EK.LICENCE_WARNING, during, notes="Warning: late for curfew.", by=probation_user
                )
            elif roll < 0.4:
                self._event(
                    offender,
                    EK.ARREST,
                    during,
                    OffenceCategory.THEFT,
                    "Arrested for shoplifting; released under investigation.",
                )
        # After: reoffending in the months after leaving.
        if stay.destination == D.CUSTODY:
            return
        room = (self.today - departed).days - 1
        if room < 20:
            return
        chance = 0.1 if stay.destination in SETTLED else 0.45
        if rng.random() < chance:
            day = departed + timedelta(days=rng.randint(10, min(room, 300)))
            category = self._offence(offender)
            self._event(offender, EK.ARREST, day, category)
            if rng.random() < 0.5:
                self._event(offender, EK.CHARGE, day + timedelta(days=1), category)

    # ---- the rest -------------------------------------------------------------------------

    def _build_exclusion(self) -> None:
        aberystwyth = self.properties[0]
        for person in self.persons:
            if (
                person.stays
                and all(stay.spec.key != "aber" for stay in person.stays)
                and person.gender == Gender.MALE
            ):
                self.exclusions.append(
                    PropertyExclusion(
                        property=aberystwyth,
                        offender=person.offender,
                        reason="The victim of the index offence lives in Aberystwyth.",
                        created_by=self.officer,
                    )
                )
                return

    def _build_money(self) -> None:
        self.funding = [
            Funding(
                name="IOM housing pilot: initial investment",
                funder="Police and Crime Commissioner for Dyfed-Powys",
                kind=Funding.Kind.GRANT,
                amount=Decimal("11000.00"),
                starts_on=self.start,
                notes="Set-up and first-year running costs of the self-contained units.",
            ),
            Funding(
                name="Support worker: match funding",
                funder="Probation Service — Wales",
                kind=Funding.Kind.MATCH,
                amount=Decimal("14000.00"),
                starts_on=self.start + timedelta(days=90),
                ends_on=self.start + timedelta(days=90 + 364),
                notes="Match funding for a support worker for the pilot year.",
            ),
        ]
        self.unit_costs = demo_unit_costs()

    # ---- saving ---------------------------------------------------------------------------

    def _build_licence(self) -> None:
        """Each term's agreement (most signed on the day it starts, a few refused), a few people's
        own conditions, warnings under the licence, and one active stay under notice for a breach.
        Last of the steps, with a random generator of its own, so the rest of the demo is as before."""
        rng = random.Random(DEMO_SEED + 17)  # noqa: S311 - not for security: the same demo every run
        wording = self.wording = licence_wording_current()
        conditions = wording.condition_list
        for stay in self.stays:
            placement = stay.placement
            terms = [t for t in self.terms if t.placement is placement]
            for term in terms:
                issued_on = min(term.starts_on - timedelta(days=1 if term.number > 1 else 0), self.today)
                started = stay.status in (S.ACTIVE, S.ENDED) and term.starts_on <= self.today
                status, responded_on = LicenceAgreement.Status.ISSUED, None
                if started and rng.random() < 0.93:
                    status = LicenceAgreement.Status.SIGNED
                    responded_on = max(issued_on, min(term.starts_on, self.today))
                elif started and rng.random() < 0.5:
                    status = LicenceAgreement.Status.REFUSED
                    responded_on = max(issued_on, min(term.starts_on, self.today))
                self.agreements.append(
                    LicenceAgreement(
                        term=term,
                        wording=wording,
                        status=status,
                        issued_at=_at(issued_on, 10),
                        issued_on=issued_on,
                        responded_on=responded_on,
                        recorded_by=self.officer if responded_on else None,
                    )
                )
        stays = [s for s in self.stays if s.status in (S.ACTIVE, S.ENDED)]
        for index, stay in enumerate(stays):
            if index % 4 == 1:
                self.conditions.append(
                    PersonCondition(
                        placement=stay.placement,
                        text=PERSON_CONDITIONS[index % len(PERSON_CONDITIONS)],
                        added_at=_at(stay.starts_on, 9),
                        added_by=self.officer,
                    )
                )
        # Warnings: in about a third of the stays, on days while the person was there.
        for index, stay in enumerate(stays):
            last_day = min(stay.departed_on or self.today, self.today)
            nights = (last_day - stay.starts_on).days
            if index % 3 != 0 or nights < 6:
                continue
            levels = [LicenceWarning.Level.VERBAL, LicenceWarning.Level.WRITTEN, LicenceWarning.Level.FINAL]
            count = 1 + (stay.reason == R.EVICTION) * 2 + (rng.random() < 0.3)
            days_in = sorted(rng.sample(range(1, nights), min(count, 3, nights - 1)))
            for level, day_in in zip(levels, days_in, strict=False):
                condition, what = rng.choice(WARNING_STORIES)
                self.warnings.append(
                    LicenceWarning(
                        placement=stay.placement,
                        level=level,
                        condition=conditions[condition] if condition < len(conditions) else conditions[0],
                        what_happened=what,
                        issued_on=stay.starts_on + timedelta(days=day_in),
                        issued_by=self.officer,
                    )
                )
        # Stays evicted for a breach ended at once; one active stay is under notice now.
        for stay in stays:
            warnings = [w for w in self.warnings if w.placement is stay.placement]
            if stay.status == S.ENDED and stay.reason == R.EVICTION:
                ending = LicenceBreachEnding(
                    placement=stay.placement,
                    kind=LicenceBreachEnding.Kind.IMMEDIATE,
                    reason="Serious breach: threatened a support worker at the property.",
                    notice_on=stay.departed_on,
                    leave_by=stay.departed_on,
                    decided_by=self.officer,
                )
                self.breach_endings.append((ending, warnings))
        # The scripted stay ending soon: under notice its licence still ends within the week (the
        # demo keeps one stay running beyond it, and the overrun).
        active = [
            s
            for s in stays
            if s.status == S.ACTIVE and s.scenario == "ending_soon" and (self.today - s.starts_on).days >= 5
        ]
        if active:
            stay = active[0]
            placement = stay.placement
            notice_on = self.today - timedelta(days=2)
            leave_by = notice_on + timedelta(days=wording.notice_days)
            own = [w for w in self.warnings if w.placement is placement]
            if not own:
                own = [
                    LicenceWarning(
                        placement=placement,
                        level=LicenceWarning.Level.FINAL,
                        condition=conditions[min(3, len(conditions) - 1)],
                        what_happened="Neighbours reported shouting and a smashed window at 01:30; "
                        "second incident this month after a written warning.",
                        issued_on=notice_on - timedelta(days=2),
                        issued_by=self.officer,
                    )
                ]
                self.warnings += own
            self.breach_endings.append(
                (
                    LicenceBreachEnding(
                        placement=placement,
                        kind=LicenceBreachEnding.Kind.NOTICE,
                        reason="Repeated nuisance to neighbours after a final warning.",
                        notice_on=notice_on,
                        leave_by=leave_by,
                        decided_by=self.officer,
                    ),
                    own,
                )
            )
            # The notice cuts the licence (placements.services_licence._shorten_licence).
            if leave_by < placement.ends_on:
                kept = [t for t in self.terms if t.placement is placement and t.starts_on < leave_by]
                dropped = [t for t in self.terms if t.placement is placement and t.starts_on >= leave_by]
                for term in kept:
                    term.ends_on = min(term.ends_on, leave_by)
                self.terms = [t for t in self.terms if t not in dropped]
                self.agreements = [a for a in self.agreements if a.term not in dropped]
                placement.ends_on = leave_by
                placement.free_from = free_from(leave_by, TURNAROUND_DAYS)

    # ---- move-on plans ------------------------------------------------------------------------

    # The steps that led to each destination (kind, owner's agency code, whether it worked).
    MOVE_ON_STEPS = {
        "social_rent": [("housing_register", "care-society", True), ("wales_s73", "probation", True)],
        "private_rent": [("private_rented", "care-society", True), ("bank_account", "police", True)],
        "supported_long_term": [("supported_housing", "probation", True), ("benefits", "care-society", True)],
        "family": [("other", "probation", True)],
        "temporary": [("wales_s73", "probation", False), ("housing_register", "care-society", None)],
        "no_fixed_abode": [("wales_s66", "probation", False), ("birth_certificate", "police", None)],
    }
    # For those in residence now: the plan so far (kind, owner, days after arrival it is due, status).
    CURRENT_STEPS = [
        ("housing_register", "care-society", 10, "done"),
        ("wales_s62", "probation", 14, "in_progress"),
        ("bank_account", "police", 21, "not_started"),
        ("birth_certificate", "police", 7, "in_progress"),
        ("private_rented", "care-society", 35, "not_started"),
    ]

    def _build_move_on(self) -> None:
        """A move-on plan for every stay that began: finished plans for those who left (the steps
        to where they went), and plans under way for those in residence, some actions overdue and
        some planned move-out dates set. A generator of its own, so the rest of the demo is as it was."""
        rng = random.Random(DEMO_SEED + 17)  # noqa: S311
        council = known_area(CEREDIGION)  # the county council's area
        for stay in sorted(self.stays, key=lambda s: (s.starts_on, s.bedspace.label)):
            if stay.status not in (S.ACTIVE, S.ENDED):
                continue
            codes = self.support_codes.get(id(stay), ["police"])
            arrived = stay.starts_on
            plan = MoveOnPlan(
                placement=stay.placement, target_on=arrived + timedelta(days=56), created_by=self.officer
            )
            steps = []
            if stay.status == S.ENDED:
                left = stay.departed_on
                for kind, code, worked in self.MOVE_ON_STEPS.get(stay.destination, []):
                    opened = min(arrived + timedelta(days=rng.randint(1, 7)), left)
                    outcome_on = max(opened, left - timedelta(days=rng.randint(0, 10)))
                    if worked is None:
                        status, result = "not_needed", ""
                    else:
                        status, result = "done", "successful" if worked else "unsuccessful"
                    steps.append(
                        (kind, code, opened, opened + timedelta(days=14), status, outcome_on, result)
                    )
            else:
                days_in = (self.today - arrived).days
                if days_in >= 14 and rng.random() < 0.5:
                    plan.planned_move_out_on = self.today + timedelta(days=rng.randint(3, 24))
                for kind, code, due_after, status in self.CURRENT_STEPS[: 2 + rng.randint(0, 3)]:
                    opened = min(arrived + timedelta(days=1), self.today)
                    due = arrived + timedelta(days=due_after)
                    outcome_on = None
                    result = ""
                    if status == "done" and due <= self.today:
                        outcome_on, result = max(opened, min(due, self.today)), "successful"
                    elif status == "done":
                        status = "in_progress"
                    steps.append((kind, code, opened, due, status, outcome_on, result))
            if not steps:
                continue
            self.move_on_plans.append(plan)
            for kind, code, opened, due, status, outcome_on, result in steps:
                owner = None if code == "police" or code not in codes else self.agencies[code]
                named = self.staff.get(code or "police") or [None]
                self.move_on_actions.append(
                    MoveOnAction(
                        plan=plan,
                        kind=kind,
                        details="Move in with their sister, who has a spare room" if kind == "other" else "",
                        local_authority=council if kind.startswith("wales_") else None,
                        applied_on=opened
                        if kind.startswith("wales_") or kind == "housing_register"
                        else None,
                        owner_agency=owner,
                        owner_user=named[0] if owner is not None else self.officer,
                        opened_on=opened,
                        due_on=due,
                        status=status,
                        outcome_on=outcome_on,
                        result=result,
                        outcome="Relief duty owed" if kind == "wales_s73" and result == "successful" else "",
                        created_by=self.officer,
                    )
                )

    def _referral_history(self) -> list[ReferralEvent]:
        """The API's events feed as the services would have written it, oldest first."""
        kind = ReferralEvent.Kind
        history = []
        for referral in self.referrals:
            history.append((referral.submitted_at, referral.pk, kind.SUBMITTED, {"status": "submitted"}))
            if referral.status in Referral.DECIDED_STATUSES:
                data = {"status": referral.status}
                if referral.decline_reason:
                    data["decline_reason"] = referral.decline_reason
                history.append((referral.decided_at, referral.pk, referral.status, data))
        decided_at = {referral.pk: referral.decided_at for referral in self.referrals}
        renewals = {}
        for term in self.terms:
            if term.number > 1:
                renewals.setdefault(term.placement.pk, []).append(term)
        for placement in self.placements:
            if placement.referral_id is None:
                continue
            data = {"placement_id": str(placement.public_id)}
            steps = [(decided_at[placement.referral_id] + timedelta(minutes=30), kind.PLACED)]
            if placement.arrived_on:
                steps.append((_at(placement.arrived_on, 14), kind.ARRIVED))
            steps += [
                (_at(term.starts_on - timedelta(days=1), 10), kind.RENEWED)
                for term in renewals.get(placement.pk, [])
            ]
            if placement.departed_on:
                steps.append((_at(placement.departed_on, 11), kind.DEPARTED))
            if placement.status in Placement.RELEASED_STATUSES:
                steps.append((_at(placement.starts_on, 17), placement.status))
            history += [(when, placement.referral_id, step, data) for when, step in steps]
        history.sort(key=lambda event: (event[0], event[1]))
        return [
            ReferralEvent(referral_id=referral_id, kind=step, occurred_at=when, data=data)
            for when, referral_id, step, data in history
        ]

    def save(self) -> None:
        Property.objects.bulk_create(self.properties)
        Bedspace.objects.bulk_create([bedspace for bedspace, _ in self.bedspaces])
        VoidPeriod.objects.bulk_create(self.voids)
        Offender.objects.bulk_create(self.offenders)
        Officers = Offender.responsible_officers.through
        Officers.objects.bulk_create(
            [Officers(offender_id=o.pk, user_id=u.pk) for o, u in self.officer_links]
        )
        PropertyExclusion.objects.bulk_create(self.exclusions)
        Referral.objects.bulk_create(self.referrals)
        with _as_given(Placement, "created_at"):  # when each was booked, not the day of the seed
            Placement.objects.bulk_create(self.placements)
        LicenceTerm.objects.bulk_create(self.terms)
        SupportPlan.objects.bulk_create(self.plans)
        SupportAgency.objects.bulk_create(self.plan_agencies)
        HomeVisit.objects.bulk_create(self.visits, batch_size=500)
        Joint = HomeVisit.other_agencies.through
        Joint.objects.bulk_create(
            [
                Joint(homevisit_id=visit.pk, agency_id=agency.pk)
                for visit, agencies in self.joint
                for agency in agencies
            ]
        )
        OffenderEvent.objects.bulk_create(self.events, batch_size=500)
        ReferralEvent.objects.bulk_create(self._referral_history(), batch_size=500)
        Funding.objects.bulk_create(self.funding)
        UnitCost.objects.bulk_create(self.unit_costs)
        LicenceAgreement.objects.bulk_create(self.agreements, batch_size=500)
        PersonCondition.objects.bulk_create(self.conditions)
        LicenceWarning.objects.bulk_create(self.warnings)
        LicenceBreachEnding.objects.bulk_create([ending for ending, _ in self.breach_endings])
        Followed = LicenceBreachEnding.warnings.through
        Followed.objects.bulk_create(
            [
                Followed(licencebreachending_id=ending.pk, licencewarning_id=warning.pk)
                for ending, warnings in self.breach_endings
                for warning in warnings
            ]
        )
        self._save_aftercare()
        self._save_case_files()

    # ---- case notes and documents -------------------------------------------------------------

    # A signed licence agreement, as the scanner makes it: a PDF of a page (here a blank one).
    DEMO_PDF = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )

    def _save_case_files(self) -> None:
        """For each current stay that probation supports: a note by its probation practitioner
        and one by the IOM officer, a few days apart, and the signed licence agreement, through
        the services; then dated back to when they would have been written."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from casefiles import services as casefiles
        from casefiles.models import CaseNote, Document

        practitioner = self.staff["probation"][0]
        supported = (
            SupportAgency.objects.filter(
                agency__code="probation", support_plan__placement__status=Placement.Status.ACTIVE
            )
            .select_related("support_plan__placement")
            .order_by("support_plan__placement__starts_on", "pk")
        )
        for index, support in enumerate(supported):
            placement = support.support_plan.placement
            arrived = placement.arrived_on or placement.starts_on
            written = [
                (
                    practitioner,
                    arrived + timedelta(days=2),
                    "Settling in. Registered with the GP in town; wants help with a bus pass for appointments.",
                ),
                (
                    self.officer,
                    arrived + timedelta(days=9),
                    "Spoke with the landlord's agent: no issues with the other residents. Curfew kept.",
                ),
            ]
            for author, on, text in written[: 1 + index % 2]:
                note = casefiles.note_add(offender_id=placement.offender_id, text=text, by=author)
                on = min(on, self.today - timedelta(days=1))  # never later than the demo's "now"
                CaseNote.objects.filter(pk=note.pk).update(created_at=_at(on, 15, 30))
            document = casefiles.document_add(
                offender_id=placement.offender_id,
                placement_id=placement.pk,
                kind=Document.Kind.LICENCE_AGREEMENT,
                title="Signed licence to occupy",
                upload=SimpleUploadedFile("licence.pdf", self.DEMO_PDF),
                by=self.officer,
            )
            Document.objects.filter(pk=document.pk).update(uploaded_at=_at(placement.starts_on, 11))

    # ---- after a stay: the rent deposit scheme and follow-ups -----------------------------

    def _save_aftercare(self) -> None:
        """A rent deposit fund with landlords, deposits and bonds for the stays that moved on to
        private rent (most ended tenancies with their outcome), and the follow-up checks of every
        ended stay, recorded but for those due in the last three weeks and a few others (so their alerts show after
        `run_sweeps`). Written through the services, as an officer would."""
        from aftercare import services as aftercare

        fund = aftercare.fund_create(
            name="Ceredigion rent deposit scheme",
            starting_amount="2000.00",
            starts_on=self.start,
            by=self.officer,
            notes="Deposits and bond guarantees for private rented rooms, with NACRO (one-year pilot).",
        )
        aftercare.fund_top_up(
            fund_id=fund.pk,
            amount="500.00",
            received_on=self.start + timedelta(days=180),
            by=self.officer,
            source="Police and Crime Commissioner: mid-year top-up",
        )
        landlords = [
            aftercare.landlord_add(
                name=name,
                contact_name=contact,
                phone=phone,
                by=self.officer,
                properties=[{"address_line_1": line, "town": town, "postcode": postcode}],
            )
            for name, contact, phone, line, town, postcode in [
                (
                    "Cardigan Bay Lettings",
                    "Elin Morgan",
                    "01239 610000",
                    "Flat 2, 14 Pendre",
                    "Cardigan",
                    "SA43 1JL",
                ),
                ("Teifi Homes", "Gareth Price", "01570 420000", "3 Bridge Street", "Lampeter", "SA48 7HG"),
                (
                    "Mr D. Jenkins",
                    "Dafydd Jenkins",
                    "07700 900123",
                    "Room 1, 27 North Parade",
                    "Aberystwyth",
                    "SY23 2JN",
                ),
                (
                    "Aeron Property Co.",
                    "Nia Thomas",
                    "01545 570000",
                    "9 Market Street",
                    "Aberaeron",
                    "SA46 0AS",
                ),
            ]
        ]
        ended = sorted(
            (p for p in self.placements if p.status == Placement.Status.ENDED and p.departed_on),
            key=lambda p: p.departed_on,
        )
        outcomes = ["returned", "part_claimed", "returned", "written_off", "returned"]
        rented = (Destination.PRIVATE_RENT, Destination.SOCIAL_RENT, Destination.SUPPORTED_LONG_TERM)
        for index, placement in enumerate(p for p in ended if p.destination in rented):
            lord = landlords[index % len(landlords)]
            home = lord.properties.first()
            kind = "bond" if index % 4 == 3 else "cash"
            amount = Decimal(self.rng.choice([350, 400, 450, 500, 550]))
            paid_on = max(self.start, placement.departed_on - timedelta(days=3))
            try:
                deposit = aftercare.deposit_pay(
                    fund_id=fund.pk,
                    placement_id=placement.pk,
                    landlord_id=lord.pk,
                    kind=kind,
                    amount=amount,
                    paid_on=paid_on,
                    address_line_1=home.address_line_1,
                    town=home.town,
                    postcode=home.postcode,
                    by=self.officer,
                )
            except ValidationError:
                continue  # the fund had run out that day
            ended_on = paid_on + timedelta(days=self.rng.randint(90, 150))
            if ended_on >= self.today:
                continue  # the tenancy is still running
            if kind == "bond":
                claimed = index % 8 == 7
                aftercare.deposit_return(
                    deposit_id=deposit.pk,
                    outcome="bond_claimed" if claimed else "bond_released",
                    claimed_amount=Decimal("120.00") if claimed else None,
                    claim_reason="arrears" if claimed else "",
                    tenancy_ended_on=ended_on,
                    by=self.officer,
                )
                continue
            outcome = outcomes[index % len(outcomes)]
            aftercare.deposit_return(
                deposit_id=deposit.pk,
                outcome=outcome,
                returned_amount=amount - Decimal("150.00") if outcome == "part_claimed" else None,
                claim_reason="damage" if outcome == "part_claimed" else "",
                tenancy_ended_on=ended_on,
                by=self.officer,
                notes="Checked out with the landlord; keys returned." if outcome == "returned" else "",
            )
        aftercare.follow_ups_schedule(placement_ids=[p.pk for p in ended])
        answers = [
            ("same", "", "yes"),
            ("same", "", "yes"),
            ("moved", Destination.FAMILY, "yes"),
            ("same", "", "no"),
            ("custody", "", "unknown"),
            ("not_known", "", "unknown"),
            ("moved", Destination.TEMPORARY, "yes"),
        ]
        from aftercare.models import FollowUpCheck

        due = FollowUpCheck.objects.filter(due_on__lt=self.today - timedelta(days=21)).order_by(
            "due_on", "pk"
        )
        for index, check in enumerate(due):
            if index % 6 == 5:
                continue  # not reached yet: its alert asks for it
            accommodation, moved_to, engaging = answers[index % len(answers)]
            aftercare.follow_up_record(
                check_id=check.pk,
                accommodation=accommodation,
                moved_to=moved_to,
                engaging=engaging,
                by=self.officer,
                notes="Spoke by phone." if index % 3 == 0 else "",
            )
        MoveOnPlan.objects.bulk_create(self.move_on_plans)
        MoveOnAction.objects.bulk_create(self.move_on_actions)


@contextmanager
def _as_given(model: type[models.Model], name: str) -> Iterator[None]:
    """Save an `auto_now_add` time as the demo sets it (a booking made months ago), not as now."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.DateTimeField) and field.auto_now_add
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


# --------------------------------------------------------------------------------------------
# Entry point for the command
# --------------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    created: bool
    logins: list[tuple[StaffSpec, object]]
    api_client: ApiClient | None = None


DEMO_API_CLIENT_ID = "demo-probation"


def ensure_api_client(agencies: dict[str, Agency], password: str) -> ApiClient:
    """The probation service's case system, with every scope; its secret is the demo password."""
    api_client, _secret = api_client_register(
        agency=agencies["probation"],
        name="Probation case system (demo)",
        scopes=list(settings.API_SCOPES),
        client_id=DEMO_API_CLIENT_ID,
        secret=password,
    )
    return api_client


def ensure_agencies() -> dict[str, Agency]:
    agencies = {}
    for spec in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "email": f"{spec.code}@example.org",
                "phone": spec.phone,
            },
        )
        agencies[spec.code] = agency
    return agencies


def ensure_logins(agencies: dict[str, Agency], password: str) -> list[tuple[StaffSpec, object]]:
    """The demo logins, with the password set every time so a changed DEMO_PASSWORD takes effect."""
    User = get_user_model()
    logins = []
    for spec in LOGINS:
        user, _ = User.objects.get_or_create(username=spec.username)
        user.first_name, user.last_name = spec.first_name, spec.last_name
        user.email = f"{spec.username}@example.org"
        user.is_active = True
        user.is_staff = spec.role == Role.SCHEME_MANAGER
        user.set_password(password)
        user.save()
        StaffMembership.objects.update_or_create(
            user=user,
            defaults={
                "agency": agencies[spec.agency],
                "role": spec.role,
                "job_title": spec.job_title,
                "preferred_language": spec.language,
                "active": True,
            },
        )
        logins.append((spec, user))
    return logins


def ensure_staff(agencies: dict[str, Agency], logins) -> dict[str, list]:
    """Colleagues in each agency who record visits; the agency's demo login comes first."""
    User = get_user_model()
    staff: dict[str, list] = {spec.code: [] for spec in AGENCIES}
    for spec, user in logins:
        if spec.role in (Role.IOM_OFFICER, Role.AGENCY_WORKER) and spec.records_work:
            staff[spec.agency].append(user)
    for spec in STAFF:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": f"{spec.username}@example.org",
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        StaffMembership.objects.get_or_create(
            user=user,
            defaults={"agency": agencies[spec.agency], "role": spec.role, "job_title": spec.job_title},
        )
        staff[spec.agency].append(user)
    return staff


def demo_data_present() -> bool:
    return (
        Agency.objects.filter(code="police").exists()
        and Property.objects.filter(name=MARKER_PROPERTY).exists()
    )


def seed(*, today: date, password: str) -> SeedResult:
    """Create the demo scheme (unless it is already there) and (re)set the demo logins."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK_KEY])
        present = demo_data_present()
        agencies = ensure_agencies()
        logins = ensure_logins(agencies, password)
        api_client = ensure_api_client(agencies, password)
        if present:
            return SeedResult(created=False, logins=logins, api_client=api_client)
        staff = ensure_staff(agencies, logins)
        builder = DemoBuilder(today=today, agencies=agencies, staff=staff).build()
        builder.save()
        return SeedResult(created=True, logins=logins, api_client=api_client)
