"""The database's own rules for properties, bedspaces, void periods, placements, licence terms and
support plans (alerts' rules: tests/alerts/test_constraints.py): rows written directly (no
services) that break a rule are refused, and the nearest rows that keep it are accepted.

Each refusal is matched on the constraint's name, so a test fails if some other rule does the refusing.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from placements.models import (
    Bedspace,
    DepartureReason,
    Destination,
    LicenceTerm,
    Placement,
    VoidPeriod,
)
from tests.factories import (
    AgencyFactory,
    BedspaceFactory,
    LicenceTermFactory,
    OffenderFactory,
    PlacementFactory,
    PropertyExclusionFactory,
    PropertyFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
    VoidPeriodFactory,
)
from tests.placements.helpers import status_fields

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
Status = Placement.Status
LIVE_STATUSES = [Status.PROVISIONAL, Status.CONFIRMED, Status.ACTIVE, Status.ENDED]
RELEASED_STATUSES = [Status.CANCELLED, Status.NOT_ARRIVED]


def days(n: int) -> timedelta:
    return timedelta(days=n)


def make_placement(*, starts_on=DAY, length=28, turnaround=0, status=Status.CONFIRMED, **fields) -> Placement:
    """A placement in `status` with the fields that status needs, over [starts_on, starts_on + length),
    its bedspace free `turnaround` days after it ends."""
    ends_on = starts_on + days(length)
    values = {"starts_on": starts_on, "ends_on": ends_on, "free_from": ends_on + days(turnaround)}
    return PlacementFactory(**(values | status_fields(status, starts_on, ends_on) | fields))


# --- Placements on one bedspace: [starts_on, free_from) of live placements never overlap ---------------


@pytest.mark.parametrize("new_status", LIVE_STATUSES)
@pytest.mark.parametrize("existing_status", LIVE_STATUSES)
def test_overlapping_live_placements_on_one_bedspace_are_refused(existing_status, new_status):
    existing = make_placement(status=existing_status)

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        make_placement(status=new_status, bedspace=existing.bedspace, starts_on=DAY + days(27))


def test_placement_inside_a_longer_one_on_the_bedspace_is_refused():
    existing = make_placement(length=28)

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        make_placement(bedspace=existing.bedspace, starts_on=DAY + days(7), length=7)


def test_placement_starting_on_the_previous_ones_free_from_day_is_allowed():
    previous = make_placement(turnaround=2)

    following = make_placement(bedspace=previous.bedspace, starts_on=previous.free_from)

    assert following.starts_on == previous.free_from


@pytest.mark.parametrize("into_turnaround", [0, 1], ids=["on-ends_on", "day-after-ends_on"])
def test_booking_starting_inside_the_previous_placements_turnaround_is_refused(into_turnaround):
    previous = make_placement(turnaround=2)

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        make_placement(bedspace=previous.bedspace, starts_on=previous.ends_on + days(into_turnaround))


def test_booking_whose_turnaround_runs_into_the_next_placement_is_refused():
    later = make_placement(starts_on=DAY + days(28))

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        make_placement(bedspace=later.bedspace, starts_on=DAY, length=28, turnaround=1)


@pytest.mark.parametrize("released_status", RELEASED_STATUSES)
def test_cancelled_or_not_arrived_placement_does_not_block_the_bedspace(released_status):
    released = make_placement(status=released_status)

    rebooked = make_placement(bedspace=released.bedspace, starts_on=DAY)

    assert Placement.objects.filter(bedspace=released.bedspace, starts_on=DAY).count() == 2
    assert rebooked.status == Status.CONFIRMED


def test_overlapping_placements_on_different_bedspaces_are_allowed():
    make_placement(bedspace=BedspaceFactory())
    make_placement(bedspace=BedspaceFactory())

    assert Placement.objects.filter(starts_on=DAY).count() == 2


def test_update_moving_a_placement_into_overlap_on_its_bedspace_is_refused():
    first = make_placement()
    second = make_placement(bedspace=first.bedspace, starts_on=first.free_from)

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        Placement.objects.filter(pk=second.pk).update(starts_on=first.free_from - days(1))


def test_update_extending_a_placement_over_the_next_booking_is_refused():
    first = make_placement()
    make_placement(bedspace=first.bedspace, starts_on=first.free_from)

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        Placement.objects.filter(pk=first.pk).update(
            ends_on=first.ends_on + days(7), free_from=first.free_from + days(7)
        )


def test_update_reinstating_a_cancelled_placement_into_overlap_is_refused():
    cancelled = make_placement(status=Status.CANCELLED)
    make_placement(bedspace=cancelled.bedspace)

    with pytest.raises(IntegrityError, match="placement_no_overlap_on_bedspace"), transaction.atomic():
        Placement.objects.filter(pk=cancelled.pk).update(status=Status.CONFIRMED)


# --- One person: [starts_on, ends_on) of their live placements never overlap ----------------------------


@pytest.mark.parametrize("new_status", LIVE_STATUSES)
@pytest.mark.parametrize("existing_status", LIVE_STATUSES)
def test_overlapping_live_placements_of_one_offender_are_refused(existing_status, new_status):
    existing = make_placement(status=existing_status)

    with pytest.raises(IntegrityError, match="placement_no_overlap_per_offender"), transaction.atomic():
        make_placement(status=new_status, offender=existing.offender, starts_on=DAY + days(27))


def test_move_to_another_bedspace_on_the_day_the_last_placement_ends_is_allowed():
    # The old bedspace's turnaround does not hold the person: only ends_on counts for them.
    moved_from = make_placement(status=Status.ENDED, turnaround=2)

    moved_to = make_placement(
        status=Status.ACTIVE, offender=moved_from.offender, starts_on=moved_from.ends_on
    )

    assert moved_to.bedspace != moved_from.bedspace


@pytest.mark.parametrize("released_status", RELEASED_STATUSES)
def test_cancelled_or_not_arrived_placement_does_not_block_the_offender(released_status):
    released = make_placement(status=released_status)

    make_placement(offender=released.offender)

    assert released.offender.placements.count() == 2


def test_update_moving_an_offenders_placement_into_overlap_is_refused():
    first = make_placement()
    second = make_placement(offender=first.offender, starts_on=first.ends_on)

    with pytest.raises(IntegrityError, match="placement_no_overlap_per_offender"), transaction.atomic():
        Placement.objects.filter(pk=second.pk).update(starts_on=first.ends_on - days(1))


# --- Placement dates and status rules ---------------------------------------------------------------------


@pytest.mark.parametrize("length", [0, -1], ids=["same-day", "before-start"])
def test_placement_ending_on_or_before_its_start_is_refused(length):
    with pytest.raises(IntegrityError, match="placement_dates_in_order"), transaction.atomic():
        make_placement(length=length, turnaround=1)


def test_placement_of_one_day_is_allowed():
    assert make_placement(length=1).ends_on == DAY + days(1)


def test_bedspace_free_before_the_placement_ends_is_refused():
    with pytest.raises(IntegrityError, match="placement_free_after_end"), transaction.atomic():
        make_placement(turnaround=-1)


def test_bedspace_free_on_the_day_the_placement_ends_is_allowed():
    placement = make_placement(turnaround=0)

    assert placement.free_from == placement.ends_on


def test_departure_before_arrival_is_refused():
    with pytest.raises(IntegrityError, match="placement_departed_after_arrival"), transaction.atomic():
        make_placement(status=Status.ENDED, arrived_on=DAY + days(1), departed_on=DAY)


def test_departure_on_the_day_of_arrival_is_refused():
    # A stay is at least one night: it ends on its departure day, after it starts.
    with pytest.raises(IntegrityError, match="placement_departed_after_arrival"), transaction.atomic():
        make_placement(status=Status.ENDED, departed_on=DAY, ends_on=DAY + days(1), free_from=DAY + days(1))


def test_departure_without_an_arrival_is_refused():
    with pytest.raises(IntegrityError, match="placement_departed_after_arrival"), transaction.atomic():
        make_placement(status=Status.CONFIRMED, departed_on=DAY + days(3))


def test_ended_placement_must_end_on_its_departure_date():
    with pytest.raises(IntegrityError, match="placement_ended_on_departure"), transaction.atomic():
        make_placement(status=Status.ENDED, departed_on=DAY + days(10))


@pytest.mark.parametrize("arrived_on", [DAY - days(1), DAY + days(28)])
def test_arrival_outside_the_booking_is_refused(arrived_on):
    with pytest.raises(IntegrityError, match="placement_arrived_within_booking"), transaction.atomic():
        make_placement(status=Status.ACTIVE, arrived_on=arrived_on)


def test_arrival_on_the_last_night_of_the_booking_is_allowed():
    assert make_placement(status=Status.ACTIVE, arrived_on=DAY + days(27)).arrived_on == DAY + days(27)


@pytest.mark.parametrize("status", ["Ended", "", "archived"])
def test_placement_status_outside_the_workflow_is_refused(status):
    with pytest.raises(IntegrityError, match="placement_status_valid"), transaction.atomic():
        make_placement(status=status)


def test_two_live_placements_from_one_referral_are_refused():
    from tests.factories import ReferralFactory

    referral = ReferralFactory()
    make_placement(status=Status.CONFIRMED, referral=referral, offender=referral.offender)
    with pytest.raises(IntegrityError, match="placement_one_live_per_referral"), transaction.atomic():
        make_placement(status=Status.PROVISIONAL, referral=referral, starts_on=DAY + days(60))


def test_a_referral_can_be_booked_again_after_a_cancelled_booking():
    from tests.factories import ReferralFactory

    referral = ReferralFactory()
    make_placement(status=Status.CANCELLED, referral=referral, offender=referral.offender)
    assert (
        make_placement(status=Status.PROVISIONAL, referral=referral, offender=referral.offender).referral
        == referral
    )


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.ENDED])
def test_active_or_ended_placement_without_an_arrival_date_is_refused(status):
    with pytest.raises(IntegrityError, match="placement_arrived_has_date"), transaction.atomic():
        make_placement(status=status, arrived_on=None)


@pytest.mark.parametrize("status", [Status.PROVISIONAL, Status.CONFIRMED, Status.NOT_ARRIVED])
def test_placement_before_arrival_needs_no_arrival_date(status):
    assert make_placement(status=status).arrived_on is None


@pytest.mark.parametrize(
    "missing",
    [{"departed_on": None}, {"departure_reason": ""}, {"destination": ""}],
    ids=lambda m: next(iter(m)),
)
def test_ended_placement_without_departure_date_reason_or_destination_is_refused(missing):
    with pytest.raises(IntegrityError, match="placement_ended_has_departure"), transaction.atomic():
        make_placement(status=Status.ENDED, **missing)


def test_ended_placement_with_departure_date_reason_and_destination_is_allowed():
    placement = make_placement(status=Status.ENDED)

    assert (placement.departed_on, placement.departure_reason, placement.destination) == (
        placement.ends_on,
        DepartureReason.PLANNED_MOVE_ON,
        Destination.SOCIAL_RENT,
    )


def test_update_ending_a_placement_without_departure_details_is_refused():
    placement = make_placement(status=Status.ACTIVE)

    with pytest.raises(IntegrityError, match="placement_ended_has_departure"), transaction.atomic():
        Placement.objects.filter(pk=placement.pk).update(status=Status.ENDED)


def test_cancelled_placement_without_a_reason_is_refused():
    with pytest.raises(IntegrityError, match="placement_cancelled_has_reason"), transaction.atomic():
        make_placement(status=Status.CANCELLED, cancellation_reason="")


def test_cancelled_placement_with_a_reason_is_allowed():
    assert make_placement(status=Status.CANCELLED).cancellation_reason


# --- Void periods: [starts_on, ends_on) on one bedspace never overlap; ends_on NULL is open-ended ---------


def test_overlapping_void_periods_on_a_bedspace_are_refused():
    void = VoidPeriodFactory(starts_on=DAY, ends_on=DAY + days(7))

    with pytest.raises(IntegrityError, match="void_no_overlap_on_bedspace"), transaction.atomic():
        VoidPeriodFactory(bedspace=void.bedspace, starts_on=DAY + days(6), ends_on=DAY + days(10))


def test_void_period_after_an_open_ended_one_on_the_bedspace_is_refused():
    open_ended = VoidPeriodFactory(starts_on=DAY, ends_on=None)

    with pytest.raises(IntegrityError, match="void_no_overlap_on_bedspace"), transaction.atomic():
        VoidPeriodFactory(bedspace=open_ended.bedspace, starts_on=DAY + days(365), ends_on=DAY + days(366))


def test_open_ended_void_period_starting_before_a_later_one_is_refused():
    later = VoidPeriodFactory(starts_on=DAY + days(30), ends_on=DAY + days(37))

    with pytest.raises(IntegrityError, match="void_no_overlap_on_bedspace"), transaction.atomic():
        VoidPeriodFactory(bedspace=later.bedspace, starts_on=DAY, ends_on=None)


def test_adjacent_void_periods_on_a_bedspace_are_allowed():
    first = VoidPeriodFactory(starts_on=DAY, ends_on=DAY + days(7))
    VoidPeriodFactory(bedspace=first.bedspace, starts_on=first.ends_on, ends_on=None)

    assert VoidPeriod.objects.filter(bedspace=first.bedspace).count() == 2


def test_overlapping_void_periods_on_different_bedspaces_are_allowed():
    VoidPeriodFactory(starts_on=DAY, ends_on=None)
    VoidPeriodFactory(starts_on=DAY, ends_on=None)

    assert VoidPeriod.objects.filter(starts_on=DAY).count() == 2


def test_update_moving_a_void_period_into_overlap_is_refused():
    first = VoidPeriodFactory(starts_on=DAY, ends_on=DAY + days(7))
    second = VoidPeriodFactory(bedspace=first.bedspace, starts_on=DAY + days(7), ends_on=DAY + days(14))

    with pytest.raises(IntegrityError, match="void_no_overlap_on_bedspace"), transaction.atomic():
        VoidPeriod.objects.filter(pk=second.pk).update(starts_on=DAY + days(3))


@pytest.mark.parametrize("length", [0, -1], ids=["same-day", "before-start"])
def test_void_period_ending_on_or_before_its_start_is_refused(length):
    with pytest.raises(IntegrityError, match="void_dates_in_order"), transaction.atomic():
        VoidPeriodFactory(starts_on=DAY, ends_on=DAY + days(length))


def test_void_period_of_one_day_is_allowed():
    assert VoidPeriodFactory(starts_on=DAY, ends_on=DAY + days(1)).ends_on == DAY + days(1)


# --- Licence terms: 1 to 28 days, consecutive, numbered once per placement --------------------------------


@pytest.mark.parametrize("length", [0, 29, -1])
def test_licence_term_of_zero_or_more_than_28_days_is_refused(length):
    placement = make_placement()

    with pytest.raises(IntegrityError, match="licenceterm_1_to_28_days"), transaction.atomic():
        LicenceTermFactory(placement=placement, number=1, starts_on=DAY, ends_on=DAY + days(length))


@pytest.mark.parametrize("length", [1, 28])
def test_licence_term_of_1_to_28_days_is_allowed(length):
    term = LicenceTermFactory(placement=make_placement(), number=1, starts_on=DAY, ends_on=DAY + days(length))

    assert term.days == length


def test_update_stretching_a_licence_term_past_28_days_is_refused():
    term = LicenceTermFactory(placement=make_placement(), number=1, starts_on=DAY, ends_on=DAY + days(28))

    with pytest.raises(IntegrityError, match="licenceterm_1_to_28_days"), transaction.atomic():
        LicenceTerm.objects.filter(pk=term.pk).update(ends_on=DAY + days(29))


def test_overlapping_licence_terms_of_one_placement_are_refused():
    placement = make_placement(length=56)
    LicenceTermFactory(placement=placement, number=1, starts_on=DAY, ends_on=DAY + days(28))

    with pytest.raises(IntegrityError, match="licenceterm_no_overlap"), transaction.atomic():
        LicenceTermFactory(placement=placement, number=2, starts_on=DAY + days(27), ends_on=DAY + days(55))


def test_consecutive_licence_terms_are_allowed():
    placement = make_placement(length=56)
    first = LicenceTermFactory(placement=placement, number=1, starts_on=DAY, ends_on=DAY + days(28))
    LicenceTermFactory(
        placement=placement, number=2, starts_on=first.ends_on, ends_on=first.ends_on + days(28)
    )

    assert placement.licence_terms.count() == 2


def test_overlapping_licence_terms_of_different_placements_are_allowed():
    LicenceTermFactory(placement=make_placement(), number=1, starts_on=DAY, ends_on=DAY + days(28))
    LicenceTermFactory(placement=make_placement(), number=1, starts_on=DAY, ends_on=DAY + days(28))

    assert LicenceTerm.objects.filter(starts_on=DAY, number=1).count() == 2


def test_duplicate_licence_term_number_on_a_placement_is_refused():
    placement = make_placement(length=56)
    LicenceTermFactory(placement=placement, number=1, starts_on=DAY, ends_on=DAY + days(28))

    with pytest.raises(IntegrityError, match="licenceterm_number_unique"), transaction.atomic():
        LicenceTermFactory(placement=placement, number=1, starts_on=DAY + days(28), ends_on=DAY + days(56))


# --- Properties, bedspaces and exclusions -----------------------------------------------------------------


def test_property_with_a_negative_weekly_cost_is_refused():
    with pytest.raises(IntegrityError, match="property_weekly_cost_not_negative"), transaction.atomic():
        PropertyFactory(weekly_cost=Decimal("-0.01"))


def test_property_with_no_weekly_cost_is_allowed():
    assert PropertyFactory(weekly_cost=Decimal("0")).weekly_cost == 0


def test_property_turnaround_over_20_days_is_refused():
    with pytest.raises(IntegrityError, match="property_turnaround_at_most_20"), transaction.atomic():
        PropertyFactory(turnaround_days=21)


@pytest.mark.parametrize("turnaround_days", [0, 20])
def test_property_turnaround_of_0_to_20_days_is_allowed(turnaround_days):
    assert PropertyFactory(turnaround_days=turnaround_days).turnaround_days == turnaround_days


def test_duplicate_bedspace_label_in_a_property_is_refused():
    bedspace = BedspaceFactory(label="Flat 1")

    with pytest.raises(IntegrityError, match="bedspace_label_unique_per_property"), transaction.atomic():
        BedspaceFactory(property=bedspace.property, label="Flat 1")


def test_same_bedspace_label_in_two_properties_is_allowed():
    BedspaceFactory(label="Flat 1")
    BedspaceFactory(label="Flat 1")

    assert Bedspace.objects.filter(label="Flat 1").count() == 2


def test_excluding_a_person_from_a_property_twice_is_refused():
    exclusion = PropertyExclusionFactory()

    with pytest.raises(IntegrityError, match="exclusion_unique_per_person"), transaction.atomic():
        PropertyExclusionFactory(property=exclusion.property, offender=exclusion.offender, reason="Again.")


def test_excluding_a_person_from_two_properties_is_allowed():
    offender = OffenderFactory()
    PropertyExclusionFactory(offender=offender)
    PropertyExclusionFactory(offender=offender)

    assert offender.property_exclusions.count() == 2


# --- Support plans --------------------------------------------------------------------------------------


def test_same_agency_twice_on_a_support_plan_is_refused():
    supporting = SupportAgencyFactory()

    with pytest.raises(IntegrityError, match="supportagency_unique_per_plan"), transaction.atomic():
        SupportAgencyFactory(support_plan=supporting.support_plan, agency=supporting.agency)


def test_same_agency_on_two_support_plans_is_allowed():
    agency = AgencyFactory()
    SupportAgencyFactory(agency=agency)
    SupportAgencyFactory(agency=agency)

    assert agency.support_agencies.count() == 2


def test_several_agencies_on_one_support_plan_are_allowed():
    plan = SupportPlanFactory()
    SupportAgencyFactory(support_plan=plan)
    SupportAgencyFactory(support_plan=plan)

    assert plan.support_agencies.count() == 2


@pytest.mark.parametrize("visit_every_days", [0, 29])
def test_visit_frequency_outside_1_to_28_days_is_refused(visit_every_days):
    with pytest.raises(IntegrityError, match="supportagency_frequency_1_to_28"), transaction.atomic():
        SupportAgencyFactory(visit_every_days=visit_every_days)


@pytest.mark.parametrize("visit_every_days", [1, 28])
def test_visit_frequency_of_1_to_28_days_is_allowed(visit_every_days):
    assert SupportAgencyFactory(visit_every_days=visit_every_days).visit_every_days == visit_every_days


def test_licence_term_numbered_0_is_refused():
    with pytest.raises(IntegrityError, match="licenceterm_number_from_1"), transaction.atomic():
        LicenceTermFactory(number=0)
