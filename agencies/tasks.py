"""Background jobs for partner agencies: telling the IOM team by email about a concern on a visit."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from iom_housing.access import Role
from placements.models import Alert


@shared_task(name="agencies.send_concern_email")
def send_concern_email(alert_id: int) -> int:
    """Email every active IOM officer about a concern alert; returns how many were emailed.

    The email names no one and quotes nothing: it may travel over ordinary email, and the
    concern itself is read on the dashboard after signing in.
    """
    if not settings.EMAIL_HOST:
        return 0
    alert = Alert.objects.select_related("agency", "visit").filter(pk=alert_id).first()
    if alert is None or alert.status != Alert.Status.OPEN:
        return 0  # withdrawn, or already acknowledged before the email went
    officers = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            membership__active=True,
            membership__role=Role.IOM_OFFICER,
        )
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    if not officers:
        return 0
    when = formats.date_format(
        timezone.localtime(alert.visit.visited_at if alert.visit else alert.raised_at), "j F Y"
    )
    agency = alert.agency.name if alert.agency else _("A partner agency")
    body = _(
        "%(agency)s raised a concern on a visit on %(when)s.\n\n"
        "Sign in to IOM Housing to read it: it is on your dashboard under “Concerns raised on visits” "
        "until someone acknowledges it.\n\n"
        "This email does not name the person, so that no personal details travel by email."
    ) % {"agency": agency, "when": when}
    EmailMessage(
        subject=_("IOM Housing: a concern was raised on a visit"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=officers,
    ).send()
    return len(officers)
