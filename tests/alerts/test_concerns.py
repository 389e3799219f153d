"""A concern raised on a visit (recorded, or added by a correction) becomes one alert for the IOM
team and one email to each officer, however often the email task runs, naming no one."""

from smtplib import SMTPException

import pytest
from django.core.mail import EmailMessage

from agencies.services import visit_correct, visit_record
from alerts.models import Alert, AlertNotice
from alerts.notifications import concern_email_send
from alerts.tasks import send_concern_email
from iom_housing.access import Role
from tests.agencies.helpers import answers, supported_placement
from tests.agencies.test_services import assert_refused
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def placement(agency):
    return supported_placement(agency)


@pytest.fixture
def visit(placement, agency_worker):
    return visit_record(placement_id=placement.pk, by=agency_worker, **answers())


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
