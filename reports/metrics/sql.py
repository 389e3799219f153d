"""The raw SQL's vocabulary: the models' tables (named from `_meta.db_table`, never typed), the
model choices it filters on (passed as parameters, never retyped), the local time zone, and
running a query into dicts."""

from django.db import connection

from agencies.models import Agency, HomeVisit
from placements.models import (
    Bedspace,
    DepartureReason,
    LicenceTerm,
    LocalAuthority,
    Placement,
    Property,
    SupportAgency,
    SupportPlan,
    VoidPeriod,
)
from referrals.models import Ethnicity, EthnicityGroup, Offender, OffenderEvent, Referral
from reports.models import Funding


def db_table(model) -> str:
    """The model's table, quoted, as raw SQL names it."""
    return connection.ops.quote_name(model._meta.db_table)


AGENCY = db_table(Agency)
BEDSPACE = db_table(Bedspace)
FUNDING = db_table(Funding)
HOME_VISIT = db_table(HomeVisit)
HOME_VISIT_OTHER_AGENCIES = db_table(HomeVisit.other_agencies.through)  # a joint visit's other agencies
LICENCE_TERM = db_table(LicenceTerm)
LOCAL_AUTHORITY = db_table(LocalAuthority)
OFFENDER = db_table(Offender)
OFFENDER_EVENT = db_table(OffenderEvent)
PLACEMENT = db_table(Placement)
PROPERTY = db_table(Property)
REFERRAL = db_table(Referral)
SUPPORT_AGENCY = db_table(SupportAgency)
SUPPORT_PLAN = db_table(SupportPlan)
VOID_PERIOD = db_table(VoidPeriod)

LOCAL_ZONE = "Europe/London"  # a visit's day is its date in this zone

# A stay is a placement the person arrived at.
STAY_STATUSES = (Placement.Status.ACTIVE, Placement.Status.ENDED)
# Offences are counted where they enter the record: an arrest, or a caution given without one.
# Charges and convictions follow an arrest and would count the same offence again.
OFFENCE_KINDS = (OffenderEvent.Kind.ARREST, OffenderEvent.Kind.CAUTION)
LICENCE_EVENT_KINDS = (
    OffenderEvent.Kind.LICENCE_WARNING,
    OffenderEvent.Kind.LICENCE_BREACH,
    OffenderEvent.Kind.RECALL,
)

# The choices the SQL compares with, as parameters (`%(name)s`; a list is an array for `= ANY(…)`).
CHOICE_PARAMS = {
    "stay_statuses": list(STAY_STATUSES),
    "offence_kinds": list(OFFENCE_KINDS),
    "event_kinds": [*OFFENCE_KINDS, *LICENCE_EVENT_KINDS],
    "offence_or_recall_kinds": [*OFFENCE_KINDS, OffenderEvent.Kind.RECALL],
    "arrest": OffenderEvent.Kind.ARREST,
    "recall": OffenderEvent.Kind.RECALL,
    "visit_cancelled": HomeVisit.Outcome.CANCELLED,
    "referral_declined": Referral.Status.DECLINED,
    "referral_decided": [Referral.Status.ACCEPTED, Referral.Status.DECLINED],
    "ethnicity_not_stated": Ethnicity.NOT_STATED,
    "ethnicity_group_not_stated": EthnicityGroup.NOT_STATED,
    "transferred": DepartureReason.TRANSFERRED,
}


def nights_of(range_sql: str) -> str:
    """Nights in a daterange expression (0 when empty)."""
    return f"COALESCE(upper({range_sql}) - lower({range_sql}), 0)"


def sql_rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def sql_one(sql: str, params: dict) -> dict:
    return sql_rows(sql, params)[0]
