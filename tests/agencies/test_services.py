"""Recording and correcting visits: the rules, each refusal naming its field and writing nothing,
concerns becoming alerts (and emails when email is set up), and corrections kept with their reason."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from smtplib import SMTPException

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.mail import EmailMessage
from django.utils import timezone

from agencies.models import HomeVisit, VisitCorrection
from agencies.services import visit_correct, visit_record
from agencies.tasks import send_concern_email
from iom_housing.access import Role
from placements.models import Alert, AlertNotice, Placement
from placements.notifications import concern_email_send
from placements.sweeps import sweep_visit_missed
from tests.agencies.helpers import answers, supported_placement
from tests.factories import (
    AgencyFactory,
    HomeVisitFactory,
    PlacementFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db


def _midday(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def placement(agency):
    return supported_placement(agency)


def assert_refused(field: str, placement, by, **overrides) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        visit_record(placement_id=placement.pk, by=by, **answers(**overrides))
    assert field in refused.value.message_dict, refused.value.message_dict
    assert not HomeVisit.objects.exists()
    assert not Alert.objects.exists()
    return refused.value


def test_a_visit_is_recorded_for_the_workers_agency(placement, agency, agency_worker):
    partner = AgencyFactory()
    visit = visit_record(
        placement_id=placement.pk,
        by=agency_worker,
        **answers(
            other_agency_ids=[partner.pk, agency.pk], notes="  Settling in well. ", support_hours="1.25"
        ),
    )
    visit.refresh_from_db()
    assert visit.agency == agency and visit.recorded_by == agency_worker
    # Its own agency is not on a joint visit with itself: dropped, not refused.
    assert list(visit.other_agencies.all()) == [partner]
    assert visit.notes == "Settling in well."
    assert visit.support_hours == Decimal("1.25")
    assert not Alert.objects.exists()


def test_a_visit_resolves_the_agencys_missed_visit_alert(placement, agency_worker):
    sweep_visit_missed(today=timezone.localdate())
    missed = Alert.objects.get(kind=Alert.Kind.VISIT_MISSED, placement=placement)

    visit_record(placement_id=placement.pk, by=agency_worker, **answers())

    missed.refresh_from_db()
    assert missed.status == Alert.Status.RESOLVED


def test_a_visit_in_the_future_is_refused(placement, agency_worker):
    assert_refused("visited_at", placement, agency_worker, visited_at=timezone.now() + timedelta(hours=1))


def test_a_visit_before_arrival_is_refused(placement, agency_worker):
    error = assert_refused(
        "visited_at", placement, agency_worker, visited_at=timezone.now() - timedelta(days=11)
    )
    assert "on or after the day they arrived" in error.message_dict["visited_at"][0]


def test_a_visit_after_they_left_is_refused(agency, agency_worker):
    today = timezone.localdate()
    placement = supported_placement(
        agency,
        arrived_days_ago=20,
        status=Placement.Status.ENDED,
        departed_on=today - timedelta(days=5),
        ends_on=today - timedelta(days=5),
        free_from=today - timedelta(days=5),
        departure_reason="planned_move_on",
        destination="social_rent",
    )
    assert_refused("visited_at", placement, agency_worker, visited_at=timezone.now() - timedelta(days=2))
    # On the day they left is fine.
    visit_record(
        placement_id=placement.pk,
        by=agency_worker,
        **answers(visited_at=timezone.now() - timedelta(days=5)),
    )


def test_a_placement_they_have_not_arrived_at_is_refused(agency, agency_worker):
    placement = PlacementFactory(status=Placement.Status.CONFIRMED)
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    error = assert_refused("placement", placement, agency_worker)
    assert "once the person has arrived" in error.message_dict["placement"][0]


def test_a_placement_the_agency_does_not_support_is_refused(agency_worker):
    placement = supported_placement(AgencyFactory())
    error = assert_refused("placement", placement, agency_worker)
    assert "not on the support plan" in error.message_dict["placement"][0]


def test_an_agency_that_stopped_supporting_may_record_visits_before_it_stopped(agency, agency_worker):
    placement = supported_placement(agency)
    ended_on = timezone.localdate() - timedelta(days=3)
    placement.support_plan.support_agencies.update(ended_on=ended_on)
    # Midday on the local days: "now - 3 days" can be another local day (near midnight, or over a
    # change of the clocks).
    assert_refused("placement", placement, agency_worker, visited_at=_midday(ended_on))
    visit_record(
        placement_id=placement.pk,
        by=agency_worker,
        **answers(visited_at=_midday(ended_on - timedelta(days=1))),
    )


def test_an_iom_officer_may_record_a_police_visit_on_any_placement(iom_officer):
    placement = supported_placement(AgencyFactory())
    visit = visit_record(placement_id=placement.pk, by=iom_officer, **answers())
    assert visit.agency == iom_officer.membership.agency


@pytest.mark.parametrize("role", [Role.OPCC_ANALYST, Role.SCHEME_MANAGER])
def test_other_roles_do_not_record_visits(placement, agency, role):
    with pytest.raises(ValidationError) as refused:
        visit_record(placement_id=placement.pk, by=user_with_role(role, agency), **answers())
    assert NON_FIELD_ERRORS in refused.value.message_dict
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize("hours", ["25", "-1", "24.01", "lots"])
def test_support_hours_outside_0_to_24_are_refused(placement, agency_worker, hours):
    assert_refused("support_hours", placement, agency_worker, support_hours=hours)


def test_a_concern_without_text_is_refused(placement, agency_worker):
    assert_refused("concern", placement, agency_worker, concern_raised=True, concern="   ")


def test_concern_text_without_raising_it_is_refused_rather_than_lost(placement, agency_worker):
    assert_refused("concern_raised", placement, agency_worker, concern="Visitors late at night")


def test_an_unknown_or_inactive_joint_agency_is_refused(placement, agency_worker):
    assert_refused("other_agency_ids", placement, agency_worker, other_agency_ids=[999999])
    assert_refused(
        "other_agency_ids", placement, agency_worker, other_agency_ids=[AgencyFactory(active=False).pk]
    )


def test_a_next_visit_before_this_one_is_refused(placement, agency_worker):
    visited_at = answers()["visited_at"]  # 2 hours ago: yesterday in the first two hours of a day
    day_before = timezone.localdate(visited_at) - timedelta(days=1)
    assert_refused("next_visit_on", placement, agency_worker, visited_at=visited_at, next_visit_on=day_before)


def test_every_problem_is_named_at_once(placement, agency_worker):
    with pytest.raises(ValidationError) as refused:
        visit_record(
            placement_id=placement.pk,
            by=agency_worker,
            **answers(kind="", outcome="maybe", staff_names=" ", support_hours="30"),
        )
    assert set(refused.value.message_dict) == {"kind", "outcome", "staff_names", "support_hours"}


def test_a_concern_raises_one_alert_and_emails_the_iom_officers_once(
    agency, agency_worker, iom_officer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # A surname no factory makes and no email text contains (Faker's names include "May").
    placement = supported_placement(agency, offender__last_name="Quillfeather")
    settings.EMAIL_HOST = "smtp.example.org"
    user_with_role(Role.IOM_OFFICER, iom_officer.membership.agency, email="")  # no address: not emailed
    away = user_with_role(Role.IOM_OFFICER, iom_officer.membership.agency)
    away.membership.active = False
    away.membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        visit = visit_record(
            placement_id=placement.pk,
            by=agency_worker,
            **answers(concern_raised=True, concern="Neighbours report visitors late at night " * 20),
        )
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.VISIT_CONCERN
    assert alert.key == f"visit_concern:visit:{visit.pk}"
    assert (alert.offender, alert.placement, alert.visit, alert.agency) == (
        placement.offender,
        placement,
        visit,
        agency,
    )
    assert alert.message.startswith(f"Concern raised by {agency.name}: Neighbours report")
    assert len(alert.message) == 300
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [iom_officer.email]
    # The email names no one: it may travel over ordinary email.
    assert "Quillfeather" not in mailoutbox[0].body
    assert agency.name in mailoutbox[0].body


def test_the_concern_email_goes_once_to_each_officer_however_often_the_task_runs(
    placement, agency_worker, iom_officer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = ""  # no mail server: the console backend (locmem under test) still sends
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(
            placement_id=placement.pk, by=agency_worker, **answers(concern_raised=True, concern="Worried")
        )
    alert = Alert.objects.get()
    assert send_concern_email(alert.pk) == 0  # a redelivered task
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [iom_officer.email]
    assert AlertNotice.objects.filter(alert=alert, recipient=iom_officer).count() == 1


def test_a_failed_concern_email_is_retried_without_emailing_anyone_twice(
    placement, agency_worker, iom_officer, mailoutbox, monkeypatch
):
    second = user_with_role(Role.IOM_OFFICER, iom_officer.membership.agency, email="zz@example.org")
    visit = visit_record(
        placement_id=placement.pk, by=agency_worker, **answers(concern_raised=True, concern="Worried")
    )
    alert = Alert.objects.get(visit=visit)
    mailoutbox.clear()
    real_send = EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == [second.email]:
            raise SMTPException("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with pytest.raises(SMTPException):
        concern_email_send(alert_id=alert.pk)
    assert [m.to for m in mailoutbox] == [[iom_officer.email]]
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert concern_email_send(alert_id=alert.pk) == 1
    assert [m.to for m in mailoutbox] == [[iom_officer.email], [second.email]]


def test_a_refused_visit_sends_no_email(placement, agency_worker, iom_officer, settings, mailoutbox):
    settings.EMAIL_HOST = "smtp.example.org"
    assert_refused(
        "support_hours", placement, agency_worker, support_hours="25", concern_raised=True, concern="x"
    )
    assert mailoutbox == []


# Corrections -----------------------------------------------------------------------------------


@pytest.fixture
def visit(placement, agency_worker):
    return visit_record(placement_id=placement.pk, by=agency_worker, **answers())


def recorded_days_ago(visit, days: int) -> None:
    HomeVisit.objects.filter(pk=visit.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_the_author_corrects_within_7_days_and_the_change_is_kept(visit, agency_worker):
    recorded_days_ago(visit, 6)
    partner = AgencyFactory(name="Women's Centre")
    visit_correct(
        visit_id=visit.pk,
        by=agency_worker,
        reason="Typed the wrong hours",
        support_hours="2",
        engagement=HomeVisit.Engagement.SOME,
        other_agency_ids=[partner.pk],
    )
    visit.refresh_from_db()
    assert visit.support_hours == Decimal("2") and visit.engagement == "some"
    assert list(visit.other_agencies.all()) == [partner]
    correction = VisitCorrection.objects.get()
    assert correction.corrected_by == agency_worker and correction.reason == "Typed the wrong hours"
    assert correction.changes == {
        "support_hours": ["1.50", "2.00"],
        "engagement": ["good", "some"],
        "other_agencies": [[], ["Women's Centre"]],
    }


def test_the_author_is_refused_after_7_days(visit, agency_worker):
    recorded_days_ago(visit, 8)
    with pytest.raises(ValidationError, match="for 7 days after recording it"):
        visit_correct(visit_id=visit.pk, by=agency_worker, reason="Late", support_hours="2")
    visit.refresh_from_db()
    assert visit.support_hours == Decimal("1.5")
    assert not VisitCorrection.objects.exists()


def test_an_officer_corrects_after_7_days(visit, iom_officer):
    recorded_days_ago(visit, 30)
    visit_correct(visit_id=visit.pk, by=iom_officer, reason="Agreed with the worker", outcome="not_in")
    visit.refresh_from_db()
    assert visit.outcome == "not_in"
    assert VisitCorrection.objects.get().changes == {"outcome": ["seen", "not_in"]}


def test_another_worker_of_the_same_agency_is_refused(visit, agency):
    colleague = user_with_role(Role.AGENCY_WORKER, agency)
    with pytest.raises(ValidationError, match="Only the person who recorded this visit"):
        visit_correct(visit_id=visit.pk, by=colleague, reason="Wrong", support_hours="2")
    assert not VisitCorrection.objects.exists()


def test_a_correction_needs_a_reason_and_a_change(visit, agency_worker):
    with pytest.raises(ValidationError) as refused:
        visit_correct(visit_id=visit.pk, by=agency_worker, reason=" ", support_hours="2")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError, match="Nothing has changed"):
        visit_correct(visit_id=visit.pk, by=agency_worker, reason="Check", support_hours="1.50")
    assert not VisitCorrection.objects.exists()


def test_a_correction_is_checked_like_a_new_visit(visit, agency_worker):
    with pytest.raises(ValidationError) as refused:
        visit_correct(
            visit_id=visit.pk,
            by=agency_worker,
            reason="Wrong",
            support_hours="25",
            visited_at=timezone.now() + timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"support_hours", "visited_at"}
    assert not VisitCorrection.objects.exists()


def test_a_concern_added_by_a_correction_raises_its_alert(
    visit, agency_worker, iom_officer, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        visit_correct(
            visit_id=visit.pk,
            by=agency_worker,
            reason="Forgot to raise it",
            concern_raised=True,
            concern="Smell of cannabis",
        )
    alert = Alert.objects.get()
    assert alert.visit == visit and "Smell of cannabis" in alert.message
    assert len(mailoutbox) == 1


def test_visits_made_by_factories_keep_the_database_rules(agency):
    # The correction history refuses an empty reason or no change, whoever writes it.
    from django.db import IntegrityError, transaction

    visit = HomeVisitFactory(agency=agency)
    with pytest.raises(IntegrityError, match="visitcorrection_has_reason"), transaction.atomic():
        VisitCorrection.objects.create(
            visit=visit, corrected_by=visit.recorded_by, reason="", changes={"a": [1, 2]}
        )
    with pytest.raises(IntegrityError, match="visitcorrection_changes_something"), transaction.atomic():
        VisitCorrection.objects.create(visit=visit, corrected_by=visit.recorded_by, reason="Why", changes={})


@pytest.mark.django_db(transaction=True)
def test_two_corrections_at_once_are_kept_one_after_the_other(agency, agency_worker, iom_officer):
    from tests.helpers import at_the_same_moment

    visit = visit_record(placement_id=supported_placement(agency).pk, by=agency_worker, **answers())
    outcomes = at_the_same_moment(
        lambda: visit_correct(visit_id=visit.pk, by=agency_worker, reason="Hours", support_hours="2"),
        lambda: visit_correct(visit_id=visit.pk, by=iom_officer, reason="Hours", support_hours="3"),
    )
    assert all(isinstance(outcome, HomeVisit) for outcome in outcomes), outcomes
    # The row lock makes the second see the first's change: the history is one chain.
    first, second = (c.changes["support_hours"] for c in VisitCorrection.objects.order_by("pk"))
    assert first[0] == "1.50" and second[0] == first[1]
    visit.refresh_from_db()
    assert str(visit.support_hours) == second[1]
