"""Recording and correcting home visits: one function each, in one transaction, with the placement
row locked, every rule checked here, and a concern escalated to the IOM team as an alert; and
registering agencies' case systems as API clients."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

import pghistory
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Field, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.generators import generate_client_id, generate_client_secret
from oauth2_provider.models import Application

from agencies.models import Agency, ApiClient, HomeVisit, StaffMembership, VisitCorrection
from alerts.services import Change, alerts_recheck, concern_raise
from iom_housing.access import (
    Requester,
    Staff,
    agency_of,
    can_user_change_access_of,
    can_user_change_account,
    can_user_correct_visit,
    can_user_record_visits,
    can_user_visit_anyone,
)
from iom_housing.basis import StaleBasis, stale_basis
from iom_housing.dates import day
from iom_housing.roles import Role
from iom_housing.services import integrity_errors_as, locked
from placements.models import Placement, SupportAgency

MAX_SUPPORT_HOURS = Decimal("24")


# What a visit records, in the order a correction lists its changes.
VISIT_FIELDS = (
    "visited_at",
    "kind",
    "outcome",
    "staff_names",
    "other_agency_ids",
    "property_in_good_order",
    "drug_test",
    "engagement",
    "support_hours",
    "concern_raised",
    "concern",
    "notes",
    "next_visit_on",
)


def _ensure_arrived(placement: Placement) -> None:
    if placement.status not in (Placement.Status.ACTIVE, Placement.Status.ENDED):
        raise ValidationError(
            {
                "placement": _(
                    "Visits can be recorded once the person has arrived: this placement is “%(status)s”."
                )
                % {"status": placement.get_status_display()}
            },
            code="not_arrived",
        )


def ensure_may_record(*, placement: Placement, agency: Agency, by: Requester, on: date | None) -> None:
    """Refuse a visit the agency may not record on this placement on this day, saying why.

    With `on=None`, any time on the support plan will do (a page asks before the date is known).
    """
    _ensure_arrived(placement)
    if can_user_visit_anyone(by):
        return
    supports = SupportAgency.objects.filter(support_plan__placement=placement, agency=agency)
    if on is not None:
        supports = supports.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
    if not supports.exists():
        raise ValidationError(
            {
                "placement": _(
                    "%(agency)s is not on the support plan of this placement on %(day)s, so it cannot "
                    "record a visit. Ask the IOM team to add your agency to the support plan."
                )
                % {"agency": agency.name, "day": day(on)}
                if on is not None
                else _(
                    "%(agency)s is not on the support plan of this placement, so it cannot record a "
                    "visit. Ask the IOM team to add your agency to the support plan."
                )
                % {"agency": agency.name}
            },
            code="not_supported",
        )


def _as_hours(value: object) -> Decimal | None:
    try:
        hours = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        return None
    return hours if hours.is_finite() else None


def _cleaned(
    values: dict[str, Any], *, placement: Placement, agency: Agency, now: datetime
) -> dict[str, Any]:
    """The visit's values checked and tidied; every problem at once, each naming its field."""
    errors: dict[str, str] = {}
    cleaned = dict(values)

    visited_at = values["visited_at"]
    if not isinstance(visited_at, datetime):
        errors["visited_at"] = _("Enter the date and time of the visit")
        visited_on = None
    else:
        if timezone.is_naive(visited_at):
            visited_at = timezone.make_aware(visited_at)
        cleaned["visited_at"] = visited_at
        visited_on = timezone.localdate(visited_at)
        if visited_at > now:
            errors["visited_at"] = _("The visit cannot be in the future")
        elif placement.arrived_on and visited_on < placement.arrived_on:
            errors["visited_at"] = _("The visit must be on or after the day they arrived, %(day)s") % {
                "day": day(placement.arrived_on)
            }
        elif placement.departed_on and visited_on > placement.departed_on:
            errors["visited_at"] = _("The visit must be on or before the day they left, %(day)s") % {
                "day": day(placement.departed_on)
            }

    for name, choices, required, message in (
        ("kind", HomeVisit.Kind, True, _("Select how the person was seen")),
        ("outcome", HomeVisit.Outcome, True, _("Select the outcome of the visit")),
        ("drug_test", HomeVisit.DrugTest, False, _("Select a drug test result from the list")),
        ("engagement", HomeVisit.Engagement, False, _("Select their engagement from the list")),
    ):
        value = values[name] or ""
        if value not in choices.values and (required or value):
            errors[name] = message
        cleaned[name] = value

    staff_names = (values["staff_names"] or "").strip()
    if not staff_names:
        errors["staff_names"] = _("Enter the names of the visiting staff")
    elif len(staff_names) > cast(int, HomeVisit._meta.get_field("staff_names").max_length):
        errors["staff_names"] = _("Visiting staff must be 300 characters or fewer")
    cleaned["staff_names"] = staff_names

    if values["property_in_good_order"] not in (None, True, False):
        errors["property_in_good_order"] = _("Select yes or no")

    hours = _as_hours(values["support_hours"])
    if hours is None or not Decimal("0") <= hours <= MAX_SUPPORT_HOURS:
        errors["support_hours"] = _("Support hours must be a number from 0 to 24")
    else:
        cleaned["support_hours"] = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    concern = (values["concern"] or "").strip()
    cleaned["concern"] = concern
    cleaned["concern_raised"] = bool(values["concern_raised"])
    if cleaned["concern_raised"] and not concern:
        errors["concern"] = _("Describe the concern for the IOM team")
    elif concern and not cleaned["concern_raised"]:
        errors["concern_raised"] = _(
            "Select “Raise a concern” to send the concern to the IOM team, or delete it"
        )
    cleaned["notes"] = (values["notes"] or "").strip()

    next_visit_on = values["next_visit_on"]
    if next_visit_on is not None and visited_on is not None and next_visit_on < visited_on:
        errors["next_visit_on"] = _("The next visit must be on or after the day of this visit")

    ids = set()
    for raw in values["other_agency_ids"] or ():
        try:
            ids.add(int(raw))
        except (TypeError, ValueError):
            errors["other_agency_ids"] = _("Select the other agencies from the list")
    ids.discard(agency.pk)  # an agency is not on a joint visit with itself
    if ids and "other_agency_ids" not in errors:
        found = set(Agency.objects.filter(pk__in=ids, active=True).values_list("pk", flat=True))
        if found != ids:
            errors["other_agency_ids"] = _("Select the other agencies from the list")
    cleaned["other_agency_ids"] = sorted(ids)

    if errors:
        raise ValidationError(errors)
    return cleaned


def visit_record(
    *,
    placement_id: int,
    by: Staff | None = None,
    api_client: ApiClient | None = None,
    visited_at: datetime,
    kind: str,
    staff_names: str,
    outcome: str,
    other_agency_ids: Iterable[int] = (),
    property_in_good_order: bool | None = None,
    drug_test: str = "",
    engagement: str = "",
    support_hours: Decimal | int | str | None = 0,
    concern_raised: bool = False,
    concern: str = "",
    notes: str = "",
    next_visit_on: date | None = None,
) -> HomeVisit:
    """Record a visit by the user's agency (or, over the API, by `api_client`'s agency) to a person
    in a placement; a concern alerts the IOM team. The same rules apply whoever records it."""
    # A worker's or officer's membership always names an agency, so None means "may not record".
    agency = (
        api_client.agency if api_client is not None else agency_of(by) if can_user_record_visits(by) else None
    )
    if agency is None:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Only agency workers and IOM officers record visits.")}, code="forbidden"
        )
    now = timezone.now()
    with transaction.atomic():
        # Locked so that the stay cannot end (or be cancelled) while its visit is being recorded.
        placement = locked(Placement.objects, placement_id, _("placement"))
        _ensure_arrived(placement)
        values = _cleaned(
            {
                "visited_at": visited_at,
                "kind": kind,
                "staff_names": staff_names,
                "outcome": outcome,
                "other_agency_ids": other_agency_ids,
                "property_in_good_order": property_in_good_order,
                "drug_test": drug_test,
                "engagement": engagement,
                "support_hours": support_hours,
                "concern_raised": concern_raised,
                "concern": concern,
                "notes": notes,
                "next_visit_on": next_visit_on,
            },
            placement=placement,
            agency=agency,
            now=now,
        )
        ensure_may_record(
            placement=placement, agency=agency, by=by, on=timezone.localdate(values["visited_at"])
        )
        other_agency_ids = values.pop("other_agency_ids")
        visit = HomeVisit.objects.create(
            placement=placement, agency=agency, recorded_by=by, recorded_by_client=api_client, **values
        )
        if other_agency_ids:
            visit.other_agencies.add(*other_agency_ids)
        if visit.concern_raised:
            concern_raise(visit=visit, placement=placement)
        alerts_recheck(change=Change.VISIT_RECORDED, placement_id=placement.pk)
    return visit


def _stored(value: object) -> object:
    """A value as the correction history keeps it (JSON)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


def _current(visit: HomeVisit) -> dict[str, Any]:
    values = {name: getattr(visit, name) for name in VISIT_FIELDS if name != "other_agency_ids"}
    values["other_agency_ids"] = sorted(visit.other_agencies.values_list("pk", flat=True))
    return values


def _corrections_since(visit: HomeVisit, based_on_correction: int | None) -> list[VisitCorrection] | None:
    """The corrections made after the one the page was shown with (0: none), or None if the page's
    basis is still current (or there is none to check)."""
    if based_on_correction is None:
        return None
    latest = visit.corrections.order_by("-pk").values_list("pk", flat=True).first() or 0
    if latest == based_on_correction:
        return None
    return list(visit.corrections.filter(pk__gt=based_on_correction).select_related("corrected_by"))


def _stale_visit(
    visit: HomeVisit, since: list[VisitCorrection], *, by: Staff, already_done: bool
) -> StaleBasis:
    labels = []
    for correction in since:
        for name in correction.changes:
            try:
                label = str(cast("Field[Any, Any]", HomeVisit._meta.get_field(name)).verbose_name)
            except FieldDoesNotExist:
                continue
            if label not in labels:
                labels.append(label)
    last = since[-1] if since else None
    if last is None:
        who = ""
    elif last.corrected_by_id == by.pk:
        who = _("you")
    else:
        who = last.corrected_by.get_full_name() or last.corrected_by.username
    return stale_basis(
        thing=visit._meta.verbose_name,
        who=who,
        at=last.corrected_at if last else visit.updated_at,
        what=_("these answers were corrected: %(answers)s") % {"answers": ", ".join(labels)}
        if labels
        else _("it was corrected"),
        already_done=already_done,
    )


def visit_correct(
    *, visit_id: int, by: Staff, reason: str, based_on_correction: int | None = None, **fields: Any
) -> HomeVisit:
    """Correct a visit, keeping what changed and why.

    The author may correct their visit for 7 days after recording it; after that, and for anyone
    else's visit, an IOM officer (or scheme manager) must. A newly raised concern alerts the IOM team.

    `based_on_correction` is the latest correction the page was shown with (0: none): a correction
    made on an older page is refused, naming the one made since, so that it cannot silently undo it.
    """
    unknown = set(fields) - set(VISIT_FIELDS)
    if unknown:
        raise TypeError(f"visit_correct() got unexpected fields: {', '.join(sorted(unknown))}")
    now = timezone.now()
    with transaction.atomic():
        try:
            placement_id = HomeVisit.objects.values_list("placement_id", flat=True).get(pk=visit_id)
        except HomeVisit.DoesNotExist:
            raise ValidationError(_("The visit was not found."), code="not_found") from None
        # Placement first, then the visit: the same order as recording, so two requests cannot deadlock.
        placement = locked(Placement.objects, placement_id, _("placement"))
        visit = locked(HomeVisit.objects, visit_id, _("visit"))
        if not can_user_correct_visit(by, visit, now=now):
            if visit.recorded_by_id == by.pk:
                message = _(
                    "You can correct your own visit for 7 days after recording it. Ask an IOM officer "
                    "to correct it now."
                )
            else:
                message = _("Only the person who recorded this visit, or an IOM officer, can correct it.")
            raise ValidationError({NON_FIELD_ERRORS: message}, code="forbidden")
        since = _corrections_since(visit, based_on_correction)
        if since is not None and not (since and all(c.corrected_by_id == by.pk for c in since)):
            raise _stale_visit(visit, since, by=by, already_done=False)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": _("Enter why the visit is being corrected")})

        before = _current(visit)
        after = _cleaned({**before, **fields}, placement=placement, agency=visit.agency, now=now)
        changes: dict[str, Any] = {
            name: [_stored(before[name]), _stored(after[name])]
            for name in VISIT_FIELDS
            if _stored(before[name]) != _stored(after[name])
        }
        if since is not None:
            # Corrected since only by this person: the same answers again are the form sent twice.
            raise _stale_visit(visit, since, by=by, already_done=not changes)
        if not changes:
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Nothing has changed: change an answer to correct the visit.")}
            )
        new_day = timezone.localdate(after["visited_at"])
        if "visited_at" in changes and new_day != timezone.localdate(before["visited_at"]):
            ensure_may_record(placement=placement, agency=visit.agency, by=by, on=new_day)

        other_agency_ids = after.pop("other_agency_ids")
        for name, value in after.items():
            setattr(visit, name, value)
        visit.save()
        if "other_agency_ids" in changes:
            visit.other_agencies.set(other_agency_ids)
            # Kept by name, so the history reads without looking the ids up.
            names = dict(
                Agency.objects.filter(pk__in=[*before["other_agency_ids"], *other_agency_ids]).values_list(
                    "pk", "name"
                )
            )
            changes["other_agencies"] = [[names[pk] for pk in ids] for ids in changes.pop("other_agency_ids")]
        VisitCorrection.objects.create(visit=visit, corrected_by=by, reason=reason, changes=changes)
        if visit.concern_raised and ("concern_raised" in changes or "concern" in changes):
            concern_raise(visit=visit, placement=placement)
        alerts_recheck(change=Change.VISIT_RECORDED, placement_id=placement.pk)
    return visit


# API clients ------------------------------------------------------------------------------------


def api_client_register(
    *, agency: Agency, name: str, scopes: list[str], client_id: str = "", secret: str = ""
) -> tuple[ApiClient, str]:
    """Register (or, by client id, re-register) an agency's case system as a confidential OAuth 2.0
    client using the client-credentials grant. Returns the client and its secret in plain text:
    only a hash is stored, so this is the one chance to pass the secret on."""
    unknown = sorted(set(scopes) - set(settings.API_SCOPES))
    if unknown:
        raise ValidationError({"scopes": _("Unknown scopes: %s.") % ", ".join(unknown)})
    secret = secret or generate_client_secret()
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(client_id=client_id).first()
        if application is None:
            application = Application(client_id=client_id or generate_client_id())
        application.name = name
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = Application.GRANT_CLIENT_CREDENTIALS
        application.client_secret = secret  # hashed on save
        application.save()
        api_client, _created = ApiClient.objects.update_or_create(
            application=application, defaults={"agency": agency, "scopes": sorted(scopes), "active": True}
        )
    return api_client, secret


# Staff accounts: the users and roles pages --------------------------------------------------------
# Each change is one transaction, with the account (and its membership) locked, and recorded in the
# change history (audit.UserHistory, audit.StaffMembershipHistory) and the security log (role and
# sign-in changes: iom_housing/security/signals.py). Accounts are switched off, never deleted: their
# past records still name who did what.


def _account_locked(user_id: int) -> Any:
    from django.contrib.auth import get_user_model

    return locked(get_user_model().objects, user_id, _("account"))


def _ensure_may_change(by: Staff, account: Any, *, access: bool = False) -> None:
    """The users pages' rules (iom_housing.access): a superuser's account is changed in the
    admin, by a superuser; one's own sign-in and role by another scheme manager."""
    if not can_user_change_account(by, account):
        raise ValidationError(_("Only a superuser can change this account, in the admin."), code="superuser")
    if access and not can_user_change_access_of(by, account):
        raise ValidationError(
            _("You cannot do this to your own account. Ask another scheme manager."), code="own_account"
        )


# Changes that could leave the scheme without a scheme manager take this lock first, so that two
# managers switching each other off at once run one after the other and the second sees the
# first's change (each statement after the lock reads what is committed by then).
SCHEME_MANAGERS_LOCK_KEY = 7_140_1801


def _serialise_scheme_manager_changes() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEME_MANAGERS_LOCK_KEY])


def _ensure_other_scheme_managers(account: Any) -> None:
    """The scheme keeps a scheme manager: with none, no one could manage its users."""
    managers = set(
        StaffMembership.objects.filter(
            role=Role.SCHEME_MANAGER, active=True, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    if managers == {account.pk}:
        raise ValidationError(
            _("This is the only scheme manager. Make someone else a scheme manager first."),
            code="last_scheme_manager",
        )


def _active_agency(agency_id: int) -> Agency:
    agency = Agency.objects.filter(pk=agency_id, active=True).first()
    if agency is None:
        raise ValidationError({"agency": _("Select an agency that is still part of the scheme")})
    return agency


def _password_link_queue(account: Any) -> None:
    from agencies.tasks import send_password_link
    from outbox.services import outbox_add

    # A fresh key each time: the outbox keeps one message per key, and a manager may send a second
    # link (the first expired, or went to an old address).
    outbox_add(task=send_password_link, args=[account.pk, uuid.uuid4().hex])


def staff_add(
    *,
    first_name: str,
    last_name: str,
    email: str,
    username: str = "",
    role: str,
    agency_id: int,
    job_title: str = "",
    by: Staff,
) -> Any:
    """Give a member of staff an account with a role at an agency. They have no password until they
    choose one from the link emailed to them (through the outbox, once this commits)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    email = (email or "").strip()
    username = (username or "").strip() or email
    errors: dict[str, str] = {}
    if not (first_name or "").strip():
        errors["first_name"] = _("Enter their first name")
    if not (last_name or "").strip():
        errors["last_name"] = _("Enter their last name")
    if role not in Role.values:
        errors["role"] = _("Select their role")
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = _("Another account already uses this email address")
    if User.objects.filter(username__iexact=username).exists():
        errors["username" if username != email else "email"] = _(
            "Another account already has this username: choose another"
        )
    if errors:
        raise ValidationError(errors)
    agency = _active_agency(agency_id)
    with (
        integrity_errors_as(
            {
                "auth_user_username_key": ValidationError(
                    {"username": _("Another account already has this username: choose another")}
                )
            }
        ),
        transaction.atomic(),
        pghistory.context(user=getattr(by, "pk", None)),
    ):
        account = User(
            username=username,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            is_active=True,
        )
        account.set_unusable_password()
        account.save()
        StaffMembership.objects.create(user=account, agency=agency, role=role, job_title=job_title.strip())
        _password_link_queue(account)
    return account


def staff_change(
    *, user_id: int, role: str, agency_id: int, job_title: str = "", by: Staff
) -> StaffMembership:
    """Change a member of staff's role, agency or job title. What they see follows the membership
    at once (`iom_housing.access.people_scope` reads it on every request): moving them to another
    agency leaves them nothing of the old one's."""
    if role not in Role.values:
        raise ValidationError({"role": _("Select their role")})
    with transaction.atomic(), pghistory.context(user=getattr(by, "pk", None)):
        _serialise_scheme_manager_changes()
        account = _account_locked(user_id)
        _ensure_may_change(by, account)
        agency = Agency.objects.filter(pk=agency_id).first()
        membership = StaffMembership.objects.select_for_update().filter(user=account).first()
        if agency is None or (
            not agency.active and (membership is None or membership.agency_id != agency.pk)
        ):
            raise ValidationError({"agency": _("Select an agency that is still part of the scheme")})
        if membership is None:
            # An account made in the admin without a role (a superuser's, say) gets its first one.
            _ensure_may_change(by, account, access=True)
            return StaffMembership.objects.create(
                user=account, agency=agency, role=role, job_title=job_title.strip()
            )
        if membership.role != role:
            _ensure_may_change(by, account, access=True)
            if membership.role == Role.SCHEME_MANAGER:
                _ensure_other_scheme_managers(account)
        membership.role, membership.agency, membership.job_title = role, agency, job_title.strip()
        membership.save(update_fields=["role", "agency", "job_title", "updated_at"])
    return membership


def staff_switch_off(*, user_id: int, by: Staff) -> Any:
    """Switch an account off: they can no longer sign in, and their sessions end at once. Never a
    deletion: their records still name them."""
    with transaction.atomic(), pghistory.context(user=getattr(by, "pk", None)):
        _serialise_scheme_manager_changes()
        account = _account_locked(user_id)
        _ensure_may_change(by, account, access=True)
        if not account.is_active:
            raise ValidationError(_("This account is already switched off."), code="already_off")
        _ensure_other_scheme_managers(account)
        account.is_active = False
        account.save(update_fields=["is_active"])
    return account


def staff_switch_on(*, user_id: int, by: Staff) -> Any:
    """Switch an account back on, with the role and agency it had (shown on the page first)."""
    with transaction.atomic(), pghistory.context(user=getattr(by, "pk", None)):
        account = _account_locked(user_id)
        _ensure_may_change(by, account, access=True)
        if account.is_active:
            raise ValidationError(_("This account is already switched on."), code="already_on")
        account.is_active = True
        account.save(update_fields=["is_active"])
    return account


def staff_two_factor_reset(*, user_id: int, by: Staff) -> Any:
    """Remove their authenticator (a lost phone): they set up a new one at their next sign-in, and
    their sessions end with it."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from iom_housing.security.services import user_two_factor_reset

    with transaction.atomic():
        account = _account_locked(user_id)
        _ensure_may_change(by, account, access=True)
        if not TOTPDevice.objects.filter(user=account).exists():
            raise ValidationError(_("They have not set up two-factor authentication yet."), code="no_device")
        user_two_factor_reset(user=account, by=by)
    return account


def staff_password_link_send(*, user_id: int, by: Staff) -> Any:
    """Email them a link to choose a new password (a new account, a forgotten password). Only a
    scheme manager sends one: no one can ask for a reset of an account by its address."""
    with transaction.atomic():
        account = _account_locked(user_id)
        _ensure_may_change(by, account, access=True)
        if not account.is_active:
            raise ValidationError(_("Switch the account on first."), code="inactive")
        if not account.email:
            raise ValidationError(_("The account has no email address to send the link to."), code="no_email")
        _password_link_queue(account)
    return account
