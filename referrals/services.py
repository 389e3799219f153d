"""Every change to referrals and offending records: one function each, one transaction each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.models import Agency
from alerts.services import Change, alerts_recheck
from audit.access import saw
from iom_housing.access import Staff
from iom_housing.basis import ensure_basis, joined
from iom_housing.dates import day
from iom_housing.services import ensure_status, integrity_errors_as, locked, text_length_errors
from outbox.services import outbox_add
from referrals.models import (
    SHARING_RISK_FIELDS,
    Ethnicity,
    Gender,
    Need,
    OffenceCategory,
    Offender,
    OffenderEvent,
    PersonMatch,
    Referral,
    ReferralEvent,
    SexualRiskToAdults,
)
from referrals.names import Folded, first_name_forms, first_name_key, fold, pnc_full
from referrals.notifications import NEWS
from referrals.tasks import send_referrer_email

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def referral_event_record(referral_id: int, kind: str, **data: Any) -> ReferralEvent:
    """Append one event to the API's feed, in the caller's transaction (so it commits with the
    change or not at all); a decision or a booking also queues the referrer's email."""
    event = ReferralEvent.objects.create(referral_id=referral_id, kind=kind, data=data)
    if kind in NEWS:
        outbox_add(task=send_referrer_email, args=[event.pk])
    return event


# Called by a service with the referral it has locked (None: there is none yet), before anything
# changes: the API's If-Match, compared on the row as it will be changed.
Precondition = Callable[[Referral | None], None]


def _locked_referral(referral_id: int, precondition: Precondition | None = None) -> Referral:
    referral = locked(Referral.objects, referral_id, _("referral"))
    if precondition is not None:
        precondition(referral)
    return referral


_STATUS_CHANGES: dict[str, StrPromise] = {
    Referral.Status.IN_REVIEW: gettext_lazy("it was marked as in review"),
    Referral.Status.ACCEPTED: gettext_lazy("it was accepted"),
    Referral.Status.DECLINED: gettext_lazy("it was declined"),
    Referral.Status.WITHDRAWN: gettext_lazy("it was withdrawn"),
}


def referral_changes(before: Any, referral: Referral) -> str:
    """What changed in a referral since `before` (its row at an earlier version), as a clause."""
    if before is None:
        return _("it is now marked “%(status)s”") % {"status": referral.get_status_display()}
    clauses = []
    if before.status != referral.status:
        clauses.append(
            str(_STATUS_CHANGES.get(referral.status, ""))
            or _("it is now marked “%(status)s”") % {"status": referral.get_status_display()}
        )
    details = [
        str(cast("Field[Any, Any]", Referral._meta.get_field(name)).verbose_name)
        for name in REFERRAL_DETAILS
        if getattr(before, name) != getattr(referral, name)
    ]
    if details:
        clauses.append(_("the referrer changed its %(details)s") % {"details": ", ".join(details)})
    if not clauses:
        # Only its placement moved on (each step of a placement touches its referral).
        step = referral.events.order_by("-pk").first()
        if step is not None and step.kind not in Referral.Status.values:
            clauses.append(_("its placement changed: %(step)s") % {"step": step.get_kind_display()})
    return joined(clauses) if clauses else _("its details were changed")


def _ensure_referral_basis(
    referral: Referral, expected_version: int | None, *, by: Staff | None, status: str, **also: Any
) -> None:
    """The basis check every decision on a referral makes first, once the row is locked: the same
    decision sent twice (a double click) is "already done"."""
    ensure_basis(
        referral,
        expected_version,
        by=by,
        describe=referral_changes,
        done=lambda before, now: (
            now.status == status and all(getattr(now, name) == value for name, value in also.items())
        ),
    )


def referral_start_review(*, referral_id: int, by: Staff, expected_version: int | None = None) -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        _ensure_referral_basis(referral, expected_version, by=by, status=Referral.Status.IN_REVIEW)
        ensure_status(referral, Referral.Status.SUBMITTED)
        referral.status = Referral.Status.IN_REVIEW
        referral.save(update_fields=["status", "updated_at"])
    return referral


def _decide(referral: Referral, status: str, by: Staff | None, notes: str) -> None:
    if errors := text_length_errors({"notes": notes}):
        raise ValidationError(errors)
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
    alerts_recheck(change=Change.REFERRAL_DECIDED, referral_id=referral.pk)


def referral_accept(
    *, referral_id: int, by: Staff, notes: str = "", expected_version: int | None = None
) -> Referral:
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        _ensure_referral_basis(referral, expected_version, by=by, status=Referral.Status.ACCEPTED)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        _decide(referral, Referral.Status.ACCEPTED, by, notes)
    return referral


def referral_decline(
    *, referral_id: int, reason: str, by: Staff, notes: str = "", expected_version: int | None = None
) -> Referral:
    if reason not in Referral.DeclineReason.values:
        raise ValidationError({"reason": _("Select the reason for declining the referral.")})
    if reason == Referral.DeclineReason.OTHER and not notes.strip():
        raise ValidationError({"notes": _("Explain why the referral is declined.")})
    with transaction.atomic():
        referral = _locked_referral(referral_id)
        _ensure_referral_basis(
            referral, expected_version, by=by, status=Referral.Status.DECLINED, decline_reason=reason
        )
        ensure_status(referral, *Referral.OPEN_STATUSES)
        referral.decline_reason = reason
        _decide(referral, Referral.Status.DECLINED, by, notes)
    return referral


def referral_withdraw(
    *,
    referral_id: int,
    by: Staff | None,
    notes: str = "",
    expected_version: int | None = None,
    precondition: Precondition | None = None,
) -> Referral:
    """The referrer no longer needs a place. A withdrawn referral is kept (sync clients see it)."""
    with transaction.atomic():
        referral = _locked_referral(referral_id, precondition)
        _ensure_referral_basis(referral, expected_version, by=by, status=Referral.Status.WITHDRAWN)
        ensure_status(referral, *Referral.OPEN_STATUSES)
        _decide(referral, Referral.Status.WITHDRAWN, by, notes)
    return referral


def offender_event_record(
    *, offender_id: int, kind: str, occurred_on: date, by: Staff, offence_category: str = "", notes: str = ""
) -> OffenderEvent:
    errors = {}
    if kind not in OffenderEvent.Kind.values:
        errors["kind"] = _("Select the kind of event.")
    if occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date of the event must be today or in the past.")
    if kind in OffenderEvent.OFFENDING_KINDS and offence_category not in OffenceCategory.values:
        errors["offence_category"] = _("Select the offence category.")
    if kind not in OffenderEvent.OFFENDING_KINDS:  # compliance and custody events name no offence
        offence_category = ""
    errors |= text_length_errors({"notes": notes})
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


def offender_sharing_risks_set(
    *,
    offender_id: int,
    sexual_risk_to_adults: str,
    sexual_risk_to_children: bool,
    arson_history: bool,
    violence_to_residents: bool,
    by: Staff,
) -> Offender:
    """Record the person's risks to those sharing a property with them (placements.sharing): an
    officer's record, kept in the person's history. Stays already booked are not re-weighed here;
    the next booking, renewal or move is."""
    if sexual_risk_to_adults not in SexualRiskToAdults.values:
        raise ValidationError(
            {"sexual_risk_to_adults": _("Select whom the person is a sexual risk to, or no known risk.")}
        )
    with transaction.atomic():
        offender = locked(Offender.objects, offender_id, _("person"))
        offender.sexual_risk_to_adults = sexual_risk_to_adults
        offender.sexual_risk_to_children = bool(sexual_risk_to_children)
        offender.arson_history = bool(arson_history)
        offender.violence_to_residents = bool(violence_to_residents)
        offender.save(update_fields=[*SHARING_RISK_FIELDS, "updated_at"])
    return offender


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
    *SHARING_RISK_FIELDS,
)
IDENTIFIERS = ("pnc_id", "crn", "prison_number")
# The scheme houses adults on licence.
ADULT_AGE = 18
OLDEST_AGE = 110
# A referral written on Friday for a release that happened on Monday is still worth taking.
WANTED_FROM_BACKDATE_DAYS = 7
WANTED_FROM_AHEAD_DAYS = 365


class PossibleDuplicate(ValidationError):
    """Someone with the same name and date of birth is already recorded: the referrer must say
    whether this is them (sending `token` back as `match_token`) or someone else
    (`different_person`). It tells the referrer nothing it did not send: not who they are, nor
    how many, nor which identifiers their records hold. `offender_ids` are for the access log."""

    def __init__(self, *, token: str, offender_ids: list[int]):
        super().__init__(
            _("A person with this name and date of birth is already recorded. Say whether this is them."),
            code="possible_duplicate",
        )
        self.token = token
        self.offender_ids = offender_ids


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _clean_person(person: dict[str, Any], today: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The person's details with text stripped and identifiers upper-cased, and the errors in them."""
    data: dict[str, Any] = {name: person.get(name) for name in PERSON_FIELDS}
    for name in ("first_name", "last_name", "safety_warnings", *IDENTIFIERS):
        data[name] = (data[name] or "").strip()
    for name in IDENTIFIERS:
        data[name] = data[name].upper()
    data["sexual_risk_to_adults"] = data["sexual_risk_to_adults"] or ""
    for name in SHARING_RISK_FIELDS[1:]:
        data[name] = bool(data[name])
    # Kept in its full form, whichever form was typed, so 08/3749382C finds 2008/3749382C.
    data["pnc_id"] = pnc_full(data["pnc_id"], today)
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
    if data["sexual_risk_to_adults"] not in SexualRiskToAdults.values:
        errors["sexual_risk_to_adults"] = _("Select whom the person is a sexual risk to, or no known risk.")
    licence_end = data["licence_ends_on"]
    if licence_end is not None and born is not None and licence_end <= born:
        errors["licence_ends_on"] = _("The supervision licence must end after the date of birth.")
    elif licence_end is not None and licence_end < today:
        # The scheme houses people on licence: one that has ended is a mistyped year, or no case.
        errors["licence_ends_on"] = _(
            "The supervision licence end date must be today or in the future: the scheme houses people on licence."
        )
    errors |= text_length_errors({"safety_warnings": data["safety_warnings"]})
    # Formats (PNC ID, CRN, prison number) and lengths, as the model defines them.
    for name in ("first_name", "last_name", *IDENTIFIERS):
        if data[name] and name not in errors:
            try:
                cast("Field[Any, Any]", Offender._meta.get_field(name)).run_validators(data[name])
            except ValidationError as error:
                errors[name] = error.messages
    return data, errors


def _lock_person_keys(data: dict[str, Any]) -> None:
    """Serialise referrals of one person: two agencies referring someone new at the same moment
    would otherwise both record them (the second now waits, then finds the first's record)."""
    keys = [
        "person:{}|{}|{}".format(
            first_name_key(data["first_name"]), fold(data["last_name"]), data["date_of_birth"]
        )
    ]
    keys += [f"{name}:{data[name]}" for name in ("pnc_id", "crn") if data[name]]
    with connection.cursor() as cursor:
        for key in sorted(keys):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [key])


def _agreeing_identifiers(offender: Offender, data: dict[str, Any]) -> int:
    """How many identifiers given are also on the record, the same."""
    return sum(1 for name in IDENTIFIERS if data[name] and getattr(offender, name).upper() == data[name])


def _conflicting_identifiers(offender: Offender, data: dict[str, Any]) -> int:
    """How many identifiers given differ from the record's."""
    return sum(
        1
        for name in IDENTIFIERS
        if data[name] and getattr(offender, name) and getattr(offender, name).upper() != data[name]
    )


def _match_token(agency: Agency, data: dict[str, Any], candidates: list[Offender]) -> str:
    """What the referrer sends back to say "this is them": it binds the answer to the question
    asked (this agency, this name and date of birth, these records), so a confirmation made
    before someone else was recorded, or another agency's, asks again. Opaque: a keyed hash."""
    value = "|".join(
        [
            str(agency.pk),
            data["first_name"].casefold(),
            data["last_name"].casefold(),
            data["date_of_birth"].isoformat(),
            *sorted(str(offender.public_id) for offender in candidates),
        ]
    )
    return salted_hmac("referrals.same-person", value, algorithm="sha256").hexdigest()


def _person_for_referral(
    data: dict[str, Any], *, agency: Agency, match_token: str, different_person: bool
) -> tuple[Offender | None, str]:
    """The recorded person these details are (None for someone new), and how they were found.

    Nothing the referrer is told depends on what a record holds beyond the name and date of
    birth it sent, so no answer reveals whether a PNC ID or CRN is recorded, or for whom: a
    record with the same name and date of birth is always asked about, whatever its identifiers;
    identifiers given are used only to pick among those records, or, with no such record (or
    once the referrer says it is someone else), to find the person they name. A match on an
    identifier whose record has another name or date of birth is kept for the IOM team to check
    (the referral shows the differences); the referrer sees only what it sent until an officer
    accepts the referral.
    """
    # The same name, accents, case and Welsh/English forms of the first name aside (names.py),
    # found through offender_born_last_name_idx.
    candidates: list[Offender] = list(
        Offender.objects.alias(first_folded=Folded("first_name"), last_folded=Folded("last_name"))
        .filter(
            date_of_birth=data["date_of_birth"],
            last_folded=fold(data["last_name"]),
            first_folded__in=first_name_forms(data["first_name"]),
        )
        .order_by("pk")
    )
    if candidates and not different_person:
        token = _match_token(agency, data, candidates)
        if not match_token or not constant_time_compare(match_token, token):
            # The question names the records to the referrer as existing: logged as shown.
            ids = [offender.pk for offender in candidates]
            saw(people=ids, model=Offender)
            raise PossibleDuplicate(token=token, offender_ids=ids)
        best = max(
            candidates,
            key=lambda o: (_agreeing_identifiers(o, data), -_conflicting_identifiers(o, data), -o.pk),
        )
        return best, PersonMatch.CONFIRMED
    if match_token:
        raise ValidationError(
            _(
                "The person you confirmed is no longer recorded with these details. Check them and submit again."
            ),
            code="no_match",
        )
    for name in ("pnc_id", "crn"):
        if data[name]:
            found = Offender.objects.filter(**{f"{name}__iexact": data[name]}).first()
            if found is not None:
                return found, PersonMatch.IDENTIFIER
    return None, PersonMatch.NEW


# What the referrer says about the need for a place, and may change while it waits for a decision.
REFERRAL_DETAILS = ("urgency", "needs", "risk_summary", "reason", "wanted_from")


def _clean_referral_details(details: dict[str, Any], today: date) -> tuple[dict[str, Any], dict[str, Any]]:
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
    errors |= text_length_errors({"reason": reason, "risk_summary": risk_summary})
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


def referral_update(
    *, referral_id: int, by: Staff | None, changes: dict[str, Any], precondition: Precondition | None = None
) -> Referral:
    """The referrer changes what it said about the need for a place (only REFERRAL_DETAILS), while
    the referral waits for a decision. Changing nothing is not a change: the referral is left as it
    is (so a sync client re-sending the same state is harmless), whatever its status."""
    unknown = set(changes) - set(REFERRAL_DETAILS)
    if unknown:
        raise ValidationError({name: _("This cannot be changed.") for name in sorted(unknown)})
    with transaction.atomic():
        return _change_details(_locked_referral(referral_id, precondition), changes)


def _change_details(referral: Referral, changes: dict[str, Any]) -> Referral:
    """`referral_update` on the referral its caller has locked."""
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


_RECORDS_CHANGED = gettext_lazy("The records changed while you submitted. Submit the referral again.")


def _as_sent(data: dict[str, Any]) -> dict[str, Any]:
    """The person's details as the referral keeps them (JSON: dates in ISO form)."""
    return {name: value.isoformat() if isinstance(value, date) else value for name, value in data.items()}


def _refuse_a_second_open_referral(agency: Agency, offender: Offender) -> None:
    waiting = (
        Referral.objects.filter(offender=offender, referring_agency=agency, status__in=Referral.OPEN_STATUSES)
        .order_by("submitted_at")
        .first()
    )
    if waiting is not None:
        saw(people=[offender.pk], model=Offender)
        raise ValidationError(
            _(
                "Your agency already has a referral for this person waiting for a decision, received on %(day)s."
            )
            % {"day": day(waiting.submitted_at)},
            code="already_referred",
        )


def referral_submit(
    *,
    agency: Agency | None,
    by: Staff | None,
    person: dict[str, Any],
    urgency: str,
    needs: list[str],
    risk_summary: str,
    reason: str,
    wanted_from: date | None = None,
    external_ref: str = "",
    match_token: str = "",
    different_person: bool = False,
) -> Referral:
    """An agency asks for a place for a person, recorded once however many agencies refer them.

    `person` holds their details (see PERSON_FIELDS), kept on the referral as sent. Someone
    already recorded with the same name and date of birth raises PossibleDuplicate, until the
    referrer confirms them (`match_token`, from the PossibleDuplicate) or says it is someone else
    (`different_person`); otherwise a PNC ID or CRN already recorded is that person (see
    `_person_for_referral`). An existing person's record is never changed from here, and a
    referral opens the person's record to the agency only once an officer accepts it
    (`iom_housing.access.people_scope`).
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
    if len(external_ref) > cast(int, Referral._meta.get_field("external_ref").max_length):
        errors["external_ref"] = _("Your reference must be 100 characters or fewer.")
    if errors:
        raise ValidationError(errors)
    if agency is None or not agency.active or agency.kind == Agency.Kind.COMMISSIONER:
        raise ValidationError(_("Your agency cannot submit referrals to the scheme."), code="agency")
    match_token = (match_token or "").strip()
    if match_token and different_person:
        raise ValidationError(
            _("Say either that this is the person already recorded or that it is someone else, not both."),
            code="contradiction",
        )

    with (
        integrity_errors_as(
            {
                "referral_external_ref_unique_per_agency": ValidationError(
                    {"external_ref": _("Your agency has already used this reference for another referral.")}
                ),
                # Without naming the identifier: that would tell the referrer it is recorded.
                "offender_pnc_id_unique": ValidationError(_RECORDS_CHANGED, code="retry"),
                "offender_crn_unique": ValidationError(_RECORDS_CHANGED, code="retry"),
            }
        ),
        transaction.atomic(),
    ):
        _lock_person_keys(data)
        offender, match = _person_for_referral(
            data, agency=agency, match_token=match_token, different_person=different_person
        )
        if offender is None:
            offender = Offender.objects.create(**data, needs=needs)
        elif match == PersonMatch.CONFIRMED:
            # Only where the referrer itself confirmed the person: after a match on an identifier
            # alone, this refusal would tell it whose identifier it sent.
            _refuse_a_second_open_referral(agency, offender)
        referral = Referral.objects.create(
            offender=offender,
            person_details=_as_sent(data),
            person_match=match,
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


def _lock_reference(agency: Agency, external_ref: str) -> None:
    """Serialise upserts of one agency's reference until commit: two creates racing by one
    reference would otherwise both find no referral, and the second fail (on the person the first
    recorded, or on the reference) where sent a moment later it would have changed the first's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"referral-ref:{agency.pk}:{external_ref}"]
        )


def referral_upsert(
    *,
    agency: Agency,
    external_ref: str,
    by: Staff | None,
    person: dict[str, Any],
    details: dict[str, Any],
    match_token: str = "",
    different_person: bool = False,
    precondition: Precondition | None = None,
) -> tuple[Referral, bool]:
    """The referral `agency` knows by `external_ref`, and whether it was created: submitted
    (`referral_submit`, with `person` and `details`) if the agency has none by that reference, else
    its details changed (`referral_update`'s rules; `person` is not used). One lock on the
    reference, then one on the row, in one transaction: a request that waited on the reference
    finds the referral another made and is answered as if it came after it."""
    with transaction.atomic():
        _lock_reference(agency, external_ref)
        referral = (
            Referral.objects.select_for_update()
            .filter(referring_agency=agency, external_ref=external_ref)
            .first()
        )
        if precondition is not None:
            precondition(referral)
        if referral is not None:
            return _change_details(referral, {name: details[name] for name in REFERRAL_DETAILS}), False
        created = referral_submit(
            agency=agency,
            by=by,
            person=person,
            **{name: details[name] for name in REFERRAL_DETAILS},
            external_ref=external_ref,
            match_token=match_token,
            different_person=different_person,
        )
        return created, True
