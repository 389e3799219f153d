"""factory-boy factories for every model. They write rows directly (no services), so tests of the
database's own rules can build any state, including invalid ones."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, HomeVisit, StaffMembership
from alerts.models import Alert
from iom_housing.access import Role
from moveon.models import MoveOnAction, MoveOnPlan
from placements.areas import CEREDIGION, known_area
from placements.models import (
    Bedspace,
    LicenceTerm,
    Placement,
    Property,
    PropertyExclusion,
    SupportAgency,
    SupportPlan,
    VoidPeriod,
)
from referrals.models import Ethnicity, Gender, Need, OffenceCategory, Offender, OffenderEvent, Referral
from reports.models import Funding, ReportExport, UnitCost


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("a-long-test-password")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    code = factory.Sequence(lambda n: f"agency-{n}")
    kind = Agency.Kind.PROBATION


class StaffMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.IOM_OFFICER


class OffenderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offender

    first_name = factory.Faker("first_name_male", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Sequence(lambda n: date(1980, 1, 1) + timedelta(days=37 * n))
    gender = Gender.MALE
    ethnicity = Ethnicity.WHITE_BRITISH
    pnc_id = factory.Sequence(lambda n: f"2010/{n:07d}A")
    crn = factory.Sequence(lambda n: f"X{n:06d}")
    iom_category = Offender.IomCategory.FIXED
    risk_of_serious_harm = Offender.RiskOfSeriousHarm.MEDIUM
    needs = factory.LazyFunction(lambda: [Need.ACCOMMODATION, Need.DRUGS])


class OffenderEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenderEvent

    offender = factory.SubFactory(OffenderFactory)
    kind = OffenderEvent.Kind.ARREST
    occurred_on = factory.LazyFunction(timezone.localdate)
    offence_category = OffenceCategory.THEFT


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral

    offender = factory.SubFactory(OffenderFactory)
    referring_agency = factory.SubFactory(AgencyFactory)
    external_ref = factory.Sequence(lambda n: f"REF-{n:05d}")
    status = Referral.Status.SUBMITTED
    urgency = Referral.Urgency.ROUTINE
    submitted_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyAttribute(
        lambda r: (
            r.submitted_at if r.status not in (Referral.Status.SUBMITTED, Referral.Status.IN_REVIEW) else None
        )
    )
    reason = "Released on licence with no fixed abode."


class PropertyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Property

    name = factory.Sequence(lambda n: f"Property {n}")
    address_line_1 = factory.Sequence(lambda n: f"{n} High Street")
    town = "Aberystwyth"
    postcode = "SY23 1AA"
    local_authority = factory.LazyFunction(lambda: known_area(CEREDIGION))
    provider = "Tai Ceredigion"

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # An area may be given by its code or English name: PropertyFactory(local_authority="Powys").
        if isinstance(kwargs.get("local_authority"), str):
            kwargs["local_authority"] = known_area(kwargs["local_authority"])
        return kwargs

    weekly_cost = Decimal("150.00")
    turnaround_days = 2


class BedspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bedspace

    property = factory.SubFactory(PropertyFactory)
    label = factory.Sequence(lambda n: f"Flat {n}")


class PropertyExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyExclusion

    property = factory.SubFactory(PropertyFactory)
    offender = factory.SubFactory(OffenderFactory)
    reason = "Near a victim's home."


class VoidPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoidPeriod

    bedspace = factory.SubFactory(BedspaceFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda v: v.starts_on + timedelta(days=7))
    reason = VoidPeriod.Reason.REPAIRS


class PlacementFactory(factory.django.DjangoModelFactory):
    """A placement with its stored dates; add terms with LicenceTermFactory (or `with_term=True`)."""

    class Meta:
        model = Placement
        skip_postgeneration_save = True

    offender = factory.SubFactory(OffenderFactory)
    bedspace = factory.SubFactory(BedspaceFactory)
    status = Placement.Status.CONFIRMED
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda p: p.starts_on + timedelta(days=28))
    free_from = factory.LazyAttribute(lambda p: p.ends_on)
    # "Other" says where (placement_other_destination_details).
    destination_details = factory.LazyAttribute(
        lambda p: "Staying with a friend" if getattr(p, "destination", "") == "other" else ""
    )

    @factory.post_generation
    def with_term(placement, create, extracted, **kwargs):
        if create and extracted:
            LicenceTermFactory(placement=placement, starts_on=placement.starts_on, ends_on=placement.ends_on)


class LicenceTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicenceTerm

    placement = factory.SubFactory(PlacementFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyAttribute(lambda t: t.placement.starts_on)
    ends_on = factory.LazyAttribute(lambda t: t.starts_on + timedelta(days=28))


class SupportPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportPlan

    placement = factory.SubFactory(PlacementFactory)
    tier = "t2"


class SupportAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportAgency

    support_plan = factory.SubFactory(SupportPlanFactory)
    agency = factory.SubFactory(AgencyFactory)
    visit_every_days = 7


class HomeVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeVisit

    placement = factory.SubFactory(
        PlacementFactory, status=Placement.Status.ACTIVE, arrived_on=factory.SelfAttribute("starts_on")
    )
    agency = factory.SubFactory(AgencyFactory)
    recorded_by = factory.SubFactory(UserFactory)
    visited_at = factory.LazyFunction(timezone.now)
    kind = HomeVisit.Kind.HOME
    staff_names = "PC Jones"
    outcome = HomeVisit.Outcome.SEEN
    engagement = HomeVisit.Engagement.GOOD
    support_hours = Decimal("1.5")


class MoveOnPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoveOnPlan

    placement = factory.SubFactory(
        PlacementFactory, status=Placement.Status.ACTIVE, arrived_on=factory.SelfAttribute("starts_on")
    )


class MoveOnActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MoveOnAction

    plan = factory.SubFactory(MoveOnPlanFactory)
    kind = MoveOnAction.Kind.HOUSING_REGISTER
    opened_on = factory.LazyFunction(timezone.localdate)
    due_on = factory.LazyAttribute(lambda a: a.opened_on + timedelta(days=14))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # The council's area by its code or English name: local_authority="Ceredigion".
        if isinstance(kwargs.get("local_authority"), str):
            kwargs["local_authority"] = known_area(kwargs["local_authority"])
        return kwargs


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    kind = Alert.Kind.LICENCE_ENDING
    status = Alert.Status.OPEN
    key = factory.Sequence(lambda n: f"licence_ending:placement:{n}")
    message = "Licence term ends in 5 days: renew or plan the move-on."
    acknowledged_at = factory.LazyAttribute(
        lambda a: timezone.now() if a.status == Alert.Status.ACKNOWLEDGED else None
    )


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funding

    name = "Initial investment"
    funder = "Police and Crime Commissioner"
    amount = Decimal("11000.00")
    starts_on = date(2026, 1, 1)


class UnitCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitCost

    key = factory.Sequence(lambda n: f"cost-{n}")
    name = "A night in custody"
    central = Decimal("130.00")
    low = factory.LazyAttribute(lambda u: u.central)
    high = factory.LazyAttribute(lambda u: u.central)
    unit = "night"
    source = "HMPPS annual report: costs per prison place"
    source_date = date(2025, 10, 1)


class ReportExportFactory(factory.django.DjangoModelFactory):
    """A report file made in the background; a ready one has its file written."""

    class Meta:
        model = ReportExport
        skip_postgeneration_save = True

    requested_by = factory.SubFactory(UserFactory)
    audience = "evaluation"  # free dates (the published version is for fixed periods)
    start = date(2026, 1, 1)
    end = date(2026, 6, 30)
    format = "csv"
    status = ReportExport.Status.READY
    progress = 100
    file_name = factory.Sequence(lambda n: f"test-{n}-report.zip")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))

    @factory.post_generation
    def write_file(export, create, extracted, **kwargs):
        if create and export.status == ReportExport.Status.READY:
            export.path.parent.mkdir(parents=True, exist_ok=True)
            export.path.write_bytes(b"PK test file")
