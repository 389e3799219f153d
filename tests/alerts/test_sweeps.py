"""Each sweep: the condition raises one alert, a second run adds nothing, and clearing the
condition (through the service a person would use) resolves it."""

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from agencies.services import visit_record
from alerts import sweeps
from alerts.models import Alert, JobRun
from iom_housing.access import Role
from placements.models import Placement
from placements.services import licence_renew, placement_arrive, placement_confirm, placement_end
from referrals.models import Referral
from referrals.services import referral_accept
from tests.alerts.helpers import placed, today
from tests.factories import (
    AgencyFactory,
    HomeVisitFactory,
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import in_two_threads, user_with_role

pytestmark = pytest.mark.django_db


def unresolved(kind: str):
    return Alert.objects.filter(kind=kind).exclude(status=Alert.Status.RESOLVED)


def run_twice(name: str) -> tuple[sweeps.SweepResult, sweeps.SweepResult]:
    return sweeps.run_sweep(name), sweeps.run_sweep(name)


def test_licence_term_ending_within_7_days_raises_one_alert_and_renewal_resolves_it(iom_officer):
    placement = placed(days_in=23)  # the term ends in 5 days
    first, second = run_twice("licence_ending")
    assert (first.raised, second.raised, second.resolved) == (1, 0, 0)
    alert = unresolved(Alert.Kind.LICENCE_ENDING).get()
    assert alert.placement == placement and alert.offender == placement.offender
    assert alert.due_on == placement.ends_on and "no renewal is booked" in alert.message
    assert alert.action_url == placement.get_absolute_url()

    licence_renew(placement_id=placement.pk, days=28, reason="Waiting for a flat", by=iom_officer)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.resolved_at is not None
    assert sweeps.run_sweep("licence_ending").raised == 0


def test_a_term_ending_later_than_the_window_raises_nothing(settings):
    settings.ALERT_LICENCE_ENDING_DAYS = 3
    placed(days_in=23)  # ends in 5 days
    assert sweeps.run_sweep("licence_ending").raised == 0
    settings.ALERT_LICENCE_ENDING_DAYS = 5
    assert sweeps.run_sweep("licence_ending").raised == 1


def test_licence_overrun_raises_one_alert_and_renewal_resolves_it(iom_officer):
    placement = placed(days_in=30)  # ended 2 days ago
    first, second = run_twice("licence_overrun")
    assert (first.raised, second.raised) == (1, 0)
    alert = unresolved(Alert.Kind.LICENCE_OVERRUN).get()
    assert "no departure is recorded" in alert.message

    # Renewing for one day still leaves them overrun: the alert is raised again for the new date.
    licence_renew(placement_id=placement.pk, days=1, reason="One more night", by=iom_officer)
    placement.refresh_from_db()
    again = unresolved(Alert.Kind.LICENCE_OVERRUN).get()
    assert again.pk != alert.pk and again.due_on == placement.ends_on
    licence_renew(placement_id=placement.pk, days=28, reason="Waiting for a flat", by=iom_officer)
    assert not unresolved(Alert.Kind.LICENCE_OVERRUN).exists()


def test_an_overrun_is_resolved_by_recording_the_departure(iom_officer):
    placement = placed(days_in=30)
    sweeps.run_sweep("licence_overrun")
    placement_end(
        placement_id=placement.pk,
        departed_on=today(),
        reason="planned_move_on",
        destination="social_rent",
        by=iom_officer,
    )
    assert not unresolved(Alert.Kind.LICENCE_OVERRUN).exists()


def test_supervision_licence_ending_within_28_days_while_placed(iom_officer):
    offender = OffenderFactory(licence_ends_on=today() + timedelta(days=20))
    placement = placed(days_in=5, offender=offender)
    OffenderFactory(licence_ends_on=today() + timedelta(days=20))  # not placed: no alert
    first, second = run_twice("supervision_ending")
    assert (first.raised, second.raised) == (1, 0)
    alert = unresolved(Alert.Kind.SUPERVISION_ENDING).get()
    assert alert.offender == offender and "statutory support stops" in alert.message
    assert alert.action_url == offender.get_absolute_url()

    placement_end(
        placement_id=placement.pk,
        departed_on=today(),
        reason="planned_move_on",
        destination="family",
        by=iom_officer,
    )
    assert not unresolved(Alert.Kind.SUPERVISION_ENDING).exists()


def test_no_visit_in_7_days_per_supporting_agency_and_a_visit_resolves_it():
    placement = placed(days_in=12)
    probation, ddas = AgencyFactory(name="Probation"), AgencyFactory(name="DDAS")
    plan = SupportPlanFactory(placement=placement)
    SupportAgencyFactory(support_plan=plan, agency=probation, visit_every_days=7)
    SupportAgencyFactory(support_plan=plan, agency=ddas, visit_every_days=14)
    # Probation visited 9 days ago (overdue); DDAS has 14 days from the arrival 12 days ago (not due).
    HomeVisitFactory(placement=placement, agency=probation, visited_at=timezone.now() - timedelta(days=9))
    first, second = run_twice("visit_missed")
    assert (first.raised, second.raised) == (1, 0)
    alert = unresolved(Alert.Kind.VISIT_MISSED).get()
    assert alert.agency == probation and "No visit by Probation" in alert.message

    worker = user_with_role(Role.AGENCY_WORKER, probation)
    visit_record(
        placement_id=placement.pk,
        by=worker,
        visited_at=timezone.now() - timedelta(hours=1),
        kind="home",
        staff_names="A. Worker",
        outcome="seen",
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


def test_a_joint_visit_counts_for_every_agency_on_it_and_a_cancelled_one_does_not():
    placement = placed(days_in=12)
    probation, police = AgencyFactory(name="Probation"), AgencyFactory(name="Police")
    plan = SupportPlanFactory(placement=placement)
    SupportAgencyFactory(support_plan=plan, agency=probation)
    SupportAgencyFactory(support_plan=plan, agency=police)
    joint = HomeVisitFactory(
        placement=placement, agency=police, visited_at=timezone.now() - timedelta(days=2)
    )
    joint.other_agencies.add(probation)
    HomeVisitFactory(placement=placement, agency=police, visited_at=timezone.now(), outcome="cancelled")
    assert sweeps.run_sweep("visit_missed").raised == 0
    joint.visited_at = timezone.now() - timedelta(days=10)
    joint.save()
    assert sweeps.run_sweep("visit_missed").raised == 2


def test_referral_undecided_2_working_days_after_submission_and_a_decision_resolves_it(iom_officer):
    # Submitted on a Monday: the decision is due on the Wednesday, and the alert shows from then.
    # A fixed week with no bank holiday (a week of today's could hold Easter Monday, and the
    # decision would be due on the Thursday).
    monday = date(2026, 11, 9)
    submitted = timezone.make_aware(datetime.combine(monday, time(10)))
    referral = ReferralFactory(submitted_at=submitted)
    assert sweeps.sweep_referral_undecided(today=monday + timedelta(days=1)).raised == 0
    first = sweeps.sweep_referral_undecided(today=monday + timedelta(days=2))
    second = sweeps.sweep_referral_undecided(today=monday + timedelta(days=2))
    assert (first.raised, second.raised) == (1, 0)
    alert = unresolved(Alert.Kind.REFERRAL_UNDECIDED).get()
    assert alert.referral == referral and alert.action_url == referral.get_absolute_url()

    referral_accept(referral_id=referral.pk, by=iom_officer)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


def test_the_decision_deadline_skips_weekends():
    friday = date(2026, 11, 6)  # an ordinary weekend, not Good Friday's or a bank holiday's
    ReferralFactory(submitted_at=timezone.make_aware(datetime.combine(friday, time(16))))
    monday = friday + timedelta(days=3)
    assert sweeps.sweep_referral_undecided(today=monday).raised == 0
    assert sweeps.sweep_referral_undecided(today=monday + timedelta(days=1)).raised == 1


def test_provisional_booking_not_confirmed_by_its_arrival_date(iom_officer):
    placement = PlacementFactory(status=Placement.Status.PROVISIONAL, starts_on=today(), with_term=True)
    PlacementFactory(status=Placement.Status.PROVISIONAL, starts_on=today() + timedelta(days=3))
    first, second = run_twice("booking_unconfirmed")
    assert (first.raised, second.raised) == (1, 0)
    placement_confirm(placement_id=placement.pk, by=iom_officer)
    assert not unresolved(Alert.Kind.BOOKING_UNCONFIRMED).exists()


def test_booked_arrival_not_recorded_the_day_after(iom_officer):
    placement = PlacementFactory(
        status=Placement.Status.CONFIRMED, starts_on=today() - timedelta(days=1), with_term=True
    )
    PlacementFactory(status=Placement.Status.CONFIRMED, starts_on=today())  # due today: not yet
    first, second = run_twice("arrival_missing")
    assert (first.raised, second.raised) == (1, 0)
    placement_arrive(placement_id=placement.pk, arrived_on=today() - timedelta(days=1), by=iom_officer)
    assert not unresolved(Alert.Kind.ARRIVAL_MISSING).exists()


def test_an_acknowledged_alert_is_not_raised_again_and_still_resolves(iom_officer):
    placement = placed(days_in=30)
    sweeps.run_sweep("licence_overrun")
    alert = unresolved(Alert.Kind.LICENCE_OVERRUN).get()
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.ACKNOWLEDGED, acknowledged_at=timezone.now())
    assert sweeps.run_sweep("licence_overrun").raised == 0
    licence_renew(placement_id=placement.pk, days=28, reason="Waiting for a flat", by=iom_officer)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED


def test_the_condition_coming_back_after_resolution_raises_a_new_alert():
    placement = PlacementFactory(status=Placement.Status.PROVISIONAL, starts_on=today(), with_term=True)
    sweeps.run_sweep("booking_unconfirmed")
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.CONFIRMED)
    assert sweeps.run_sweep("booking_unconfirmed").resolved == 1
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.PROVISIONAL)
    assert sweeps.run_sweep("booking_unconfirmed").raised == 1
    assert Alert.objects.filter(kind=Alert.Kind.BOOKING_UNCONFIRMED).count() == 2


def test_run_sweeps_command_runs_every_sweep_and_records_it(capsys):
    placed(days_in=30)
    call_command("run_sweeps")
    out = capsys.readouterr().out
    assert "licence_overrun: 1 raised, 0 resolved" in out
    assert set(JobRun.objects.values_list("name", flat=True)) == {
        "canary",
        *(f"sweep:{name}" for name in sweeps.SWEEPS),
    }


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_raise_each_alert_once():
    for days_in in (29, 30, 31, 40):
        placed(days_in=days_in)
    barrier = threading.Barrier(2)
    errors = []

    def sweep():
        try:
            barrier.wait()
            sweeps.run_sweep("licence_overrun")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    in_two_threads(sweep)
    assert errors == []
    assert unresolved(Alert.Kind.LICENCE_OVERRUN).count() == 4


def test_accepting_a_referral_leaves_no_undecided_alert_for_it(iom_officer):
    referral = ReferralFactory(submitted_at=timezone.now() - timedelta(days=10))
    sweeps.run_sweep("referral_undecided")
    assert unresolved(Alert.Kind.REFERRAL_UNDECIDED).count() == 1
    referral_accept(referral_id=referral.pk, by=iom_officer)
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.ACCEPTED
    assert not unresolved(Alert.Kind.REFERRAL_UNDECIDED).exists()
