"""The licence to occupy: its wording (a new version on each edit), each term's agreement and
whether it was signed, a person's own conditions, warnings under the licence, and ending it
early for a breach. One function a change, each in one transaction, the placement row locked
first; the departure itself is `placements.services.placement_end`, whose rules are not repeated."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.services import Change, alerts_recheck
from iom_housing.access import Staff
from iom_housing.dates import day
from iom_housing.services import ensure_status, integrity_errors_as, locked
from placements.dates import free_from
from placements.models import (
    CONDITION_TEXT_MAX,
    NOTICE_DAYS_MAX,
    WARNING_TEXT_MAX,
    AgreementStatus,
    BreachEndingKind,
    DepartureReason,
    Destination,
    LicenceAgreement,
    LicenceBreachEnding,
    LicenceTerm,
    LicenceWarning,
    LicenceWording,
    PersonCondition,
    Placement,
    WarningLevel,
)

# Wording --------------------------------------------------------------------------------------


# The first version, in plain words for a manager to adapt (the migration that made the table
# saved it too; this is for a database emptied since, as some tests do).
FIRST_WORDING = {
    "version": 1,
    "title": "Licence to occupy",
    "conditions": "\n".join(
        [
            "You may live in the property for the dates of this licence only. It is a licence to "
            "occupy, not a tenancy, and lasts no more than 4 weeks at a time.",
            "You must keep the property clean, safe and in good order, and report any repairs.",
            "You must not bring, use or sell illegal drugs in the property.",
            "You must not behave in a way that causes nuisance or annoyance to neighbours.",
            "You must let the IOM team and supporting agencies visit you at the property.",
            "You must keep to the conditions of your probation licence.",
        ]
    ),
    "house_rules": "\n".join(
        [
            "No one else may stay overnight.",
            "Do not change the locks or give anyone else a key.",
            "No smoking inside the property.",
        ]
    ),
    "breach": (
        "If you break a condition of this licence you may be given a verbal, written or final "
        "warning. If you keep breaking the conditions, or for a serious breach (violence, threats, "
        "dealing drugs, serious damage), the licence may be ended: with notice, or at once."
    ),
    "contacts": "IOM team (office hours): the number on your key card.\nOut of hours emergencies: 999.",
    "charge_text": "There is no charge for the property. Your support worker will help you with any benefit claims.",
    "notice_days": 7,
}


def licence_wording_current() -> LicenceWording:
    """The wording new agreements are issued in: the latest version."""
    latest = LicenceWording.objects.order_by("-version").first()
    if latest is None:
        latest, _created = LicenceWording.objects.get_or_create(
            version=1, defaults={k: v for k, v in FIRST_WORDING.items() if k != "version"}
        )
    return latest


def licence_wording_save(
    *,
    title: str,
    conditions: str,
    house_rules: str,
    breach: str,
    contacts: str,
    weekly_charge: Decimal | None,
    charge_text: str,
    notice_days: int,
    by: Staff,
    expected_version: int | None = None,
    title_cy: str = "",
    conditions_cy: str = "",
    house_rules_cy: str = "",
    breach_cy: str = "",
    contacts_cy: str = "",
    charge_text_cy: str = "",
) -> LicenceWording:
    """Save the wording as a new version; agreements already issued keep the version they name.

    `expected_version` is the version the page was showing: an edit of an older one (another
    manager saved meanwhile) is refused rather than silently dropping their changes. The `_cy`
    texts are the Welsh wording of the bilingual agreement; any left blank prints in English."""
    errors = {}
    for name, value in (
        ("title", title),
        ("conditions", conditions),
        ("breach", breach),
        ("contacts", contacts),
    ):
        if not value.strip():
            errors[name] = _("Enter the %(field)s.") % {
                "field": getattr(LicenceWording._meta.get_field(name), "verbose_name", name)
            }
    if weekly_charge is not None and weekly_charge < 0:
        errors["weekly_charge"] = _("The weekly charge cannot be less than £0.")
    if not 1 <= notice_days <= NOTICE_DAYS_MAX:
        errors["notice_days"] = _("The notice period must be from 1 to 28 days.")
    if errors:
        raise ValidationError(errors)
    race = _(
        "Someone else saved a new version of the wording meanwhile. Check it and make your change again."
    )
    with integrity_errors_as({"licencewording_version_key": race, "version": race}), transaction.atomic():
        latest = LicenceWording.objects.select_for_update().order_by("-version").first()
        current = latest.version if latest is not None else 0
        if expected_version is not None and expected_version != current:
            raise ValidationError(race, code="stale")
        return LicenceWording.objects.create(
            version=current + 1,
            title=title.strip(),
            conditions="\n".join(line.strip() for line in conditions.strip().splitlines() if line.strip()),
            house_rules="\n".join(line.strip() for line in house_rules.strip().splitlines() if line.strip()),
            breach=breach.strip(),
            contacts=contacts.strip(),
            weekly_charge=weekly_charge,
            charge_text=charge_text.strip(),
            notice_days=notice_days,
            title_cy=title_cy.strip(),
            conditions_cy=_one_a_line(conditions_cy),
            house_rules_cy=_one_a_line(house_rules_cy),
            breach_cy=breach_cy.strip(),
            contacts_cy=contacts_cy.strip(),
            charge_text_cy=charge_text_cy.strip(),
            created_by=by,
        )


def _one_a_line(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


# Agreements -----------------------------------------------------------------------------------


def licence_agreement_issue(*, term: LicenceTerm) -> LicenceAgreement:
    """The term's agreement, issued now in the current wording if it has none yet. Called in the
    transaction that grants the term (booking, renewal), and for a term granted before
    agreements existed when it is first printed."""
    existing = LicenceAgreement.objects.filter(term=term).first()
    if existing is not None:
        return existing
    now = timezone.now()
    with transaction.atomic():
        agreement, _created = LicenceAgreement.objects.get_or_create(
            term=term,
            defaults={
                "wording": licence_wording_current(),
                "issued_at": now,
                "issued_on": timezone.localdate(now),
            },
        )
    return agreement


def licence_agreement_record(
    *, agreement_id: int, status: str, responded_on: date, by: Staff
) -> LicenceAgreement:
    """Record that the person signed the term's agreement, or refused to, on `responded_on`."""
    if status not in (AgreementStatus.SIGNED, AgreementStatus.REFUSED):
        raise ValidationError({"status": _("Select whether they signed or refused the agreement.")})
    if responded_on > timezone.localdate():
        raise ValidationError({"responded_on": _("The date must be today or in the past.")})
    with (
        integrity_errors_as(
            {
                "licenceagreement_response_after_issue": _(
                    "The date cannot be before the agreement was issued."
                )
            }
        ),
        transaction.atomic(),
    ):
        agreement = locked(LicenceAgreement.objects.select_related("term"), agreement_id, _("agreement"))
        ensure_status(agreement, AgreementStatus.ISSUED)
        if responded_on < agreement.issued_on:
            raise ValidationError(
                {
                    "responded_on": _("The date cannot be before the agreement was issued on %(day)s.")
                    % {"day": day(agreement.issued_on)}
                }
            )
        agreement.status = status
        agreement.responded_on = responded_on
        agreement.recorded_by = by
        agreement.save(update_fields=["status", "responded_on", "recorded_by"])
    return agreement


def agreement_conditions(agreement: LicenceAgreement) -> list[PersonCondition]:
    """The person's own conditions printed on an agreement, after the standard ones: while it
    waits for an answer, those in force now (an officer adds them, then prints); once signed or
    refused, those in force at the end of that day, so a reprint reads as the copy they signed."""
    if agreement.status == AgreementStatus.ISSUED:
        as_of = timezone.now()
    else:
        next_day = cast(date, agreement.responded_on) + timedelta(days=1)
        as_of = timezone.make_aware(datetime.combine(next_day, time()))
    return list(
        PersonCondition.objects.filter(placement_id=agreement.term.placement_id, added_at__lte=as_of)
        .exclude(removed_at__lte=as_of)
        .order_by("added_at", "pk")
    )


# A person's own conditions ---------------------------------------------------------------------

_OPEN = (Placement.Status.PROVISIONAL, Placement.Status.CONFIRMED, Placement.Status.ACTIVE)


def person_condition_add(*, placement_id: int, text: str, by: Staff) -> PersonCondition:
    text = " ".join(text.split())
    if not text:
        raise ValidationError({"text": _("Enter the condition.")})
    if len(text) > CONDITION_TEXT_MAX:
        raise ValidationError({"text": _("The condition must be 300 characters or fewer.")})
    with transaction.atomic():
        placement = locked(Placement.objects, placement_id, _("placement"))
        ensure_status(placement, *_OPEN)
        return PersonCondition.objects.create(placement=placement, text=text, added_by=by)


def person_condition_remove(*, placement_id: int, condition_id: int, by: Staff) -> PersonCondition:
    """The condition no longer applies from now (it stays on the agreements already issued)."""
    with transaction.atomic():
        locked(Placement.objects, placement_id, _("placement"))
        condition = (
            PersonCondition.objects.select_for_update()
            .filter(pk=condition_id, placement_id=placement_id)
            .first()
        )
        if condition is None:
            raise ValidationError(_("The condition was not found."), code="not_found")
        if condition.removed_at is None:
            condition.removed_at = timezone.now()
            condition.removed_by = by
            condition.save(update_fields=["removed_at", "removed_by"])
        return condition


# Warnings -------------------------------------------------------------------------------------


def warning_condition_choices(placement: Placement) -> list[tuple[str, str]]:
    """What a warning can name as breached: the standard conditions and house rules of the current
    term's agreement (or the current wording), then the person's own conditions in force."""
    term = placement.licence_terms.order_by("-number").select_related("agreement__wording").first()
    agreement = getattr(term, "agreement", None) if term is not None else None
    wording = agreement.wording if agreement is not None else licence_wording_current()
    choices = [(f"standard:{n}", text) for n, text in enumerate(wording.condition_list, start=1)]
    choices += [(f"rule:{n}", text) for n, text in enumerate(wording.house_rule_list, start=1)]
    choices += [
        (f"person:{c.pk}", c.text)
        for c in placement.conditions.filter(removed_at=None).order_by("added_at", "pk")
    ]
    return choices


def licence_warning_record(
    *, placement_id: int, level: str, condition: str, what_happened: str, issued_on: date, by: Staff
) -> LicenceWarning:
    """A warning under the licence: `condition` is a key from `warning_condition_choices`."""
    errors = {}
    what_happened = what_happened.strip()
    if level not in WarningLevel.values:
        errors["level"] = _("Select the level of the warning.")
    if not what_happened:
        errors["what_happened"] = _("Enter what happened.")
    elif len(what_happened) > WARNING_TEXT_MAX:
        errors["what_happened"] = _("What happened must be 1000 characters or fewer.")
    if issued_on > timezone.localdate():
        errors["issued_on"] = _("The date of the warning must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        placement = locked(Placement.objects, placement_id, _("placement"))
        ensure_status(placement, Placement.Status.ACTIVE, Placement.Status.ENDED)
        choices = dict(warning_condition_choices(placement))
        if condition not in choices:
            raise ValidationError({"condition": _("Select the condition that was breached.")})
        arrived_on = placement.arrived_on
        if arrived_on is not None and issued_on < arrived_on:
            raise ValidationError(
                {
                    "issued_on": _("The warning cannot be before they arrived on %(day)s.")
                    % {"day": day(arrived_on)}
                }
            )
        if placement.departed_on is not None and issued_on > placement.departed_on:
            raise ValidationError(
                {
                    "issued_on": _("The warning cannot be after they left on %(day)s.")
                    % {"day": day(placement.departed_on)}
                }
            )
        person_condition_id = int(condition.split(":")[1]) if condition.startswith("person:") else None
        return LicenceWarning.objects.create(
            placement=placement,
            level=level,
            condition=choices[condition],
            person_condition_id=person_condition_id,
            what_happened=what_happened,
            issued_on=issued_on,
            issued_by=by,
        )


# Ending for a breach --------------------------------------------------------------------------


def breach_leave_by(*, kind: str, notice_on: date, wording: LicenceWording | None = None) -> date:
    """The day the licence ends: the notice date plus the notice period, or the notice date itself
    for an immediate ending."""
    if kind == BreachEndingKind.IMMEDIATE:
        return notice_on
    wording = wording or licence_wording_current()
    return notice_on + timedelta(days=wording.notice_days)


def _shorten_licence(placement: Placement, leave_by: date) -> None:
    """The licence now ends on `leave_by`: the term it falls in ends then, and terms granted to
    start after it are withdrawn (their agreements with them). Shortening frees the bedspace
    sooner, so it never clashes with another booking."""
    if leave_by >= placement.ends_on:
        return
    placement.licence_terms.filter(starts_on__gte=leave_by).delete()
    placement.licence_terms.filter(starts_on__lt=leave_by, ends_on__gt=leave_by).update(ends_on=leave_by)
    placement.ends_on = leave_by
    placement.free_from = free_from(leave_by, placement.bedspace.property.turnaround_days)
    placement.save(update_fields=["ends_on", "free_from", "updated_at"])
    alerts_recheck(change=Change.RENEWED, placement_id=placement.pk)


def licence_breach_end(
    *,
    placement_id: int,
    kind: str,
    reason: str,
    notice_on: date,
    warning_ids: list[int],
    by: Staff,
    destination: str = "",
    destination_details: str = "",
    expected_version: int | None = None,
) -> LicenceBreachEnding:
    """End the licence early for a breach. With notice, the person stays until the notice period
    is over: the licence is cut to end then, and the departure is recorded as any other when they
    go. Immediately (a serious breach), they left on the notice date: the placement ends now
    through `placement_end`, with the reason "evicted for breach" and where they went, so it
    counts in move-on like any other ending."""
    from placements.services import _placement_for_change, placement_end

    errors = {}
    reason = reason.strip()
    if kind not in BreachEndingKind.values:
        errors["kind"] = _("Select whether notice is given or the licence ends at once.")
    if not reason:
        errors["reason"] = _("Enter the reason for ending the licence.")
    elif len(reason) > WARNING_TEXT_MAX:
        errors["reason"] = _("The reason must be 1000 characters or fewer.")
    if notice_on > timezone.localdate():
        errors["notice_on"] = _("The notice date must be today or in the past.")
    if kind == BreachEndingKind.IMMEDIATE and destination not in Destination.values:
        errors["destination"] = _("Select where the person moved on to.")
    if errors:
        raise ValidationError(errors)
    with (
        integrity_errors_as({"placement_id": _("The licence has already been ended for a breach.")}),
        transaction.atomic(),
    ):
        placement = _placement_for_change(placement_id, expected_version, by=by)
        ensure_status(placement, Placement.Status.ACTIVE)
        if LicenceBreachEnding.objects.filter(placement=placement).exists():
            raise ValidationError(_("The licence has already been ended for a breach."))
        arrived_on = placement.arrived_on
        assert arrived_on is not None  # an active placement has (placement_arrived_has_date)
        if notice_on < arrived_on:
            raise ValidationError(
                {
                    "notice_on": _("The notice date cannot be before they arrived on %(day)s.")
                    % {"day": day(arrived_on)}
                }
            )
        warnings = list(LicenceWarning.objects.filter(placement=placement, pk__in=warning_ids))
        if len(warnings) != len(set(warning_ids)):
            raise ValidationError({"warnings": _("Select warnings given under this licence.")})
        leave_by = breach_leave_by(kind=kind, notice_on=notice_on)
        ending = LicenceBreachEnding.objects.create(
            placement=placement,
            kind=kind,
            reason=reason,
            notice_on=notice_on,
            leave_by=leave_by,
            decided_by=by,
        )
        ending.warnings.set(warnings)
        if kind == BreachEndingKind.IMMEDIATE:
            try:
                placement_end(
                    placement_id=placement.pk,
                    departed_on=notice_on,
                    reason=DepartureReason.EVICTION,
                    destination=destination,
                    destination_details=destination_details,
                    by=by,
                )
            except ValidationError as error:
                # The departure is the notice date here: its refusal belongs to that field.
                if hasattr(error, "error_dict") and "departed_on" in error.error_dict:
                    error.error_dict["notice_on"] = error.error_dict.pop("departed_on")
                raise
        else:
            _shorten_licence(placement, leave_by)
    return ending


def renewal_refused_by_notice(placement: Placement) -> None:
    """A licence under notice for a breach is not renewed (raises, naming the day it ends)."""
    ending = LicenceBreachEnding.objects.filter(placement=placement).first()
    if ending is not None:
        raise ValidationError(
            {
                "days": _("The licence is ending for a breach on %(day)s, so it cannot be renewed.")
                % {"day": day(ending.leave_by)}
            }
        )
