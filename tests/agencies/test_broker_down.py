"""Fault injection: Redis (the Celery broker and the cache) unreachable, hung, or a worker killed
mid-task, while visits with concerns are recorded in the browser and over the API.

The change must be saved once and the request succeed; the concern's email waits in the outbox
and reaches each IOM officer exactly once when the broker answers again
(docs/adr/005-durable-task-handoff.md). Transactional tests: commits and `on_commit` run for real."""

import socket
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from agencies.models import HomeVisit
from agencies.services import visit_record
from alerts.models import Alert, AlertNotice
from alerts.tasks import send_concern_email
from iom_housing.access import Role
from iom_housing.celery import app
from outbox.models import OutboxMessage
from outbox.services import outbox_resend
from tests import broker
from tests.agencies.helpers import answers, supported_placement
from tests.agencies.test_api_visits import body, in_residence
from tests.agencies.test_pages import _form
from tests.broker import REAL_BROKER, REDIS_DOWN, point_broker_at, redis_comes_back
from tests.factories import AgencyFactory
from tests.helpers import in_two_threads, user_with_role

pytestmark = pytest.mark.django_db(transaction=True)
redis_at, redis_down = broker.redis_at, broker.redis_down  # the fixtures


@pytest.fixture
def officers(agency):
    """Three IOM officers with an address: three emails per concern."""
    team = AgencyFactory(name="IOM team")
    return [user_with_role(Role.IOM_OFFICER, team, email=f"officer{n}@example.org") for n in range(3)]


def concern_emails(mailoutbox) -> list[str]:
    return sorted(to for message in mailoutbox for to in message.to)


def _record_in_the_browser(agency_worker_client, placement, marker: str):
    return agency_worker_client.post(
        reverse("agencies:visit-record", args=[placement.public_id]),
        _form(concern_raised="on", concern=f"Visitors late at night {marker}"),
    )


def test_with_redis_down_a_visit_with_a_concern_is_saved_once_and_its_emails_go_when_it_is_back(
    redis_down, agency_worker_client, agency, officers, mailoutbox
):
    placement = supported_placement(agency)
    started = time.monotonic()
    response = _record_in_the_browser(agency_worker_client, placement, "QX7-marker")
    assert time.monotonic() - started < 5  # a refused connection is not waited on
    assert response.status_code == 302 and response["Location"] == placement.get_absolute_url()
    assert HomeVisit.objects.filter(placement=placement, concern__contains="QX7-marker").count() == 1
    alert = Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN)
    message = OutboxMessage.objects.get()
    assert (message.task, message.args, message.published_at, message.done_at) == (
        "agencies.send_concern_email",
        [alert.pk],
        None,
        None,
    )
    assert mailoutbox == []

    # A beat sweep while Redis is still down hands nothing over and loses nothing.
    assert outbox_resend() == 0
    assert OutboxMessage.objects.get().published_at is None

    redis_comes_back()
    assert outbox_resend() == 1
    assert concern_emails(mailoutbox) == [officer.email for officer in officers]
    assert OutboxMessage.objects.get().done_at is not None
    # Sweeps run again, the task is redelivered: nobody is emailed twice.
    assert outbox_resend() == 0
    assert send_concern_email(alert.pk) == 0
    assert len(mailoutbox) == 3
    # The emails still name no one.
    assert all(placement.offender.last_name not in m.body and "QX7-marker" not in m.body for m in mailoutbox)


def test_with_redis_down_the_api_records_the_visit_and_answers_201(
    redis_down, api_client_for, officers, mailoutbox
):
    ddas = AgencyFactory(name="Drug and alcohol service", code="ddas")
    api = api_client_for(ddas)  # the token is fetched before Redis goes down, as a client's would be
    placement = in_residence(ddas)
    data = body(placement, concern_raised=True, concern="Visitors at night.")
    response = api.post("/api/v1/visits/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201, response.content
    assert HomeVisit.objects.filter(placement=placement).count() == 1
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 1
    # The client's retry (it did not see the answer) replays it, recording nothing more.
    again = api.post("/api/v1/visits/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert HomeVisit.objects.filter(placement=placement).count() == 1

    redis_comes_back()
    outbox_resend()
    assert concern_emails(mailoutbox) == [officer.email for officer in officers]


def test_the_sweeps_command_sends_what_waited_even_while_redis_is_still_down(
    redis_down, agency_worker_client, agency, officers, mailoutbox
):
    placement = supported_placement(agency)
    _record_in_the_browser(agency_worker_client, placement, "cmd")
    call_command("run_sweeps", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the test
    assert concern_emails(mailoutbox) == [officer.email for officer in officers]
    call_command("run_sweeps", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mailoutbox) == 3


def test_a_hung_redis_holds_a_visit_up_for_seconds_not_for_ever(
    redis_at, agency_worker_client, agency, officers
):
    # A Redis that accepts connections and never answers (frozen, or out of memory and swapping).
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(
        target=lambda: accepted.extend(listener.accept() for _ in range(20)), daemon=True
    ).start()
    redis_at(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    placement = supported_placement(agency)
    try:
        started = time.monotonic()
        response = _record_in_the_browser(agency_worker_client, placement, "hung")
        waited = time.monotonic() - started
    finally:
        listener.close()
    assert response.status_code == 302
    assert waited < 8, f"the request waited {waited:.1f} s on a hung broker"
    assert HomeVisit.objects.filter(placement=placement).count() == 1
    assert OutboxMessage.objects.get().published_at is None


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside the task: nothing after it runs (no except Exception)."""


def test_a_worker_killed_mid_task_leaves_the_email_to_be_sent_once_later(
    redis_down, agency_worker_client, agency, officers, mailoutbox, monkeypatch, time_machine
):
    placement = supported_placement(agency)
    _record_in_the_browser(agency_worker_client, placement, "killed")
    alert = Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN)
    redis_comes_back()

    real_send = EmailMessage.send

    def dies_on_the_second(message, *args, **kwargs):
        if message.to == [officers[1].email]:
            raise WorkerKilled
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", dies_on_the_second)
    with pytest.raises(WorkerKilled):
        send_concern_email(alert.pk)
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert concern_emails(mailoutbox) == [officers[0].email]
    # The claim outlives the worker: a redelivery or a sweep now does nothing...
    assert send_concern_email(alert.pk) == 0
    assert outbox_resend() == 0
    # ...until the claim expires (the task's time limit and a minute), when the sweep hands it over.
    time_machine.move_to(timezone.now() + timedelta(seconds=send_concern_email.time_limit + 61))
    assert outbox_resend() == 1
    assert concern_emails(mailoutbox) == [officer.email for officer in officers]
    assert AlertNotice.objects.filter(alert=alert).count() == 3
    assert outbox_resend() == 0 and len(mailoutbox) == 3


def test_a_worker_killed_as_the_mail_server_took_an_email_sends_that_one_again_with_its_message_id(
    redis_down, agency_worker_client, agency, officers, mailoutbox, monkeypatch, time_machine
):
    # The one window no bookkeeping closes: the mail server has the email, the worker dies before
    # its commit. That officer is emailed again (never not at all), as the same message.
    placement = supported_placement(agency)
    _record_in_the_browser(agency_worker_client, placement, "in-flight")
    alert = Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN)
    redis_comes_back()
    real_send = EmailMessage.send

    def dies_once_sent(message, *args, **kwargs):
        real_send(message, *args, **kwargs)
        if message.to == [officers[1].email]:
            raise WorkerKilled

    with monkeypatch.context() as killed:
        killed.setattr(EmailMessage, "send", dies_once_sent)
        with pytest.raises(WorkerKilled):
            send_concern_email(alert.pk)
    time_machine.move_to(timezone.now() + timedelta(seconds=send_concern_email.time_limit + 61))
    assert outbox_resend() == 1
    assert concern_emails(mailoutbox) == sorted([*(officer.email for officer in officers), officers[1].email])
    twice = [m.extra_headers["Message-ID"] for m in mailoutbox if m.to == [officers[1].email]]
    host = urlsplit(django_settings.SITE_URL).hostname
    assert twice[0] == twice[1] == f"<iom-housing.concern.{alert.pk}.{officers[1].pk}@{host}>"
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 3


def test_two_workers_running_the_same_email_send_it_once(
    agency_worker, agency, officers, mailoutbox, monkeypatch
):
    placement = supported_placement(agency)
    app.conf.task_always_eager = False  # recorded while the broker is "down": nothing runs yet
    point_broker_at(REDIS_DOWN)
    try:
        visit_record(placement_id=placement.pk, by=agency_worker, **answers(concern_raised=True, concern="x"))
    finally:
        redis_comes_back()
    alert = Alert.objects.get(kind=Alert.Kind.VISIT_CONCERN)
    real_send = EmailMessage.send

    def slow(message, *args, **kwargs):
        time.sleep(0.3)  # the second worker arrives while the first is sending
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", slow)
    results = []

    def worker():
        try:
            results.append(send_concern_email(alert.pk))
        finally:
            connection.close()

    in_two_threads(worker)
    assert sorted(results) == [0, 3]
    assert concern_emails(mailoutbox) == [officer.email for officer in officers]


# The API answers 503 only where it truly cannot work ----------------------------------------------


def test_the_api_answers_503_with_retry_after_while_the_database_restarts(api_client_for, monkeypatch):
    ddas = AgencyFactory(name="Drug and alcohol service", code="ddas")
    api = api_client_for(ddas)
    placement = in_residence(ddas)

    def restarting(**kwargs):
        # What a PostgreSQL restart does to every open connection (a fast shutdown).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    data = body(placement)
    with monkeypatch.context() as restart:
        restart.setattr("agencies.api.visit_record", restarting)
        response = api.post(
            "/api/v1/visits/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2"
        )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert int(response["Retry-After"]) > 0
    assert "Retry-After" in response.json()["detail"]
    assert not HomeVisit.objects.exists()
    # Back up: the same request with the same key records it (the failed one stored no reply).
    retried = api.post("/api/v1/visits/", data, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert retried.status_code == 201 and HomeVisit.objects.count() == 1


def test_a_real_worker_sends_what_waited_once_redis_is_back(
    redis_down, agency_worker_client, agency, officers, mailoutbox
):
    if not django_settings.REDIS_URL:
        reason = "REDIS_URL is not set: no broker for a real Celery worker (CI sets it)"
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    from celery.contrib.testing.worker import start_worker

    placement = supported_placement(agency)
    _record_in_the_browser(agency_worker_client, placement, "real")
    assert OutboxMessage.objects.get().published_at is None
    point_broker_at(REAL_BROKER)  # Redis is back; tasks still go through it to the worker
    app.control.purge()
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING"):
        assert outbox_resend() == 1
        deadline = time.monotonic() + 20
        while len(mailoutbox) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert concern_emails(mailoutbox) == [officer.email for officer in officers]
        deadline = time.monotonic() + 5
        while OutboxMessage.objects.get().done_at is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert OutboxMessage.objects.get().done_at is not None
        assert outbox_resend() == 0
    assert len(mailoutbox) == 3
