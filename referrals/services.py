"""Every change to referrals and offending records: one function each, one transaction each."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from iom_housing.services import ensure_status, integrity_errors_as, locked
from referrals.models import (
    Ethnicity,
    Gender,
    Need,
    OffenceCategory,
    Offender,
    OffenderEvent,
    Referral,
    ReferralEvent,
)


def referral_event_record(referral_id: int, kind: str, **data) -> ReferralEvent:
    """Append one event to the API's feed, in the caller's transaction (so it commits with the
    change or not at all)."""
    return ReferralEvent.objects.create(referral_id=referral_id, kind=kind, data=data)


def _locked_referral(referral_id: int) -> Referral:
    return locked(Referral.objects, referral_id, _("referral"))


def referral_start_review(*, referral_id: int, by) -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, Referral.Status.SUBMITTED)
        referral.status = Referral.Status.IN_REVIEW
        referral.save(update_fields=["status", "updated_at"])
    return referral


def _decide(referral: Referral, status: str, by, notes: str) -> None:
    referral.status = status
    referral.decided_at = timezone.now()
    referral.decided_by = by
    referral.decision_notes = notes
    referral.save(
        update_fields=["status", "decided_at", "decided_by", "decision_notes", "decline_reason", "updated_at"]
    )
    data = {"status": status}
    if referral.decline_reason:
        data["decline_reason"] = referral.decline_reason
    referral_event_record(referral.pk, status, **data)
    from placements.sweeps import refresh_referral_alerts  # placements depends on referrals

    refresh_referral_alerts(referral.pk)


def referral_accept(*, referral_id: int, by, notes: str = "") -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        _decide(referral, Referral.Status.ACCEPTED, by, notes)
    return referral


def referral_decline(*, referral_id: int, reason: str, by, notes: str = "") -> Referral:
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": _("Select the reason for declining the referral.")})
    if reason == Referral.DeclineReason.OTHER and not notes.strip():
        raise ValidationError({"notes": _("Explain why the referral is declined.")})
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        referral.decline_reason = reason
        _decide(referral, Referral.Status.DECLINED, by, notes)
    return referral


def referral_withdraw(*, referral_id: int, by, notes: str = "") -> Referral:
    """The referrer no longer needs a place. A withdrawn referral is kept (sync clients see it)."""
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        _decide(referral, Referral.Status.WITHDRAWN, by, notes)
    return referral


def offender_event_record(
    *, offender_id: int, kind: str, occurred_on: date, by, offence_category: str = "", notes: str = ""
) -> OffenderEvent:
    errors = {}
    if kind not in OffenderEvent.Kind.values:
        errors["kind"] = _("Select the kind of event.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date of the event must be today or in the past.")
    if kind in OffenderEvent.OFFENDING_KINDS and offence_category not in OffenceCategory.values:
        errors["offence_category"] = _("Select the offence category.")
    if kind in OffenderEvent.COMPLIANCE_KINDS:
        offence_category = ""
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offender = locked(Offender.objects, offender_id, _("person"))
        return OffenderEvent.objects.create(
            offender=offender,
            kind=kind,
            occurred_on=occurred_on,
            offence_category=offence_category,
            notes=notes,
            recorded_by=by,
        )


# Referrals from agencies -------------------------------------------------------------------------

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "pnc_id",
    "crn",
    "prison_number",
    "iom_category",
    "risk_of_serious_harm",
    "licence_ends_on",
    "safety_warnings",
)
IDENTIFIERS = ("pnc_id", "crn", "prison_number")
# The scheme houses adults on licence.
ADULT_AGE = 18
OLDEST_AGE = 110
# A referral written on Friday for a release that happened on Monday is still worth taking.
WANTED_FROM_BACKDATE_DAYS = 7
WANTED_FROM_AHEAD_DAYS = 365


@dataclass(frozen=True)
class PersonMatch:
    """An already recorded person who may be the one referred: only what the referrer needs to
    recognise them (name and date of birth), whichever agency's records they are in."""

    public_id: uuid.UUID
    full_name: str
    date_of_birth: date


class PossibleDuplicate(ValidationError):
    """Someone with the same name and date of birth, and no identifier telling them apart, is
    already recorded: the referrer must say whether this is them (`existing_offender_id`) or
    someone else (`different_person`)."""

    def __init__(self, matches: list[PersonMatch]):
        super().__init__(
            _("A person with this name and date of birth is already recorded. Say whether this is them."),
            code="possible_duplicate",
        )
        self.matches = matches


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _clean_person(person: dict, today: date) -> tuple[dict, dict]:
    """The person's details with text stripped and identifiers upper-cased, and the errors in them."""
    data = {name: person.get(name) for name in PERSON_FIELDS}
    for name in ("first_name", "last_name", "safety_warnings", *IDENTIFIERS):
        data[name] = (data[name] or "").strip()
    for name in IDENTIFIERS:
        data[name] = data[name].upper()
    errors: dict[str, str | list[str]] = {}
    if not data["first_name"]:
        errors["first_name"] = _("Enter the person's first name.")
    if not data["last_name"]:
        errors["last_name"] = _("Enter the person's last name.")
    born = data["date_of_birth"]
    if born is None:
        errors["date_of_birth"] = _("Enter the person's date of birth.")
    elif born >= today:
        errors["date_of_birth"] = _("The date of birth must be in the past.")
    elif _age_on(born, today) < ADULT_AGE:
        errors["date_of_birth"] = _("The person must be 18 or over: the scheme houses adults on licence.")
    elif _age_on(born, today) > OLDEST_AGE:
        errors["date_of_birth"] = _("Check the year of birth: the person would be over 110.")
    if data["gender"] not in Gender.values:
        errors["gender"] = _("Select the person's gender.")
    if data["ethnicity"] not in Ethnicity.values:
        errors["ethnicity"] = _("Select the person's ethnic group, or Not stated.")
    if data["iom_category"] not in Offender.IomCategory.values:
        errors["iom_category"] = _("Select the IOM cohort category.")
    if data["risk_of_serious_harm"] not in Offender.RiskOfSeriousHarm.values:
        errors["risk_of_serious_harm"] = _("Select the risk of serious harm.")
    licence_end = data["licence_ends_on"]
    if licence_end is not None and born is not None and licence_end <= born:
        errors["licence_ends_on"] = _("The supervision licence must end after the date of birth.")
    # Formats (PNC ID, CRN, prison number) and lengths, as the model defines them.
    for name in ("first_name", "last_name", *IDENTIFIERS):
        if data[name] and name not in errors:
            try:
                Offender._meta.get_field(name).run_validators(data[name])
            except ValidationError as error:
                errors[name] = error.messages
    return data, errors


def _lock_person_keys(data: dict) -> None:
    """Serialise referrals of one person: two agencies referring someone new at the same moment
    would otherwise both record them (the second now waits, then finds the first's record)."""
    keys = [
        "person:{}|{}|{}".format(
            data["first_name"].casefold(), data["last_name"].casefold(), data["date_of_birth"]
        )
    ]
    keys += [f"{name}:{data[name]}" for name in ("pnc_id", "crn") if data[name]]
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _same_name_and_birth(offender: Offender, data: dict) -> bool:
    return (
        offender.first_name.casefold() == data["first_name"].casefold()
        and offender.last_name.casefold() == data["last_name"].casefold()
        and offender.date_of_birth == data["date_of_birth"]
    )


def _conflicting_identifiers(offender: Offender, data: dict) -> list[str]:
    """Identifiers given for both that differ: they are two people."""
    return [
        name
        for name in IDENTIFIERS
        if data[name] and getattr(offender, name) and getattr(offender, name).upper() != data[name]
    ]


_IDENTIFIER_LABELS = {
    "pnc_id": gettext_lazy("PNC ID"),
    "crn": gettext_lazy("CRN"),
    "prison_number": gettext_lazy("prison number"),
}


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _person_for_referral(data: dict, *, existing_offender_id, different_person: bool) -> Offender | None:
    """The recorded person these details are, or None for someone new; refuses what cannot be told."""
    by_identifier = Q()
    for name in ("pnc_id", "crn"):
        if data[name]:
            by_identifier |= Q(**{f"{name}__iexact": data[name]})
    if by_identifier:
        found = list(Offender.objects.filter(by_identifier)[:2])
        if len(found) > 1:
            raise ValidationError(
                {"crn": _("The PNC ID and the CRN belong to two different people. Check both.")}
            )
        if found:
            # A PNC ID or CRN names one person: this is them, if the rest agrees. Nothing on their
            # record is changed from here; an officer corrects it.
            offender = found[0]
            matched = "pnc_id" if data["pnc_id"] and offender.pnc_id.upper() == data["pnc_id"] else "crn"
            label = _IDENTIFIER_LABELS[matched]
            if not _same_name_and_birth(offender, data):
                raise ValidationError(
                    {
                        matched: _(
                            "A person with a different name or date of birth is recorded with this "
                            "%(identifier)s. Check the %(identifier)s, the name and the date of birth."
                        )
                        % {"identifier": label}
                    }
                )
            conflicts = _conflicting_identifiers(offender, data)
            if conflicts:
                raise ValidationError(
                    {
                        name: _(
                            "The person recorded with this %(identifier)s has a different %(other)s. "
                            "Check the %(other)s."
                        )
                        % {"identifier": label, "other": _IDENTIFIER_LABELS[name]}
                        for name in conflicts
                    }
                )
            return offender

    candidates = [
        offender
        for offender in Offender.objects.filter(
            first_name__iexact=data["first_name"],
            last_name__iexact=data["last_name"],
            date_of_birth=data["date_of_birth"],
        ).order_by("pk")
        if not _conflicting_identifiers(offender, data)
    ]
    confirmed = _as_uuid(existing_offender_id) if existing_offender_id else None
    if not candidates:
        if confirmed is not None:
            raise ValidationError(
                _("The person you chose does not match the details entered. Check them and submit again."),
                code="no_match",
            )
        return None
    for offender in candidates:
        if offender.public_id == confirmed:
            return offender
    if different_person and confirmed is None:
        return None
    raise PossibleDuplicate(
        [
            PersonMatch(offender.public_id, offender.full_name, offender.date_of_birth)
            for offender in candidates
        ]
    )


# What the referrer says about the need for a place, and may change while it waits for a decision.
REFERRAL_DETAILS = ("urgency", "needs", "risk_summary", "reason", "wanted_from")


def _clean_referral_details(details: dict, today: date) -> tuple[dict, dict]:
    """The referral's details (see REFERRAL_DETAILS) with text stripped, and the errors in them."""
    urgency = details.get("urgency")
    needs = list(dict.fromkeys(details.get("needs") or []))
    reason = (details.get("reason") or "").strip()
    risk_summary = (details.get("risk_summary") or "").strip()
    wanted_from = details.get("wanted_from")
    errors: dict[str, str] = {}
    if urgency not in Referral.Urgency.values:
        errors["urgency"] = _("Select how urgent the referral is.")
    if any(need not in Need.values for need in needs):
        errors["needs"] = _("Select the needs from the list.")
    if not reason:
        errors["reason"] = _("Enter the reason for the referral.")
    if not risk_summary:
        errors["risk_summary"] = _("Enter a summary of the risks, or say that none are known.")
    if wanted_from is not None:
        if wanted_from < today - timedelta(days=WANTED_FROM_BACKDATE_DAYS):
            errors["wanted_from"] = _("The date a place is wanted from cannot be more than 7 days ago.")
        elif wanted_from > today + timedelta(days=WANTED_FROM_AHEAD_DAYS):
            errors["wanted_from"] = _("The date a place is wanted from must be in the next 12 months.")
    cleaned = {
        "urgency": urgency,
        "needs": needs,
        "risk_summary": risk_summary,
        "reason": reason,
        "wanted_from": wanted_from,
    }
    return cleaned, errors


def referral_update(*, referral_id: int, by, changes: dict) -> Referral:
    """The referrer changes what it said about the need for a place (only REFERRAL_DETAILS), while
    the referral waits for a decision. Changing nothing is not a change: the referral is left as it
    is (so a sync client re-sending the same state is harmless), whatever its status."""
    unknown = set(changes) - set(REFERRAL_DETAILS)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        current = {name: getattr(referral, name) for name in REFERRAL_DETAILS}
        cleaned, errors = _clean_referral_details(current | changes, timezone.localdate())
        # A date already accepted is not refused later for having become old.
        if cleaned["wanted_from"] == referral.wanted_from:
            errors.pop("wanted_from", None)
        errors = {name: error for name, error in errors.items() if name in changes}
        if errors:
            raise ValidationError(errors)
        changed = [name for name in REFERRAL_DETAILS if cleaned[name] != current[name]]
        if not changed:
            return referral
        ensure_status(referral, *Referral.OPEN_STATUSES)
        for name in changed:
            setattr(referral, name, cleaned[name])
        referral.save(update_fields=[*changed, "updated_at"])
    return referral


def referral_submit(
    *,
    agency,
    by,
    person: dict,
    urgency: str,
    needs: list[str],
    risk_summary: str,
    reason: str,
    wanted_from: date | None = None,
    external_ref: str = "",
    existing_offender_id=None,
    different_person: bool = False,
) -> Referral:
    """An agency asks for a place for a person, recorded once however many agencies refer them.

    `person` holds their details (see PERSON_FIELDS). A PNC ID or CRN already recorded is that
    person (refused if the name or date of birth differ). The same name and date of birth with no
    identifier telling them apart raises PossibleDuplicate, unless the referrer has confirmed the
    match (`existing_offender_id`, the person's public id) or said it is someone else
    (`different_person`). An existing person's record is never changed from here.
    """
    today = timezone.localdate()
    data, errors = _clean_person(person, today)
    external_ref = (external_ref or "").strip()
    details, detail_errors = _clean_referral_details(
        {
            "urgency": urgency,
            "needs": needs,
            "risk_summary": risk_summary,
            "reason": reason,
            "wanted_from": wanted_from,
        },
        today,
    )
    errors |= detail_errors
    urgency, needs, risk_summary, reason, wanted_from = (details[name] for name in REFERRAL_DETAILS)
    if len(external_ref) > Referral._meta.get_field("external_ref").max_length:
        errors["external_ref"] = _("Your reference must be 100 characters or fewer.")
    if errors:
        raise ValidationError(errors)
    if agency is None or not agency.active or agency.kind == Agency.Kind.COMMISSIONER:
        raise ValidationError(_("Your agency cannot submit referrals to the scheme."), code="agency")

    with (
        integrity_errors_as(
            {
                "referral_external_ref_unique_per_agency": ValidationError(
                    {"external_ref": _("Your agency has already used this reference for another referral.")}
                ),
                "offender_pnc_id_unique": ValidationError(
                    {"pnc_id": _("Someone else has just recorded a person with this PNC ID. Submit again.")}
                ),
                "offender_crn_unique": ValidationError(
                    {"crn": _("Someone else has just recorded a person with this CRN. Submit again.")}
                ),
            }
        ),
        transaction.atomic(),
    ):
        _lock_person_keys(data)
        offender = _person_for_referral(
            data, existing_offender_id=existing_offender_id, different_person=different_person
        )
        if offender is None:
            offender = Offender.objects.create(**data, needs=needs)
        else:
            waiting = (
                Referral.objects.filter(
                    offender=offender, referring_agency=agency, status__in=Referral.OPEN_STATUSES
                )
                .order_by("submitted_at")
                .first()
            )
            if waiting is not None:
                raise ValidationError(
                    _(
                        "Your agency already has a referral for this person waiting for a decision, "
                        "received on %(day)s."
                    )
                    % {"day": formats.date_format(timezone.localtime(waiting.submitted_at), "j F Y")},
                    code="already_referred",
                )
        referral = Referral.objects.create(
            offender=offender,
            referring_agency=agency,
            external_ref=external_ref,
            urgency=urgency,
            needs=needs,
            risk_summary=risk_summary,
            reason=reason,
            wanted_from=wanted_from,
            submitted_at=timezone.now(),
            submitted_by=by,
        )
        referral_event_record(referral.pk, ReferralEvent.Kind.SUBMITTED, status=referral.status)
    return referral
