"""Emails to the member of staff who made a referral, when it is decided and when a place is
booked on it. Like the alert emails (alerts/notifications.py) they name no one and quote nothing,
since they may travel over ordinary email: the referral's date, the agency's own reference and a
link to sign in and read it. Queued through the outbox in the transaction of the change
(`referrals.services.referral_event_record`), so an email is sent once the change commits, and
once only (the outbox's claim)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from iom_housing.dates import day
from iom_housing.i18n import written_for
from referrals.models import ReferralEvent

# The events the referrer is told about (lazy: written in the referrer's language when sent).
NEWS = {
    ReferralEvent.Kind.ACCEPTED: (
        gettext_lazy("IOM Housing: your referral was accepted"),
        gettext_lazy(
            "Your referral of %(received)s%(reference)s was accepted on %(when)s. The IOM team will book a place."
        ),
    ),
    ReferralEvent.Kind.DECLINED: (
        gettext_lazy("IOM Housing: your referral was declined"),
        gettext_lazy(
            "Your referral of %(received)s%(reference)s was declined on %(when)s. The reason is on the referral."
        ),
    ),
    ReferralEvent.Kind.PLACED: (
        gettext_lazy("IOM Housing: a place was booked for your referral"),
        gettext_lazy("A place was booked on %(when)s for your referral of %(received)s%(reference)s."),
    ),
}


def referrer_email_send(*, event_id: int) -> int:
    """Email the referrer about one event of their referral; 1 if sent, 0 if there is no one to
    tell (a referral made over the API, or a referrer with no email, no longer active or no longer
    at the referring agency)."""
    event = (
        ReferralEvent.objects.select_related("referral__submitted_by__membership").filter(pk=event_id).first()
    )
    if event is None or event.kind not in NEWS:
        return 0
    referral = event.referral
    to = referral.submitted_by
    if to is None or not to.is_active or not to.email:
        return 0
    # A referrer since moved to another agency (or left without a role) is no longer told of the
    # old agency's referrals: news of a referral follows the agency, as its pages do.
    membership = getattr(to, "membership", None)
    if membership is None or not membership.active or membership.agency_id != referral.referring_agency_id:
        return 0
    with written_for(to):
        _email(event, to).send()
    return 1


def _email(event: ReferralEvent, to) -> EmailMessage:
    referral = event.referral
    subject, sentence = NEWS[ReferralEvent.Kind(event.kind)]
    reference = (
        _(" (your reference %(ref)s)") % {"ref": referral.external_ref} if referral.external_ref else ""
    )
    body = (
        sentence
        % {"received": day(referral.submitted_at), "reference": reference, "when": day(event.occurred_at)}
        + "\n\n"
        + _("Sign in to IOM Housing to see it: %(url)s")
        % {"url": settings.SITE_URL.rstrip("/") + referral.get_absolute_url()}
        + "\n\n"
        + _("This email does not name the person, so that no personal details travel by email.")
    )
    return EmailMessage(
        subject=str(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to.email]
    )
