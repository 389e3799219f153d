"""The database's own rules for offenders, their offending and compliance events, and referrals:
rows written directly (no services) that break a rule are refused, and the nearest rows that keep
it are accepted. Each refusal is matched on the constraint's name."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from referrals.models import Ethnicity, Offender, OffenderEvent, Referral
from tests.factories import AgencyFactory, OffenderEventFactory, OffenderFactory, ReferralFactory

pytestmark = pytest.mark.django_db

Status = Referral.Status
SUBMITTED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
DECIDED_AT = SUBMITTED_AT + timedelta(days=2)


# --- Offenders --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [("pnc_id", "2004/0123456X", "offender_pnc_id_unique"), ("crn", "X123456", "offender_crn_unique")],
)
def test_two_offenders_with_the_same_identifier_are_refused(field, value, constraint):
    OffenderFactory(**{field: value})

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        OffenderFactory(**{field: value})


@pytest.mark.parametrize(
    ("field", "first", "second", "constraint"),
    [
        ("pnc_id", "2004/0123456X", "2004/0123456x", "offender_pnc_id_unique"),
        ("crn", "X123456", "x123456", "offender_crn_unique"),
    ],
)
def test_identifiers_differing_only_in_case_are_the_same_person(field, first, second, constraint):
    OffenderFactory(**{field: first})

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        OffenderFactory(**{field: second})


@pytest.mark.parametrize("field", ["pnc_id", "crn"])
def test_two_offenders_without_an_identifier_are_allowed(field):
    OffenderFactory(**{field: ""})
    OffenderFactory(**{field: ""})

    assert Offender.objects.filter(**{field: ""}).count() == 2


def test_offender_with_an_unknown_ethnicity_is_refused():
    with pytest.raises(IntegrityError, match="offender_ethnicity_valid"), transaction.atomic():
        OffenderFactory(ethnicity="white")


@pytest.mark.parametrize("ethnicity", [Ethnicity.NOT_STATED, Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN])
def test_offender_with_an_ons_ethnicity_is_allowed(ethnicity):
    assert OffenderFactory(ethnicity=ethnicity).ethnicity == ethnicity


def test_supervision_licence_ending_before_it_starts_is_refused():
    with pytest.raises(IntegrityError, match="offender_licence_dates_in_order"), transaction.atomic():
        OffenderFactory(licence_starts_on=date(2026, 3, 2), licence_ends_on=date(2026, 3, 1))


@pytest.mark.parametrize(
    ("starts_on", "ends_on"),
    [(date(2026, 3, 2), date(2026, 3, 2)), (None, date(2026, 3, 1)), (date(2026, 3, 2), None)],
    ids=["same-day", "start-unknown", "end-unknown"],
)
def test_supervision_licence_dates_in_order_or_partly_unknown_are_allowed(starts_on, ends_on):
    offender = OffenderFactory(licence_starts_on=starts_on, licence_ends_on=ends_on)

    assert (offender.licence_starts_on, offender.licence_ends_on) == (starts_on, ends_on)


# --- Offending and compliance events ------------------------------------------------------------------


@pytest.mark.parametrize("kind", OffenderEvent.OFFENDING_KINDS)
def test_offending_event_without_an_offence_category_is_refused(kind):
    with pytest.raises(IntegrityError, match="offenderevent_offence_has_category"), transaction.atomic():
        OffenderEventFactory(kind=kind, offence_category="")


@pytest.mark.parametrize("kind", OffenderEvent.COMPLIANCE_KINDS)
def test_compliance_event_without_an_offence_category_is_allowed(kind):
    assert OffenderEventFactory(kind=kind, offence_category="").offence_category == ""


# --- Referrals --------------------------------------------------------------------------------------------


def test_same_external_ref_twice_at_one_agency_is_refused():
    referral = ReferralFactory(external_ref="CASE-1")

    with pytest.raises(IntegrityError, match="referral_external_ref_unique_per_agency"), transaction.atomic():
        ReferralFactory(referring_agency=referral.referring_agency, external_ref="CASE-1")


def test_same_external_ref_at_two_agencies_is_allowed():
    ReferralFactory(external_ref="CASE-1", referring_agency=AgencyFactory())
    ReferralFactory(external_ref="CASE-1", referring_agency=AgencyFactory())

    assert Referral.objects.filter(external_ref="CASE-1").count() == 2


def test_two_referrals_without_an_external_ref_at_one_agency_are_allowed():
    agency = AgencyFactory()
    ReferralFactory(referring_agency=agency, external_ref="")
    ReferralFactory(referring_agency=agency, external_ref="")

    assert agency.referrals.filter(external_ref="").count() == 2


def test_declined_referral_without_a_decline_reason_is_refused():
    with pytest.raises(IntegrityError, match="referral_declined_has_reason"), transaction.atomic():
        ReferralFactory(
            status=Status.DECLINED, submitted_at=SUBMITTED_AT, decided_at=DECIDED_AT, decline_reason=""
        )


def test_declined_referral_with_a_decline_reason_is_allowed():
    referral = ReferralFactory(
        status=Status.DECLINED,
        submitted_at=SUBMITTED_AT,
        decided_at=DECIDED_AT,
        decline_reason=Referral.DeclineReason.NOT_ELIGIBLE,
    )

    assert referral.decline_reason == Referral.DeclineReason.NOT_ELIGIBLE


def _reason_if_declined(status: str) -> str:
    return Referral.DeclineReason.OTHER if status == Status.DECLINED else ""


@pytest.mark.parametrize("status", Referral.DECIDED_STATUSES)
def test_decided_referral_without_a_decision_date_is_refused(status):
    with pytest.raises(IntegrityError, match="referral_decided_has_date"), transaction.atomic():
        ReferralFactory(status=status, decided_at=None, decline_reason=_reason_if_declined(status))


@pytest.mark.parametrize("status", Referral.OPEN_STATUSES)
def test_open_referral_needs_no_decision_date(status):
    assert ReferralFactory(status=status, decided_at=None).decided_at is None


def test_update_deciding_a_referral_without_a_decision_date_is_refused():
    referral = ReferralFactory(status=Status.IN_REVIEW)

    with pytest.raises(IntegrityError, match="referral_decided_has_date"), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(status=Status.ACCEPTED)


def test_referral_decided_before_it_was_submitted_is_refused():
    with pytest.raises(IntegrityError, match="referral_decided_after_submitted"), transaction.atomic():
        ReferralFactory(
            status=Status.ACCEPTED, submitted_at=SUBMITTED_AT, decided_at=SUBMITTED_AT - timedelta(seconds=1)
        )


@pytest.mark.parametrize("delay", [timedelta(0), timedelta(days=3)], ids=["at-once", "days-later"])
def test_referral_decided_at_or_after_submission_is_allowed(delay):
    referral = ReferralFactory(
        status=Status.ACCEPTED, submitted_at=SUBMITTED_AT, decided_at=SUBMITTED_AT + delay
    )

    assert referral.decided_at - referral.submitted_at == delay


@pytest.mark.parametrize("status", ["Declined", "closed", ""])
def test_referral_status_outside_the_workflow_is_refused(status):
    with pytest.raises(IntegrityError, match="referral_status_valid"), transaction.atomic():
        now = timezone.now()
        ReferralFactory(status=status, submitted_at=now, decided_at=now)
