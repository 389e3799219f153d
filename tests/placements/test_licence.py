"""The licence to occupy (placements/services_licence.py): the wording's versions, an agreement
for every term, a person's own conditions, warnings, and ending the licence for a breach.

Today is pinned to Thursday 3 December 2026 (London, winter time: local = UTC)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audit.models import LicenceWarningHistory
from audit.services import offender_erase
from placements import services_licence as licence
from placements.models import (
    AgreementStatus,
    BreachEndingKind,
    DepartureReason,
    Destination,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceWarning,
    LicenceWording,
    PersonCondition,
    Placement,
    WarningLevel,
)
from placements.services import licence_renew, place_offender
from referrals.selectors import offender_timeline
from tests.clock import london
from tests.factories import LicenceTermFactory
from tests.helpers import as_user, refused_writing_nothing
from tests.placements import helpers as h

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
Status = Placement.Status


@pytest.fixture(autouse=True)
def _pinned(time_machine):
    time_machine.move_to(london(2026, 12, 3, 11, 30), tick=False)


def _wording(**changes) -> dict:
    current = licence.licence_wording_current()
    return {
        "title": current.title,
        "conditions": current.conditions,
        "house_rules": current.house_rules,
        "breach": current.breach,
        "contacts": current.contacts,
        "weekly_charge": current.weekly_charge,
        "charge_text": current.charge_text,
        "notice_days": current.notice_days,
    } | changes


@pytest.fixture
def stay():
    """Active since 23 November (10 nights ago), its first term 23 Nov – 21 Dec (28 days)."""
    return h.make_placement(h.make_bedspace(), starts_on=TODAY - timedelta(days=10), status=Status.ACTIVE)


# The wording ----------------------------------------------------------------------------------


def test_each_edit_of_the_wording_is_a_new_version_and_old_agreements_keep_theirs(
    scheme_manager, iom_officer
):
    first = licence.licence_wording_current()
    referral = h.accepted_referral()
    placement = place_offender(
        referral_id=referral.pk, bedspace_id=h.make_bedspace().pk, starts_on=TODAY, by=iom_officer
    )
    old = placement.licence_terms.get().agreement

    second = licence.licence_wording_save(
        **_wording(conditions="Keep the peace.\nPay the charge.", weekly_charge=15),
        by=scheme_manager,
        expected_version=first.version,
    )

    assert second.version == first.version + 1
    assert second.condition_list == ["Keep the peace.", "Pay the charge."]
    old.refresh_from_db()
    assert old.wording_id == first.pk
    term = licence_renew(placement_id=placement.pk, days=14, reason="Awaiting a flat", by=iom_officer)
    assert term.agreement.wording_id == second.pk


def test_an_edit_made_on_an_older_version_is_refused(scheme_manager):
    shown = licence.licence_wording_current().version
    licence.licence_wording_save(**_wording(title="Licence (new)"), by=scheme_manager, expected_version=shown)
    error = refused_writing_nothing(
        lambda: LicenceWording.objects.count(),
        licence.licence_wording_save,
        **_wording(title="Mine"),
        by=scheme_manager,
        expected_version=shown,
    )
    assert "Someone else saved a new version" in error.messages[0]


def test_the_wording_needs_its_text_and_a_notice_of_1_to_28_days(scheme_manager):
    error = refused_writing_nothing(
        lambda: LicenceWording.objects.count(),
        licence.licence_wording_save,
        **_wording(conditions="  ", notice_days=29),
        by=scheme_manager,
    )
    assert set(error.message_dict) == {"conditions", "notice_days"}


def test_the_database_refuses_to_change_a_version():
    wording = licence.licence_wording_current()
    with pytest.raises(Exception, match="cannot be changed"), transaction.atomic():
        LicenceWording.objects.filter(pk=wording.pk).update(title="Rewritten")


# Agreements -----------------------------------------------------------------------------------


def test_a_booking_and_each_renewal_issue_their_own_agreement(iom_officer):
    referral = h.accepted_referral()
    placement = place_offender(
        referral_id=referral.pk, bedspace_id=h.make_bedspace().pk, starts_on=TODAY, by=iom_officer
    )
    licence_renew(placement_id=placement.pk, days=28, reason="Awaiting a flat", by=iom_officer)

    agreements = LicenceAgreement.objects.filter(term__placement=placement).order_by("term__number")
    assert [(a.term.number, a.status, a.issued_on) for a in agreements] == [
        (1, AgreementStatus.ISSUED, TODAY),
        (2, AgreementStatus.ISSUED, TODAY),
    ]


def test_signing_is_recorded_with_its_date_and_cannot_be_recorded_twice(stay, iom_officer):
    agreement = licence.licence_agreement_issue(term=stay.licence_terms.get())
    licence.licence_agreement_record(
        agreement_id=agreement.pk, status=AgreementStatus.SIGNED, responded_on=TODAY, by=iom_officer
    )
    agreement.refresh_from_db()
    assert (agreement.status, agreement.responded_on, agreement.recorded_by) == ("signed", TODAY, iom_officer)
    with pytest.raises(ValidationError, match="cannot be changed this way"):
        licence.licence_agreement_record(
            agreement_id=agreement.pk, status=AgreementStatus.REFUSED, responded_on=TODAY, by=iom_officer
        )


@pytest.mark.parametrize(
    ("responded_on", "message"),
    [
        (TODAY + timedelta(days=1), "today or in the past"),  # tomorrow
        (TODAY - timedelta(days=1), "before the agreement was issued on 3 December 2026"),  # before its issue
    ],
)
def test_a_signature_dated_in_the_future_or_before_the_issue_is_refused(
    stay, iom_officer, responded_on, message
):
    agreement = licence.licence_agreement_issue(term=stay.licence_terms.get())
    error = refused_writing_nothing(
        lambda: list(LicenceAgreement.objects.values_list("status", "responded_on")),
        licence.licence_agreement_record,
        agreement_id=agreement.pk,
        status=AgreementStatus.SIGNED,
        responded_on=responded_on,
        by=iom_officer,
    )
    assert message in error.message_dict["responded_on"][0]


def test_the_database_refuses_a_signature_before_the_issue_or_a_signed_agreement_without_a_date(stay):
    agreement = licence.licence_agreement_issue(term=stay.licence_terms.get())
    for change in ({"status": "signed", "responded_on": TODAY - timedelta(days=1)}, {"status": "refused"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LicenceAgreement.objects.filter(pk=agreement.pk).update(**change)


# A person's own conditions ---------------------------------------------------------------------


def test_an_unsigned_agreement_prints_the_conditions_now_and_a_signed_one_those_of_its_day(
    stay, iom_officer, time_machine
):
    time_machine.move_to(london(2026, 12, 1, 10, 0), tick=False)
    first = licence.licence_agreement_issue(term=stay.licence_terms.get())
    curfew = licence.person_condition_add(
        placement_id=stay.pk, text="  No visitors   after 22:00 ", by=iom_officer
    )
    zone = licence.person_condition_add(
        placement_id=stay.pk, text="Not to enter Aberystwyth harbour", by=iom_officer
    )
    licence.licence_agreement_record(
        agreement_id=first.pk, status=AgreementStatus.SIGNED, responded_on=date(2026, 12, 1), by=iom_officer
    )
    time_machine.move_to(london(2026, 12, 3, 11, 30), tick=False)
    licence.person_condition_remove(placement_id=stay.pk, condition_id=zone.pk, by=iom_officer)
    licence.person_condition_add(placement_id=stay.pk, text="Attend the drug service weekly", by=iom_officer)
    second_term = LicenceTermFactory(
        placement=stay, number=2, starts_on=stay.ends_on, ends_on=stay.ends_on + timedelta(days=7)
    )
    second = licence.licence_agreement_issue(term=second_term)
    first.refresh_from_db()

    assert curfew.text == "No visitors after 22:00"
    # Signed on 1 December: as the conditions stood at the end of that day.
    assert [c.text for c in licence.agreement_conditions(first)] == [
        "No visitors after 22:00",
        "Not to enter Aberystwyth harbour",
    ]
    # Not answered yet: as they stand now.
    assert [c.text for c in licence.agreement_conditions(second)] == [
        "No visitors after 22:00",
        "Attend the drug service weekly",
    ]


def test_a_condition_needs_its_text_within_300_characters(stay, iom_officer):
    for text in ("   ", "x" * 301):
        refused_writing_nothing(
            lambda: PersonCondition.objects.count(),
            licence.person_condition_add,
            placement_id=stay.pk,
            text=text,
            by=iom_officer,
        )


# Warnings -------------------------------------------------------------------------------------


def test_a_warning_names_the_condition_as_worded_and_who_gave_it(stay, iom_officer):
    own = licence.person_condition_add(placement_id=stay.pk, text="No visitors after 22:00", by=iom_officer)
    choices = dict(licence.warning_condition_choices(stay))
    assert f"person:{own.pk}" in choices and "standard:1" in choices

    warning = licence.licence_warning_record(
        placement_id=stay.pk,
        level=WarningLevel.WRITTEN,
        condition=f"person:{own.pk}",
        what_happened="Two visitors found at 23:40.",
        issued_on=TODAY,
        by=iom_officer,
    )
    assert (warning.condition, warning.person_condition, warning.issued_by) == (
        "No visitors after 22:00",
        own,
        iom_officer,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"condition": "standard:99"}, "condition"),
        ({"what_happened": "x" * 1001}, "what_happened"),
        ({"issued_on": TODAY + timedelta(days=1)}, "issued_on"),
        ({"issued_on": TODAY - timedelta(days=11)}, "issued_on"),  # the day before arrival
        ({"level": "stern"}, "level"),
    ],
)
def test_a_warning_with_bad_input_is_refused_by_its_field(stay, iom_officer, changes, field):
    values = {
        "level": WarningLevel.VERBAL,
        "condition": "standard:1",
        "what_happened": "Noise complaint.",
        "issued_on": TODAY,
    } | changes
    error = refused_writing_nothing(
        lambda: LicenceWarning.objects.count(),
        licence.licence_warning_record,
        placement_id=stay.pk,
        by=iom_officer,
        **values,
    )
    assert field in error.message_dict


def test_the_database_limits_what_happened_to_1000_characters(stay, iom_officer):
    warning = licence.licence_warning_record(
        placement_id=stay.pk,
        level="verbal",
        condition="standard:1",
        what_happened="Noise.",
        issued_on=TODAY,
        by=iom_officer,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        LicenceWarning.objects.filter(pk=warning.pk).update(what_happened="x" * 1001)


def test_warnings_have_their_history_show_on_the_timeline_and_erasure_clears_their_text(
    stay, iom_officer, scheme_manager
):
    with as_user(iom_officer):
        warning = licence.licence_warning_record(
            placement_id=stay.pk,
            level="final",
            condition="standard:3",
            what_happened="Cannabis found in the flat.",
            issued_on=TODAY - timedelta(days=1),
            by=iom_officer,
        )
        licence.licence_breach_end(
            placement_id=stay.pk,
            kind=BreachEndingKind.NOTICE,
            reason="Drugs in the flat after a final warning.",
            notice_on=TODAY,
            warning_ids=[warning.pk],
            by=iom_officer,
        )
        condition = licence.person_condition_add(
            placement_id=stay.pk, text="Curfew 22:00 to 07:00", by=iom_officer
        )
    assert LicenceWarningHistory.objects.filter(pgh_obj_id=warning.pk).exists()
    titles = [entry.title for entry in offender_timeline(offender=stay.offender)]
    assert "Final warning" in titles
    assert "Licence ended for a breach: notice given" in titles

    offender_erase(
        offender_id=stay.offender_id, reason="Retention review: no longer needed.", by=scheme_manager
    )

    warning.refresh_from_db()
    condition.refresh_from_db()
    assert (warning.what_happened, warning.condition) == ("[erased]", "[erased]")
    assert condition.text == "[erased]"
    assert LicenceBreachEnding.objects.get(placement=stay).reason == "[erased]"
    assert warning.level == "final"  # the anonymous fact the report counts stays


# Ending for a breach --------------------------------------------------------------------------


def test_a_notice_cuts_the_licence_to_the_notice_period_and_withdraws_later_renewals(stay, iom_officer):
    # Term 1: 23 Nov – 21 Dec; term 2 granted in advance: 21 Dec – 18 Jan.
    licence_renew(placement_id=stay.pk, days=28, reason="Awaiting a flat", by=iom_officer)
    warning = licence.licence_warning_record(
        placement_id=stay.pk,
        level="written",
        condition="standard:4",
        what_happened="Shouting at neighbours.",
        issued_on=TODAY - timedelta(days=2),
        by=iom_officer,
    )

    ending = licence.licence_breach_end(
        placement_id=stay.pk,
        kind=BreachEndingKind.NOTICE,
        reason="Nuisance after a written warning.",
        notice_on=TODAY,
        warning_ids=[warning.pk],
        by=iom_officer,
    )

    # Notice on Thu 3 Dec + 7 days (the first wording's notice period) = Thu 10 Dec.
    assert ending.leave_by == date(2026, 12, 10)
    assert list(ending.warnings.all()) == [warning]
    stay.refresh_from_db()
    assert stay.status == Status.ACTIVE  # they stay until then
    assert stay.ends_on == date(2026, 12, 10)
    assert list(stay.licence_terms.values_list("number", "ends_on")) == [(1, date(2026, 12, 10))]
    with pytest.raises(ValidationError, match="ending for a breach on 10 December 2026"):
        licence_renew(placement_id=stay.pk, days=7, reason="Still waiting", by=iom_officer)


def test_an_immediate_ending_ends_the_placement_through_the_ordinary_ending(stay, iom_officer):
    ending = licence.licence_breach_end(
        placement_id=stay.pk,
        kind=BreachEndingKind.IMMEDIATE,
        reason="Assault on a support worker.",
        notice_on=TODAY,
        warning_ids=[],
        destination=Destination.CUSTODY,
        by=iom_officer,
    )
    stay.refresh_from_db()
    assert ending.leave_by == TODAY
    assert (stay.status, stay.departed_on, stay.departure_reason, stay.destination) == (
        Status.ENDED,
        TODAY,
        DepartureReason.EVICTION,
        Destination.CUSTODY,
    )


def test_an_immediate_ending_on_the_arrival_day_is_refused_at_the_notice_date(iom_officer):
    placement = h.make_placement(h.make_bedspace(), starts_on=TODAY, status=Status.ACTIVE)
    error = refused_writing_nothing(
        lambda: (LicenceBreachEnding.objects.count(), Placement.objects.get(pk=placement.pk).status),
        licence.licence_breach_end,
        placement_id=placement.pk,
        kind=BreachEndingKind.IMMEDIATE,
        reason="Assault.",
        notice_on=TODAY,
        warning_ids=[],
        destination=Destination.CUSTODY,
        by=iom_officer,
    )
    assert "after the arrival date" in error.message_dict["notice_on"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"notice_on": TODAY + timedelta(days=1)}, "notice_on"),
        ({"notice_on": TODAY - timedelta(days=11)}, "notice_on"),  # before arrival
        ({"kind": "eventually"}, "kind"),
        ({"kind": BreachEndingKind.IMMEDIATE}, "destination"),
        ({"warning_ids": [987654]}, "warnings"),
    ],
)
def test_an_ending_for_a_breach_with_bad_input_is_refused_by_its_field(stay, iom_officer, changes, field):
    values = {
        "kind": BreachEndingKind.NOTICE,
        "reason": "Nuisance.",
        "notice_on": TODAY,
        "warning_ids": [],
    } | changes
    error = refused_writing_nothing(
        lambda: (LicenceBreachEnding.objects.count(), Placement.objects.get(pk=stay.pk).ends_on),
        licence.licence_breach_end,
        placement_id=stay.pk,
        by=iom_officer,
        **values,
    )
    assert field in error.message_dict


def test_a_licence_is_ended_for_a_breach_once(stay, iom_officer):
    values = {"kind": BreachEndingKind.NOTICE, "reason": "Nuisance.", "notice_on": TODAY, "warning_ids": []}
    licence.licence_breach_end(placement_id=stay.pk, by=iom_officer, **values)
    with pytest.raises(ValidationError, match="already been ended for a breach"):
        licence.licence_breach_end(placement_id=stay.pk, by=iom_officer, **values)


def test_the_database_ties_the_licence_end_to_how_it_ends(stay, iom_officer):
    ending = licence.licence_breach_end(
        placement_id=stay.pk,
        kind=BreachEndingKind.NOTICE,
        reason="Nuisance.",
        notice_on=TODAY,
        warning_ids=[],
        by=iom_officer,
    )
    for change in ({"leave_by": TODAY}, {"kind": BreachEndingKind.IMMEDIATE}):
        with pytest.raises(IntegrityError), transaction.atomic():
            LicenceBreachEnding.objects.filter(pk=ending.pk).update(**change)
    assert connection.in_atomic_block  # the test's own transaction is still usable
