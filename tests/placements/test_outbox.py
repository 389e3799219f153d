"""The outbox that hands background work to Celery (docs/adr/005-durable-task-handoff.md): one
message per event, written with the change or not at all, handed over again by the sweep until a
worker has done it, never done twice; and report files asked for while the broker is down."""

from datetime import date, timedelta
from smtplib import SMTPException

import pytest
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from agencies.services import visit_record
from alerts.tasks import send_concern_email
from iom_housing.celery import app
from outbox.models import OutboxMessage
from outbox.services import STALE_AFTER, outbox_add, outbox_key, outbox_prune, outbox_resend, outbox_waiting
from reports.models import ReportExport
from reports.tasks import make_report_export
from tests import broker
from tests.agencies.helpers import answers, supported_placement
from tests.broker import redis_comes_back
from tests.reports.test_report_pages import PERIOD

pytestmark = pytest.mark.django_db
redis_at, redis_down = broker.redis_at, broker.redis_down  # the fixtures


def _concern(placement, by) -> None:
    visit_record(placement_id=placement.pk, by=by, **answers(concern_raised=True, concern="Worried"))


def test_a_message_is_written_once_per_event():
    with transaction.atomic():
        first = outbox_add(task=send_concern_email, args=[41])
        again = outbox_add(task=send_concern_email, args=[41])
        other = outbox_add(task=send_concern_email, args=[42])
    assert first.pk == again.pk != other.pk
    assert OutboxMessage.objects.count() == 2


def test_a_rolled_back_change_leaves_no_message_and_hands_nothing_over(
    agency, agency_worker, iom_officer, mailoutbox, django_capture_on_commit_callbacks
):
    placement = supported_placement(agency)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _concern(placement, agency_worker)
        raise RuntimeError("the request failed after the visit was written")
    assert callbacks == [] and not OutboxMessage.objects.exists() and mailoutbox == []


def test_a_saved_change_hands_its_message_over_at_once(
    agency, agency_worker, iom_officer, mailoutbox, django_capture_on_commit_callbacks
):
    placement = supported_placement(agency)
    with django_capture_on_commit_callbacks(execute=True):
        _concern(placement, agency_worker)
    message = OutboxMessage.objects.get()
    assert message.done_at is not None and message.attempts == 1
    assert [m.to for m in mailoutbox] == [[iom_officer.email]]
    assert not outbox_waiting().exists()


def test_a_failed_email_gives_its_claim_back_for_its_retry(
    agency, agency_worker, iom_officer, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    placement = supported_placement(agency)
    real_send = EmailMessage.send

    def down(message, *args, **kwargs):
        raise SMTPException("mail server down")

    monkeypatch.setattr(EmailMessage, "send", down)
    with django_capture_on_commit_callbacks(execute=True):
        _concern(placement, agency_worker)  # the eager task fails: logged, the visit stands
    message = OutboxMessage.objects.get()
    assert message.done_at is None and message.claimed_until is None
    # Its own retries (Celery's backoff) run it again; the sweep leaves it to them for a while.
    assert not outbox_waiting().exists()
    assert outbox_waiting(now=timezone.now() + STALE_AFTER + timedelta(seconds=1)).get() == message
    monkeypatch.setattr(EmailMessage, "send", real_send)
    alert_id = message.args[0]
    assert send_concern_email(alert_id) == 1
    assert OutboxMessage.objects.get().done_at is not None
    assert [m.to for m in mailoutbox] == [[iom_officer.email]]


def test_a_message_the_broker_lost_is_handed_over_again_after_a_while(
    agency,
    agency_worker,
    iom_officer,
    mailoutbox,
    monkeypatch,
    time_machine,
    django_capture_on_commit_callbacks,
):
    placement = supported_placement(agency)
    # The broker took the message and lost it (a Redis restarted without its data): publishing
    # "works" and nothing runs.
    published = []
    with monkeypatch.context() as lost:
        lost.setattr(send_concern_email, "apply_async", lambda *args, **kwargs: published.append(kwargs))
        with django_capture_on_commit_callbacks(execute=True):
            _concern(placement, agency_worker)
        assert len(published) == 1 and OutboxMessage.objects.get().published_at is not None
        assert outbox_resend() == 0  # not yet: it may still be on its way
        assert len(published) == 1
    time_machine.move_to(timezone.now() + STALE_AFTER + timedelta(minutes=1))
    assert outbox_resend() == 1
    assert [m.to for m in mailoutbox] == [[iom_officer.email]]
    assert outbox_resend() == 0


def test_a_sweep_stops_at_the_first_message_a_down_broker_refuses(redis_down, monkeypatch):
    from outbox import services

    for alert_id in (1, 2, 3):
        outbox_add(task=send_concern_email, args=[alert_id])  # not committed: nothing handed over yet
    tries = []
    real_hand_over = services._hand_over
    monkeypatch.setattr(
        services, "_hand_over", lambda message: tries.append(message) or real_hand_over(message)
    )
    assert outbox_resend() == 0
    assert len(tries) == 1  # not three waits on a broker that is down
    assert outbox_waiting().count() == 3  # all still waiting, for the next sweep


def test_done_messages_are_deleted_after_30_days():
    now = timezone.now()
    OutboxMessage.objects.create(task="t", key="old", done_at=now - timedelta(days=31))
    recent = OutboxMessage.objects.create(task="t", key="recent", done_at=now - timedelta(days=29))
    waiting = OutboxMessage.objects.create(task="t", key="waiting")
    OutboxMessage.objects.filter(pk=waiting.pk).update(created_at=now - timedelta(days=90))
    assert outbox_prune() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_beat_hands_waiting_messages_over_every_minute():
    entry = app.conf.beat_schedule["outbox-resend"]
    app.loader.import_default_modules()  # as a worker does at start
    assert entry["task"] in app.tasks and entry["schedule"] == 60.0


# Report files -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_report_file_asked_for_while_redis_is_down_is_made_when_it_is_back(
    redis_down, opcc_client, settings
):
    settings.REPORT_SYNC_MAX_DAYS = 10
    response = opcc_client.get("/reports/download/", {**PERIOD, "format": "csv"})
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{export.pk}/"
    assert export.status == ReportExport.Status.QUEUED
    assert opcc_client.get(response["Location"]).status_code == 200
    assert OutboxMessage.objects.get().args == [str(export.pk)]

    redis_comes_back()
    assert outbox_resend() == 1
    export.refresh_from_db()
    assert export.status == ReportExport.Status.READY and export.path.exists()


def test_a_file_left_half_made_by_a_killed_worker_is_made_once_its_claim_expires(opcc_analyst, time_machine):
    export = ReportExport.objects.create(
        requested_by=opcc_analyst,
        audience="published",
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        format="csv",
        status=ReportExport.Status.RUNNING,  # the worker died while building it
        expires_at=timezone.now() + timedelta(hours=24),
    )
    OutboxMessage.objects.create(
        task=make_report_export.name,
        key=outbox_key(make_report_export.name, [str(export.pk)]),
        args=[str(export.pk)],
        published_at=timezone.now(),
        claimed_until=timezone.now() + timedelta(minutes=6),
    )
    make_report_export(str(export.pk))  # redelivered at once: the claim is still held
    export.refresh_from_db()
    assert export.status == ReportExport.Status.RUNNING
    time_machine.move_to(timezone.now() + timedelta(minutes=7))
    assert outbox_resend() == 1
    export.refresh_from_db()
    assert export.status == ReportExport.Status.READY
