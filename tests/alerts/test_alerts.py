"""The alerts page, the header count, and the officers' daily digest (each alert emailed once)."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alerts import tasks
from alerts.context_processors import open_alert_count
from alerts.models import Alert, AlertNotice, JobRun
from alerts.notifications import digest_send
from alerts.services import alert_acknowledge
from iom_housing.access import Role
from placements.models import Placement
from tests.factories import (
    AgencyFactory,
    AlertFactory,
    OffenderFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
    UserFactory,
)
from tests.helpers import user_with_role

pytestmark = pytest.mark.django_db


def alert_about(offender=None, **fields) -> Alert:
    """An alert about a new person's placement, or about `offender` (with no placement)."""
    if offender is not None:
        return AlertFactory(offender=offender, **fields)
    placement = PlacementFactory()
    return AlertFactory(offender=placement.offender, placement=placement, **fields)


# The alerts page and the header count ----------------------------------------------------------


def test_officers_see_open_alerts_with_what_to_do_and_a_link_to_do_it(iom_officer_client):
    alert = alert_about(kind=Alert.Kind.LICENCE_OVERRUN, message="The licence term ended on 1 March 2026.")
    alert_about(status=Alert.Status.RESOLVED, resolved_at=timezone.now(), message="Old news")
    response = iom_officer_client.get(reverse("alerts:list"))
    content = response.content.decode()
    assert "The licence term ended on 1 March 2026." in content and "Old news" not in content
    assert "Renew the licence, or record the departure" in content
    assert f'href="{alert.placement.get_absolute_url()}"' in content
    assert reverse("alerts:acknowledge", args=[alert.pk]) in content
    assert 'data-testid="open-alert-count">1<' in content


def test_the_alerts_page_filters_by_kind_and_status(iom_officer_client):
    alert_about(kind=Alert.Kind.LICENCE_OVERRUN, message="Overrun alert")
    alert_about(kind=Alert.Kind.VISIT_MISSED, message="Missed visit alert")
    alert_about(status=Alert.Status.RESOLVED, resolved_at=timezone.now(), message="Resolved alert")
    url = reverse("alerts:list")
    by_kind = iom_officer_client.get(url, {"kind": "visit_missed"}).content.decode()
    assert "Missed visit alert" in by_kind and "Overrun alert" not in by_kind
    resolved = iom_officer_client.get(url, {"status": "resolved"}).content.decode()
    assert "Resolved alert" in resolved and "Overrun alert" not in resolved
    everything = iom_officer_client.get(url, {"status": "all"}).content.decode()
    assert all(text in everything for text in ("Overrun alert", "Missed visit alert", "Resolved alert"))
    # A made-up filter value is ignored, not a 500.
    assert iom_officer_client.get(url, {"kind": "nonsense", "status": "x"}).status_code == 200


def test_acknowledging_from_the_alerts_page_keeps_the_note_and_leaves_it_unresolved(iom_officer_client):
    alert = alert_about(message="Needs action")
    response = iom_officer_client.post(
        reverse("alerts:acknowledge", args=[alert.pk]), {"note": "Renewal agreed with landlord"}
    )
    assert response.status_code == 302 and response.url == reverse("alerts:list")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    page = iom_officer_client.get(reverse("alerts:list"), {"status": "acknowledged"})
    assert "Renewal agreed with landlord" in page.content.decode()


def test_agency_workers_see_only_their_own_agencys_missed_visits_for_their_people(client, agency):
    worker = user_with_role(Role.AGENCY_WORKER, agency)
    placement = PlacementFactory(status=Placement.Status.ACTIVE, arrived_on=timezone.localdate())
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
    AlertFactory(
        kind=Alert.Kind.VISIT_MISSED,
        offender=placement.offender,
        placement=placement,
        agency=agency,
        message="Ours to visit",
    )
    AlertFactory(
        kind=Alert.Kind.VISIT_MISSED,
        offender=placement.offender,
        placement=placement,
        agency=AgencyFactory(),
        message="Another agency's visit",
    )
    AlertFactory(kind=Alert.Kind.LICENCE_OVERRUN, offender=placement.offender, message="For the officers")
    alert_about(kind=Alert.Kind.VISIT_MISSED, agency=agency, message="Not in our caseload")
    client.force_login(worker)
    content = client.get(reverse("alerts:list")).content.decode()
    assert "Ours to visit" in content
    assert not any(text in content for text in ("Another agency", "For the officers", "Not in our caseload"))
    assert 'data-testid="open-alert-count">1<' in content
    assert "/acknowledge/" not in content  # acknowledging is for the IOM team


def test_the_header_count_is_two_queries_when_not_cached(iom_officer, rf):
    alert_about()
    request = rf.get("/")
    request.user = iom_officer
    iom_officer.membership  # noqa: B018 - loaded by the service context processor already
    with CaptureQueriesContext(connection) as queries:
        assert open_alert_count(request) == {"open_alert_count": 1}
    # the number alerts last changed at, and the count (then cached under that number)
    assert len(queries) == 2


def test_the_header_count_is_cached_until_alerts_change_however_they_change(iom_officer, rf):
    """Counted once, then read from the cache (one query, for the number the database raises at
    every write of alerts); a new alert, an acknowledgement, a bulk update and a deletion are
    each counted at once."""
    request = rf.get("/")
    request.user = iom_officer
    first = alert_about()
    assert open_alert_count(request) == {"open_alert_count": 1}
    with CaptureQueriesContext(connection) as queries:
        assert open_alert_count(request) == {"open_alert_count": 1}
    assert len(queries) == 1 and "alerts_alertschanged" in queries[0]["sql"]
    second = alert_about()
    assert open_alert_count(request) == {"open_alert_count": 2}
    alert_acknowledge(alert_id=first.pk, by=iom_officer)
    assert open_alert_count(request) == {"open_alert_count": 1}
    Alert.objects.filter(pk=first.pk).update(status=Alert.Status.OPEN)
    assert open_alert_count(request) == {"open_alert_count": 2}
    Alert.objects.filter(pk=second.pk).delete()
    assert open_alert_count(request) == {"open_alert_count": 1}


def test_the_alerts_page_makes_the_same_number_of_queries_for_2_or_20_alerts(iom_officer_client):
    def make(n):
        for _ in range(n):
            alert_about(kind=Alert.Kind.LICENCE_OVERRUN)
            AlertFactory(
                kind=Alert.Kind.REFERRAL_UNDECIDED,
                referral=(referral := ReferralFactory()),
                offender=referral.offender,
            )

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert iom_officer_client.get(reverse("alerts:list")).status_code == 200
        return len(queries)

    make(1)
    with_two = count()
    make(9)
    assert count() == with_two


def test_open_or_acknowledged_lists_every_alert_whose_condition_still_holds(iom_officer_client):
    alert_about(message="Needs action")
    alert_about(status=Alert.Status.ACKNOWLEDGED, acknowledged_by=UserFactory(), message="In hand")
    alert_about(status=Alert.Status.RESOLVED, resolved_at=timezone.now(), message="Old news")

    content = iom_officer_client.get(reverse("alerts:list"), {"status": "unresolved"}).content.decode()

    assert "Needs action" in content and "In hand" in content and "Old news" not in content


@pytest.mark.parametrize("rows", [2, 20])
def test_a_page_of_alerts_takes_a_fixed_number_of_queries(
    iom_officer_client, django_assert_num_queries, rows
):
    for n in range(rows):
        status = Alert.Status.ACKNOWLEDGED if n % 2 else Alert.Status.OPEN
        alert_about(kind=Alert.Kind.LICENCE_OVERRUN, status=status, acknowledged_by=UserFactory())
    url = reverse("alerts:list")
    iom_officer_client.get(url)
    # session, user, membership; the count and the page; who acknowledged them; the header count;
    # the access log
    with django_assert_num_queries(8):
        assert iom_officer_client.get(url, {"status": "unresolved"}).status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_an_agency_workers_alerts_take_a_fixed_number_of_queries(
    client, agency, django_assert_num_queries, rows
):
    worker = user_with_role(Role.AGENCY_WORKER, agency)
    for _ in range(rows):
        placement = PlacementFactory(status=Placement.Status.ACTIVE, arrived_on=timezone.localdate())
        SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=agency)
        AlertFactory(
            kind=Alert.Kind.VISIT_MISSED, offender=placement.offender, placement=placement, agency=agency
        )
    client.force_login(worker)
    url = reverse("alerts:list")
    client.get(url)
    # session, user, membership; the count and the page; the header count; the access log
    with django_assert_num_queries(7):
        page = client.get(url)
    assert len(page.context["page"].object_list) == min(rows, 25)


def test_scheme_managers_see_when_the_canary_last_ran(scheme_manager_client, iom_officer):
    response = scheme_manager_client.get(reverse("placements:dashboard"))
    assert "The canary job has not run in the last 15 minutes" in response.content.decode()
    tasks.canary.delay()
    content = scheme_manager_client.get(reverse("placements:dashboard")).content.decode()
    assert "canary" in content and "has not run in the last 15 minutes" not in content
    officer = Client()
    officer.force_login(iom_officer)
    assert "Scheduled jobs" not in officer.get(reverse("placements:dashboard")).content.decode()
    JobRun.objects.filter(name="canary").update(last_run_at=timezone.now() - timedelta(minutes=20))
    late = scheme_manager_client.get(reverse("placements:dashboard")).content.decode()
    assert "has not run in the last 15 minutes" in late


# The daily digest ---------------------------------------------------------------------------------


@pytest.fixture
def officers(iom_officer):
    other = user_with_role(Role.IOM_OFFICER, iom_officer.membership.agency, email="other@example.org")
    return iom_officer, other


def test_each_officer_gets_their_open_alerts_once(officers, mailoutbox):
    mine, theirs = officers
    offender = OffenderFactory(last_name="Quillfeather")  # no factory's name; Faker's include "May"
    offender.responsible_officers.add(mine)
    alert_about(offender, kind=Alert.Kind.LICENCE_OVERRUN)
    other_person = OffenderFactory()
    other_person.responsible_officers.add(theirs)
    alert_about(other_person)
    alert_about(offender, status=Alert.Status.ACKNOWLEDGED)  # being dealt with: not in the digest

    assert tasks.send_digests.delay().get() == 2
    to_me = [m for m in mailoutbox if m.to == [mine.email]]
    assert len(to_me) == 1 and "Licence term overrun: 1" in to_me[0].body
    assert "Quillfeather" not in to_me[0].body  # no names by email
    assert "/alerts/" in to_me[0].body

    mailoutbox.clear()
    tasks.send_digests.delay()
    assert mailoutbox == []  # nothing new: nobody gets the same alert twice
    alert_about(offender, kind=Alert.Kind.VISIT_MISSED)
    tasks.send_digests.delay()
    assert len(mailoutbox) == 1 and "No visit in 7 days: 1" in mailoutbox[0].body
    assert "Licence term overrun" not in mailoutbox[0].body


def test_alerts_about_people_with_no_responsible_officer_go_to_every_officer(officers, mailoutbox):
    alert_about()
    tasks.send_digests.delay()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(o.email for o in officers)
    assert AlertNotice.objects.count() == 2


def test_a_failed_digest_records_nothing_and_the_retry_sends_it(iom_officer, mailoutbox, monkeypatch):
    alert_about()

    def down(message, *args, **kwargs):
        raise SMTPException("mail server down")

    real_send = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", down)
    with pytest.raises(SMTPException):
        digest_send(user_id=iom_officer.pk)
    assert not AlertNotice.objects.exists()
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert digest_send(user_id=iom_officer.pk) == 1
    assert digest_send(user_id=iom_officer.pk) == 0
    assert len(mailoutbox) == 1


def test_email_tasks_retry_with_backoff_when_the_mail_server_fails():
    for task in (tasks.send_digest, tasks.send_concern_email):
        assert SMTPException in task.autoretry_for and task.retry_backoff and task.max_retries
        assert task.time_limit and task.soft_time_limit < task.time_limit
