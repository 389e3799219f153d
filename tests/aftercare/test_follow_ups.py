"""Follow-up checks after leaving: scheduled by the ending service (3, 6 and 12 months, month ends
clamped), guarded by the database, alerted by the sweep when due, recorded once."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from aftercare.dates import add_months
from aftercare.models import FollowUpCheck
from aftercare.services import follow_up_record, follow_ups_schedule
from alerts.models import Alert
from alerts.sweeps import sweep_followup_due
from iom_housing.access import Role
from placements.models import DepartureReason, Destination, Placement
from placements.services import placement_end
from tests.aftercare.helpers import ended_placement
from tests.factories import PlacementFactory
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "departed, months, due",
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # a leap year's February
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 3, date(2028, 5, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 10, 31), 6, date(2027, 4, 30)),
        (date(2026, 1, 15), 12, date(2027, 1, 15)),
    ],
)
def test_calendar_months_clamp_a_month_end_in_python_and_in_the_database(departed, months, due, settings):
    settings.FOLLOW_UP_MONTHS = [months]
    placement = ended_placement(departed)
    assert follow_ups_schedule(placement_ids=[placement.pk]) == 1
    assert FollowUpCheck.objects.get(placement=placement).due_on == due
    assert add_months(departed, months) == due


def test_ending_a_placement_schedules_its_checks_in_the_same_transaction(time_machine):
    time_machine.move_to("2026-08-31 12:00+01:00")
    officer = user_with_role(Role.IOM_OFFICER)
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=date(2026, 8, 10),
        arrived_on=date(2026, 8, 10),
        ends_on=date(2026, 9, 7),
        free_from=date(2026, 9, 7),
        with_term=True,
    )
    placement_end(
        placement_id=placement.pk,
        departed_on=date(2026, 8, 31),
        reason=DepartureReason.PLANNED_MOVE_ON,
        destination=Destination.PRIVATE_RENT,
        by=officer,
    )
    dues = list(FollowUpCheck.objects.filter(placement=placement).values_list("months", "due_on"))
    assert dues == [(3, date(2026, 11, 30)), (6, date(2027, 2, 28)), (12, date(2027, 8, 31))]


def test_a_departure_recorded_late_alerts_a_check_already_due(time_machine):
    time_machine.move_to("2026-12-10 12:00+00:00")
    placement = PlacementFactory(
        status=Placement.Status.ACTIVE,
        starts_on=date(2026, 8, 10),
        arrived_on=date(2026, 8, 10),
        ends_on=date(2026, 9, 7),
        free_from=date(2026, 9, 7),
        with_term=True,
    )
    placement_end(
        placement_id=placement.pk,
        departed_on=date(2026, 9, 1),
        reason=DepartureReason.ABANDONED,
        destination=Destination.UNKNOWN,
        by=user_with_role(Role.IOM_OFFICER),
    )
    alert = Alert.objects.get(kind=Alert.Kind.FOLLOWUP_DUE)
    assert alert.due_on == date(2026, 12, 1) and alert.placement == placement


def test_the_database_refuses_a_check_of_a_placement_not_ended_or_not_due_on_its_day():
    live = PlacementFactory(status=Placement.Status.CONFIRMED)
    with pytest.raises(IntegrityError, match="followup_placement_ended"), transaction.atomic():
        FollowUpCheck.objects.create(placement=live, months=3, due_on=live.starts_on + timedelta(days=90))
    ended = ended_placement(date(2026, 3, 1))
    with pytest.raises(IntegrityError, match="followup_due_after_departure"), transaction.atomic():
        FollowUpCheck.objects.create(placement=ended, months=3, due_on=date(2026, 3, 1))
    FollowUpCheck.objects.create(placement=ended, months=3, due_on=date(2026, 6, 1))
    with pytest.raises(IntegrityError, match="followup_once_per_placement_months"), transaction.atomic():
        FollowUpCheck.objects.create(placement=ended, months=3, due_on=date(2026, 6, 1))


def test_the_sweep_schedules_old_endings_alerts_due_checks_once_and_recording_clears_it(time_machine):
    time_machine.move_to("2026-07-01 12:00+01:00")
    agency_worker = user_with_role(Role.AGENCY_WORKER)
    placement = ended_placement(date(2026, 3, 31), agency=agency_worker.membership.agency)
    long_ago = ended_placement(date(2020, 1, 10))
    today = date(2026, 7, 1)
    first = sweep_followup_due(today=today)
    again = sweep_followup_due(today=today)
    assert (first.raised, again.raised) == (1, 0)
    assert not FollowUpCheck.objects.filter(placement=long_ago).exists()  # before the longest period
    check = FollowUpCheck.objects.get(placement=placement, months=3)
    assert check.due_on == date(2026, 6, 30)
    alert = Alert.objects.get(kind=Alert.Kind.FOLLOWUP_DUE)
    assert alert.action_url == check.get_absolute_url()

    follow_up_record(
        check_id=check.pk, accommodation="same", engaging="yes", by=agency_worker, notes="By phone"
    )
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    check.refresh_from_db()
    assert check.recorded_by_agency == agency_worker.membership.agency
    with pytest.raises(ValidationError) as refused:
        follow_up_record(check_id=check.pk, accommodation="same", engaging="yes", by=agency_worker)
    assert refused.value.code == "already_recorded"


def test_run_sweeps_includes_the_follow_up_sweep(time_machine, capsys):
    time_machine.move_to("2026-07-01 12:00+01:00")
    ended_placement(date(2026, 3, 31))
    call_command("run_sweeps")
    assert "followup_due: 1 raised" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"accommodation": "moved", "engaging": "yes"}, "moved_to"),
        ({"accommodation": "elsewhere", "engaging": "yes"}, "accommodation"),
        ({"accommodation": "same", "engaging": "maybe"}, "engaging"),
        ({"accommodation": "same", "engaging": "yes", "notes": "x" * 501}, "notes"),
    ],
)
def test_a_wrong_follow_up_is_refused_by_its_field(kwargs, field):
    placement = ended_placement(date(2026, 1, 5))
    follow_ups_schedule(placement_ids=[placement.pk])
    check = FollowUpCheck.objects.filter(placement=placement).first()
    with pytest.raises(ValidationError) as refused:
        follow_up_record(check_id=check.pk, by=user_with_role(Role.IOM_OFFICER), **kwargs)
    assert field in refused.value.error_dict


def test_the_database_keeps_a_recorded_check_complete():
    placement = ended_placement(date(2026, 1, 5))
    follow_ups_schedule(placement_ids=[placement.pk])
    check = FollowUpCheck.objects.filter(placement=placement).first()
    with pytest.raises(IntegrityError, match="followup_recorded_complete"), transaction.atomic():
        FollowUpCheck.objects.filter(pk=check.pk).update(accommodation="same")
    with pytest.raises(IntegrityError, match="followup_moved_has_destination"), transaction.atomic():
        FollowUpCheck.objects.filter(pk=check.pk).update(moved_to="family")
