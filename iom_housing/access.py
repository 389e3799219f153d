"""Who may do what: roles and the access rules every view and API call asks (one place)."""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from iom_housing.roles import Role
from placements.models import SupportAgency
from referrals.models import Referral

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models import QuerySet
    from oauth2_provider.models import AccessToken

    from agencies.models import Agency, ApiClient, HomeVisit, StaffMembership
    from iom_housing.api.auth import ApiClientUser
    from moveon.models import MoveOnAction

# Who does something: the signed-in member of staff a service records as `by` (`created_by`,
# `decided_by`...). Views pass `request.user` behind a `require(...)` rule; the API passes None
# (an agency's case system is no person: the services take its ApiClient as `api_client`).
Staff: TypeAlias = "User"
# Whom a rule is asked about: `request.user` on a page (signed in or not) or in the API (a person
# browsing it, or an agency's case system as an `ApiClientUser`); None for no one (a service called
# for an agency's case system, `by=None`), which every rule refuses.
Requester: TypeAlias = "User | AnonymousUser | ApiClientUser | None"


# Roles that see every person and placement in the scheme.
SCHEME_WIDE_ROLES = (Role.IOM_OFFICER, Role.SCHEME_MANAGER)


def active_membership(user: Requester) -> "StaffMembership | None":
    """The user's staff membership while it is active, else None (no access to case data)."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership: StaffMembership | None = getattr(user, "membership", None)
    if membership is None or not membership.active:
        return None
    return membership


def role_of(user: Requester) -> Role | None:
    """The user's role from their active staff membership, or None (no access to case data)."""
    membership = active_membership(user)
    return None if membership is None else Role(membership.role)


def sees_whole_scheme(user: Requester) -> bool:
    return role_of(user) in SCHEME_WIDE_ROLES


def agency_of(user: Requester) -> "Agency | None":
    """The agency the user works for, or None."""
    membership = active_membership(user)
    return membership.agency if membership is not None else None


def people_scope(user: Requester, offender_field: str = "pk", *, few: bool = False) -> Q:
    """A filter for the people (offenders) `user` may see, on the field naming the offender.

    Officers and scheme managers see the whole scheme. An agency worker sees a person once an IOM
    officer has accepted a referral of them by their agency, or while (and after) their agency is
    on the support plan of one of their placements: a referral alone opens nothing, since anyone
    who knows a name and a date of birth (or a PNC ID) could make one. Until then the agency sees
    its own referral and what it sent (`referral_scope`, `Referral.referred_person`). Anyone else
    sees no one. Every selector that returns people applies this.

    By default the database builds, once per query, the set of everyone the agency ever referred
    or supported (thousands, nationally) and tests each row against it: right for a list. With
    `few=True` each row is tested on its own, by index (EXISTS): right for a query that looks at a
    few rows (one record, one placement's visits, a caseload), which then costs next to nothing.
    Not for long lists: PostgreSQL prices EXISTS row by row, and for thousands of rows that
    estimate alone is high enough to make it compile the query (JIT), which costs more than it saves.
    """
    membership = active_membership(user)
    role = role_of(user)
    if role in SCHEME_WIDE_ROLES:
        return Q()
    if role == Role.AGENCY_WORKER and membership is not None:
        return _agency_people(membership.agency_id, offender_field, few=few)
    return Q(pk__in=[])


def _agency_people(agency_id: int, offender_field: str, *, few: bool) -> Q:
    """The people an agency may see (see `people_scope`)."""
    accepted = Referral.objects.filter(referring_agency_id=agency_id, status=Referral.Status.ACCEPTED)
    supported = SupportAgency.objects.filter(agency_id=agency_id)
    if few:
        person = OuterRef(offender_field)
        return Q(Exists(accepted.filter(offender_id=person))) | Q(
            Exists(supported.filter(support_plan__placement__offender_id=person))
        )
    return Q(**{f"{offender_field}__in": accepted.values("offender_id")}) | Q(
        **{f"{offender_field}__in": supported.values("support_plan__placement__offender_id")}
    )


def sees_person_record(user: Requester, offender_field: str = "offender") -> "Value | ExpressionWrapper[Any]":
    """An annotation for rows that name a person (referrals): whether `user` may see that person's
    record, or only what its own agency sent about them. An agency's case system sees as the
    agency's workers do."""
    if sees_whole_scheme(user):
        return Value(True)
    api_client: ApiClient | None = getattr(user, "api_client", None)
    membership = active_membership(user)
    if api_client is not None:
        agency_id = api_client.agency_id
    elif role_of(user) == Role.AGENCY_WORKER and membership is not None:
        agency_id = membership.agency_id
    else:
        return Value(False)
    return ExpressionWrapper(_agency_people(agency_id, offender_field, few=True), output_field=BooleanField())


def can_user_view_cases(user: Requester) -> bool:
    """Read people's records (each record still scoped by `people_scope`)."""
    return role_of(user) in (*SCHEME_WIDE_ROLES, Role.AGENCY_WORKER)


# The author of a visit may correct it for this long after recording it; officers at any time.
VISIT_CORRECTION_WINDOW = timedelta(days=7)


def can_user_record_visits(user: Requester) -> bool:
    """Agency workers record their agency's visits; IOM officers record the police's."""
    return role_of(user) in (Role.AGENCY_WORKER, Role.IOM_OFFICER)


def can_user_visit_anyone(user: Requester) -> bool:
    """The IOM team may visit anyone in the scheme; an agency only the placements whose support
    plan it is on."""
    return role_of(user) == Role.IOM_OFFICER


def can_user_correct_visit(user: Requester, visit: "HomeVisit", *, now: datetime | None = None) -> bool:
    """The author for 7 days after recording it; IOM officers and scheme managers at any time."""
    role = role_of(user)
    if role in SCHEME_WIDE_ROLES:
        return True
    now = now or timezone.now()
    return (
        role is not None
        and user is not None
        and visit.recorded_by_id == user.pk
        and now - visit.created_at <= VISIT_CORRECTION_WINDOW
    )


# Case notes and documents -----------------------------------------------------------------------


def can_user_view_case_files(user: Requester) -> bool:
    """A person's case notes and documents: whoever may read their record (officers and managers
    everyone's, an agency worker those of the people their agency may see: `case_file_scope`)."""
    return can_user_view_cases(user)


def can_user_add_case_files(user: Requester) -> bool:
    """Write a case note or attach a document: IOM officers, and agency workers for the people
    their agency may see. Scheme managers read them."""
    return role_of(user) in (Role.IOM_OFFICER, Role.AGENCY_WORKER)


def can_user_correct_case_note(user: Requester, author_id: int) -> bool:
    """Only a note's author corrects it (a note is someone's account in their own words), while
    they may still write notes; the text before and the reason are kept."""
    return can_user_add_case_files(user) and user is not None and getattr(user, "pk", None) == author_id


def case_file_scope(user: Requester) -> Q:
    """A filter for the notes and documents `user` may see: those about the people they may see,
    each row tested on its own (a person's page lists a few)."""
    return people_scope(user, "offender_id", few=True)


def can_user_view_alerts(user: Requester) -> bool:
    """The alerts page: officers and managers see every alert, agency workers their own (below)."""
    return role_of(user) in (*SCHEME_WIDE_ROLES, Role.AGENCY_WORKER)


def alert_scope(user: Requester) -> Q:
    """A filter for the alerts `user` may see. Officers and scheme managers: all of them. An agency
    worker: only missed visits and overdue move-on actions of their own agency, and follow-ups due
    for the placements their agency supported, about people in their caseload; the rest are for the IOM team to act on (a concern they raised is on the visit
    they recorded)."""
    membership = active_membership(user)
    role = role_of(user)
    if role in SCHEME_WIDE_ROLES:
        return Q()
    if role == Role.AGENCY_WORKER and membership is not None:
        return people_scope(user, "offender") & (
            Q(kind__in=("visit_missed", "moveon_overdue"), agency_id=membership.agency_id)
            | Q(kind="followup_due", placement_id__in=_supported_placements(membership.agency_id))
        )
    return Q(pk__in=[])


def _supported_placements(agency_id: int) -> "QuerySet[Any, Any]":
    """The ids of the placements whose support plan names (or named) the agency."""
    return SupportAgency.objects.filter(agency_id=agency_id).values("support_plan__placement_id")


# After a stay: rent deposits and follow-up checks ---------------------------------------------


def can_user_manage_deposits(user: Requester) -> bool:
    """The rent deposit fund, its landlords, paying deposits and recording returns: officers and
    scheme managers."""
    return role_of(user) in SCHEME_WIDE_ROLES


def can_user_view_deposits(user: Requester) -> bool:
    """Deposits are shown to agency workers too, for their own people only (`deposit_scope`)."""
    return role_of(user) in (*SCHEME_WIDE_ROLES, Role.AGENCY_WORKER)


def deposit_scope(user: Requester) -> Q:
    """A filter for the deposits `user` may see: those for the people they may see."""
    return people_scope(user, "placement__offender")


def can_user_view_follow_ups(user: Requester) -> bool:
    """The list of follow-up checks: officers and managers all, agency workers their own."""
    return role_of(user) in (*SCHEME_WIDE_ROLES, Role.AGENCY_WORKER)


def can_user_record_follow_ups(user: Requester) -> bool:
    """IOM officers record any follow-up check; agency workers those of placements their agency
    supported (`follow_up_scope`). Managers read them."""
    return role_of(user) in (Role.IOM_OFFICER, Role.AGENCY_WORKER)


def follow_up_scope(user: Requester) -> Q:
    """A filter for the follow-up checks `user` may see: all for officers and managers; for an
    agency worker (or its agency's case system) the checks of placements its agency supported."""
    api_client: ApiClient | None = getattr(user, "api_client", None)
    if api_client is not None:
        return agency_follow_up_scope(api_client.agency_id)
    membership = active_membership(user)
    role = role_of(user)
    if role in SCHEME_WIDE_ROLES:
        return Q()
    if role == Role.AGENCY_WORKER and membership is not None:
        return agency_follow_up_scope(membership.agency_id)
    return Q(pk__in=[])


def agency_follow_up_scope(agency_id: int) -> Q:
    return Q(placement_id__in=_supported_placements(agency_id))


def can_user_manage_move_on_plans(user: Requester) -> bool:
    """Set a plan's target and planned move-out dates, and add or change any of its actions:
    officers and scheme managers."""
    return role_of(user) in SCHEME_WIDE_ROLES


def can_user_record_move_on_actions(user: Requester) -> bool:
    """Open the move-on action pages: officers and managers for any action, agency workers for the
    actions their agency owns (each action still by `can_user_change_move_on_action`)."""
    return role_of(user) in (*SCHEME_WIDE_ROLES, Role.AGENCY_WORKER)


def can_user_change_move_on_action(user: Requester, action: "MoveOnAction") -> bool:
    """Officers and managers change any action; an agency worker only those its agency owns (the
    selector has already limited them to people the agency supports)."""
    role = role_of(user)
    if role in SCHEME_WIDE_ROLES:
        return True
    membership = active_membership(user)
    return (
        role == Role.AGENCY_WORKER
        and membership is not None
        and action.owner_agency_id == membership.agency_id
    )


def supports_placement(agency_id: int, *, today: date, placement_field: str = "pk") -> Q:
    """A filter for placements (by `placement_field`) whose support plan names the agency today:
    "the people it supports", for whom an agency records move-on actions."""
    supporting = SupportAgency.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today),
        agency_id=agency_id,
        support_plan__placement_id=OuterRef(placement_field),
    )
    return Q(Exists(supporting))


def move_on_action_scope(user: Requester, *, today: date) -> Q:
    """The move-on actions `user` may change: every action for officers and managers; for an agency
    worker or its case system (`user.api_client`), those its agency owns on placements it supports
    today (which makes them people it may see, `people_scope`)."""
    if sees_whole_scheme(user):
        return Q()
    api_client: ApiClient | None = getattr(user, "api_client", None)
    membership = active_membership(user)
    if api_client is not None:
        agency_id = api_client.agency_id
    elif role_of(user) == Role.AGENCY_WORKER and membership is not None:
        agency_id = membership.agency_id
    else:
        return Q(pk__in=[])
    return Q(owner_agency_id=agency_id) & supports_placement(
        agency_id, today=today, placement_field="plan__placement_id"
    )


def can_user_submit_referrals(user: Requester) -> bool:
    """Agency workers refer for their agency; IOM officers may refer for the police IOM team."""
    return role_of(user) in (Role.AGENCY_WORKER, Role.IOM_OFFICER)


def can_user_manage_scheme(user: Requester) -> bool:
    """Scheme managers run the admin: properties, agencies, users, funding and unit costs."""
    return role_of(user) == Role.SCHEME_MANAGER


def can_user_manage_staff(user: Requester) -> bool:
    """The users and roles pages: add a member of staff, change their role or agency, switch an
    account off and on, reset their two-factor authentication, send a link to set a password."""
    return can_user_manage_scheme(user)


def can_user_change_account(user: Requester, account: "User") -> bool:
    """Whether `user` may change `account` on the users and roles pages: a scheme manager may
    change any account but a superuser's (only a superuser may, in the admin)."""
    return can_user_manage_staff(user) and (
        not account.is_superuser or bool(getattr(user, "is_superuser", False))
    )


def can_user_change_access_of(user: Requester, account: "User") -> bool:
    """Whether the change may touch `account`'s sign-in or role: never one's own (switching
    oneself off, dropping one's own role or resetting one's own second factor locks a manager
    out mid-task; another scheme manager does it)."""
    return can_user_change_account(user, account) and getattr(user, "pk", None) != account.pk


def can_user_manage_funding(user: Requester) -> bool:
    """The scheme's funding lines, which the report's funding section adds up: scheme managers."""
    return can_user_manage_scheme(user)


def can_user_manage_properties(user: Requester) -> bool:
    """Add and change properties and their bedspaces (names, addresses, areas, costs, taking a
    bedspace out of use): the scheme's stock is its managers'. IOM officers see the properties
    and book them, and change none of them."""
    return role_of(user) == Role.SCHEME_MANAGER


def can_user_manage_placements(user: Requester) -> bool:
    """Triage referrals, book, renew and end placements, record offending: IOM officers and managers."""
    return role_of(user) in SCHEME_WIDE_ROLES


def can_user_manage_licence_wording(user: Requester) -> bool:
    """The licence agreement's wording (conditions, house rules, breach, contacts, charge) is the
    scheme's: its managers maintain it."""
    return role_of(user) == Role.SCHEME_MANAGER


def can_user_manage_licences(user: Requester) -> bool:
    """Print a term's agreement and record it signed or refused, add or remove a person's own
    conditions, record warnings under the licence and end it for a breach: the IOM team (and
    managers). The supporting agencies see the conditions and warnings of the people they may
    see (`people_scope`) on the placement page, and record none of them."""
    return role_of(user) in SCHEME_WIDE_ROLES


def can_user_transfer_placements(user: Requester) -> bool:
    """Move a person to another bedspace (a repair, an incident, a risk): an operational decision
    about a person, so IOM officers only, not scheme managers."""
    return role_of(user) == Role.IOM_OFFICER


def can_user_override_sharing(user: Requester) -> bool:
    """Book, renew or move a stay that conflicts with a shared property's rule (placements.sharing)
    with a recorded reason: a judgement of risk to people, so IOM officers only, as moves are. No
    API client books, so none overrides."""
    return role_of(user) == Role.IOM_OFFICER


def can_user_use_admin(user: Requester) -> bool:
    """The admin site: active superusers and scheme managers. `is_staff` alone lets nobody in."""
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_superuser", False) or can_user_manage_scheme(user))
    )


def can_user_follow_every_agency(user: Requester) -> bool:
    """Officers and scheme managers follow every agency's work (the visits due, by agency);
    an agency's staff only their own agency's."""
    return role_of(user) in SCHEME_WIDE_ROLES


def can_user_view_own_agency_work(user: Requester) -> bool:
    """A partner agency's own pages, their home: its caseload and the referrals it sent. Officers
    and managers follow the whole scheme instead (the dashboard and the referral list)."""
    return role_of(user) == Role.AGENCY_WORKER


def has_role(user: Requester) -> bool:
    """Whether the user holds an active role in the scheme (without one, they see no case data)."""
    return role_of(user) is not None


def can_user_view_reports(user: Requester) -> bool:
    """Evaluation reports: the OPCC's versions (evaluation and published), and officers and managers."""
    return role_of(user) in (*SCHEME_WIDE_ROLES, Role.OPCC_ANALYST)


def can_user_edit_report_assumptions(user: Requester) -> bool:
    """The report's assumptions (the unit costs it prices the alternatives and the costs avoided
    with): scheme managers change them; whoever reads reports sees them."""
    return role_of(user) == Role.SCHEME_MANAGER


def can_user_view_operational_reports(user: Requester) -> bool:
    """The operational version names people (for case review): officers and managers only."""
    return role_of(user) in SCHEME_WIDE_ROLES


def can_user_view_report_version(user: Requester, audience: str) -> bool:
    """One version of the report, judged by the user's role now: "officer" (named) for officers and
    managers; "evaluation" (pseudonymised person rows, under the data-sharing agreement) and
    "published" (protected tables) for them and the OPCC's analysts. A file made earlier is handed
    over only while its maker may still make it (an officer moved to the OPCC loses the named
    files they made)."""
    if audience == "officer":
        return can_user_view_operational_reports(user)
    if audience in ("evaluation", "published"):
        return can_user_view_reports(user)
    return False


def can_user_read_api_docs(user: Requester) -> bool:
    """The API's schema and docs are for staff who use case data; OPCC analysts see reports only."""
    return getattr(user, "api_client", None) is not None or can_user_view_cases(user)


# The API: agencies' case systems (OAuth 2.0 clients) and staff browsing it ----------------------

API_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# Visits have no read scope: a client that records its agency's visits may read them back.
API_READ_SCOPES = {"visits": "visits:write", "followups": "followups:write"}


def api_scope_required(method: str, resource: str) -> str:
    """The token scope a request needs: `<resource>:read` to read, `<resource>:write` to change."""
    if method in API_SAFE_METHODS:
        return API_READ_SCOPES.get(resource, f"{resource}:read")
    return f"{resource}:write"


def can_api_client_use_scope(api_client: "ApiClient", token: "AccessToken", scope: str) -> bool:
    """The token was granted the scope and the client still holds it (a manager may have taken it
    away since the token was issued)."""
    return api_client.active and scope in api_client.scopes and token.allow_scopes([scope])


def can_user_browse_api(user: Requester, method: str) -> bool:
    """Staff signed in to the site read the API (referrals, visits) as they would on its pages;
    they make changes with the site's forms."""
    return method in API_SAFE_METHODS and can_user_view_cases(user)


def api_client_referral_scope(agency_id: int) -> Q:
    """An agency's case system sees only the referrals its own agency made: not those of people
    the agency merely supports, nor another agency's referral of the same person."""
    return Q(referring_agency_id=agency_id)


def referral_scope(user: Requester) -> Q:
    """A filter for the referrals `user` may read: an API client (`user.api_client`) its agency's;
    an agency worker its agency's own (whether or not it may see the person's record) and every
    referral of the people it may see; other staff by `people_scope`. What a referral shows of its
    person is `sees_person_record`'s."""
    api_client: ApiClient | None = getattr(user, "api_client", None)
    if api_client is not None:
        return api_client_referral_scope(api_client.agency_id)
    membership = active_membership(user)
    if role_of(user) == Role.AGENCY_WORKER and membership is not None:
        return Q(referring_agency_id=membership.agency_id) | people_scope(user, "offender")
    return people_scope(user, "offender")


View: TypeAlias = Callable[..., HttpResponse]


def require(rule: Callable[[Requester], bool]) -> Callable[[View], View]:
    """View decorator: sign-in first, then `rule(user)` or 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not rule(request.user):
                from iom_housing.security.log import security_event

                security_event("access_refused", request=request, status=403, rule=rule.__name__)
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ApiDocsPermission:
    """DRF permission for the API's schema and docs (see `can_user_read_api_docs`)."""

    def has_permission(self, request: HttpRequest, view: object) -> bool:
        return can_user_read_api_docs(request.user)

    def has_object_permission(self, request: HttpRequest, view: object, obj: object) -> bool:
        return self.has_permission(request, view)
