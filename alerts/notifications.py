"""Emails about alerts: each IOM officer's daily digest of new open alerts, and the immediate
email about a concern raised on a visit.

Each email is recorded as an `AlertNotice` (unique per recipient, alert and kind of email) in the
same transaction that sends it: if the mail server fails, the transaction rolls back and the task
retries with nothing recorded; a retry or a second worker finds the notice and sends nothing.
The concern email is written to the outbox with its visit (`alerts.services.concern_raise`),
so it is sent even if the broker was down when the visit was saved (docs/adr/005).
Emails name no one and quote nothing: they may travel over ordinary email, and the details are
read after signing in.
"""

from collections import Counter
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import Alert, AlertNotice
from iom_housing.access import Role
from iom_housing.dates import day
from iom_housing.i18n import written_for
from referrals.models import Offender


def iom_officers():
    """Active IOM officers with an email address: the people alerts are emailed to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__active=True, membership__role=Role.IOM_OFFICER)
        .exclude(email="")
        .select_related("membership")  # each is written to in their own language
    )


def digest_alerts(user):
    """Open alerts for `user`'s digest: about people they are a responsible officer for, or
    about people with no responsible officer (so that nothing falls between officers), not yet
    in one of their digests."""
    no_officer = ~Exists(
        Offender.responsible_officers.through.objects.filter(offender_id=OuterRef("offender_id"))
    )
    return (
        Alert.objects.filter(status=Alert.Status.OPEN)
        .filter(Q(offender__responsible_officers=user) | no_officer)
        .exclude(notices__recipient=user, notices__channel=AlertNotice.Channel.DIGEST)
        .distinct()
        .order_by("due_on", "pk")
    )


def _site_link(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


def _message_id(what: str) -> str:
    """The same Message-ID each time the same email is sent (ids only: it travels with the mail)."""
    return f"<iom-housing.{what}@{urlsplit(settings.SITE_URL).hostname or 'iom-housing.invalid'}>"


def digest_send(*, user_id: int) -> int:
    """Email one officer the open alerts they have not been told about; returns how many."""
    with transaction.atomic():
        # The officer's row lock serialises two digests for the same officer (a retried task
        # running beside the original, say): the second waits and then finds nothing new.
        user = iom_officers().select_for_update(of=("self",)).filter(pk=user_id).first()
        if user is None:
            return 0
        alerts = list(digest_alerts(user))
        if not alerts:
            return 0
        AlertNotice.objects.bulk_create(
            [AlertNotice(alert=alert, recipient=user, channel=AlertNotice.Channel.DIGEST) for alert in alerts]
        )
        with written_for(user):
            _digest(user, alerts).send()
    return len(alerts)


def _digest(user, alerts: list[Alert]) -> EmailMessage:
    counts = Counter(alert.get_kind_display() for alert in alerts)
    lines = [f"- {kind}: {count}" for kind, count in sorted(counts.items())]
    count = len(alerts)
    body = ngettext(
        "%(count)s new alert needs action in IOM Housing:\n\n%(lines)s\n\n"
        "Sign in to see who it is about and what to do: %(url)s\n\n"
        "This email does not name anyone, so that no personal details travel by email. "
        "Each alert is in one digest only; open alerts stay on your dashboard until they are dealt with.",
        "%(count)s new alerts need action in IOM Housing:\n\n%(lines)s\n\n"
        "Sign in to see who they are about and what to do: %(url)s\n\n"
        "This email does not name anyone, so that no personal details travel by email. "
        "Each alert is in one digest only; open alerts stay on your dashboard until they are dealt with.",
        count,
    ) % {"count": count, "lines": "\n".join(lines), "url": _site_link("alerts:list")}
    return EmailMessage(
        subject=ngettext(
            "IOM Housing: %(count)s new alert, %(day)s", "IOM Housing: %(count)s new alerts, %(day)s", count
        )
        % {"count": count, "day": day(timezone.localdate())},
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def concern_email_send(*, alert_id: int) -> int:
    """Email each IOM officer about a concern alert, once each; returns how many were emailed."""
    alert = Alert.objects.select_related("agency", "visit").filter(pk=alert_id).first()
    if alert is None or alert.status != Alert.Status.OPEN:
        return 0  # gone, or acknowledged before the email went
    sent = 0
    for officer in iom_officers().order_by("email"):
        # One transaction per officer: the notice's unique key is taken before sending, so a
        # second worker waits on it and then skips; a failed send rolls the notice back. A worker
        # killed after the mail server took the email but before the commit sends it again later
        # (never none): with the same Message-ID, so that mail clients can show it once.
        with transaction.atomic():
            _notice, created = AlertNotice.objects.get_or_create(
                alert=alert, recipient=officer, channel=AlertNotice.Channel.CONCERN
            )
            if not created:
                continue
            with written_for(officer):
                _concern_email(alert, officer).send()
        sent += 1
    return sent


def _concern_email(alert: Alert, officer) -> EmailMessage:
    when = day(alert.visit.visited_at if alert.visit else alert.raised_at)
    agency = alert.agency.name if alert.agency else _("A partner agency")
    body = _(
        "%(agency)s raised a concern on a visit on %(when)s.\n\n"
        "Sign in to IOM Housing to read it: it is on your dashboard and under Alerts "
        "until someone acknowledges it: %(url)s\n\n"
        "This email does not name the person, so that no personal details travel by email."
    ) % {"agency": agency, "when": when, "url": _site_link("alerts:list")}
    return EmailMessage(
        subject=_("IOM Housing: a concern was raised on a visit"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[officer.email],
        headers={"Message-ID": _message_id(f"concern.{alert.pk}.{officer.pk}")},
    )
