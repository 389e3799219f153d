"""What the load asks for, chosen from the database before it starts and the same every run on the
same data: people to search for and open, properties, placements to record visits on, referrals to
upsert, active placements and their open move-on actions to open. People are read through the same scoping selectors as the pages, as the user who asks."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model

SAMPLE = 50  # of each kind at most, spread evenly over the table
OFFICER, MANAGER, AGENCY_WORKERS = "officer", "manager", ("probation", "ddas")


@dataclass(frozen=True)
class Targets:
    search_terms: list[str]  # last names
    offenders: list[str]  # public ids
    properties: list[int]
    visits: list[tuple[str, str]]  # (agency worker's username, placement public id)
    upserts: list[tuple[str, dict]]  # (external_ref, the PUT body)
    placements: list[str] = field(default_factory=list)  # active placements' public ids
    move_on_actions: list[str] = field(default_factory=list)  # open actions' public ids

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.__dataclass_fields__}


class TargetError(Exception):
    pass


def spread(items: list, k: int = SAMPLE) -> list:
    """k items evenly spaced through `items` (all of them when there are no more than k)."""
    if len(items) <= k:
        return list(items)
    return [items[i * len(items) // k] for i in range(k)]


def pick_targets(*, today: date, api_client_id: str) -> Targets:
    from agencies.models import ApiClient
    from agencies.selectors import caseload
    from iom_housing.api.auth import ApiClientUser
    from moveon.models import OPEN_STATUSES, MoveOnAction
    from placements.models import Placement, Property
    from referrals.models import Referral
    from referrals.selectors import offender_list, referral_sync_list

    users = _demo_logins()
    people = spread(
        list(offender_list(user=users[OFFICER]).order_by("pk").values_list("public_id", "last_name"))
    )
    visits = [
        (username, str(public_id))
        for username in AGENCY_WORKERS
        for public_id in spread(
            [
                placement.public_id
                for placement in sorted(caseload(user=users[username], today=today), key=lambda p: p.pk)
                if placement.status == Placement.Status.ACTIVE
            ],
            SAMPLE // len(AGENCY_WORKERS),
        )
    ]
    try:
        api_client = ApiClient.objects.select_related("agency").get(application__client_id=api_client_id)
    except ApiClient.DoesNotExist:
        raise TargetError(f"No API client {api_client_id!r}: seed the database first.") from None
    referrals = spread(
        list(
            referral_sync_list(user=ApiClientUser(api_client))
            .filter(status__in=Referral.OPEN_STATUSES)
            # Only those a case system could send back whole (erased people and blank texts cannot).
            .exclude(external_ref="")
            .exclude(reason="")
            .exclude(risk_summary="")
            .filter(offender__date_of_birth__isnull=False)
            .order_by("pk")
        )
    )
    return Targets(
        search_terms=[last_name for _, last_name in people],
        offenders=[str(public_id) for public_id, _ in people],
        properties=spread(
            list(Property.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
        ),
        visits=visits,
        upserts=[(referral.external_ref, upsert_body(referral)) for referral in referrals],
        # The IOM officer sees every placement and action: no scoping to go through.
        placements=[
            str(public_id)
            for public_id in spread(
                list(
                    Placement.objects.filter(status=Placement.Status.ACTIVE)
                    .order_by("pk")
                    .values_list("public_id", flat=True)
                )
            )
        ],
        move_on_actions=[
            str(public_id)
            for public_id in spread(
                list(
                    MoveOnAction.objects.filter(
                        status__in=OPEN_STATUSES, plan__placement__status=Placement.Status.ACTIVE
                    )
                    .order_by("pk")
                    .values_list("public_id", flat=True)
                )
            )
        ],
    )


def _demo_logins() -> dict:
    wanted = (OFFICER, MANAGER, *AGENCY_WORKERS)
    users = {user.username: user for user in get_user_model().objects.filter(username__in=wanted)}
    missing = [name for name in wanted if name not in users]
    if missing:
        raise TargetError(f"The demo logins {', '.join(missing)} are missing: seed the database first.")
    return users


def upsert_body(referral) -> dict:
    """What the agency's case system would send for this referral: the person and its details."""
    person = referral.offender
    return {
        "person": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth.isoformat(),
            "gender": person.gender,
            "ethnicity": person.ethnicity,
            "pnc_id": person.pnc_id,
            "crn": person.crn,
            "iom_category": person.iom_category,
            "risk_of_serious_harm": person.risk_of_serious_harm,
        },
        "urgency": referral.urgency,
        "needs": list(referral.needs),
        "risk_summary": referral.risk_summary,
        "reason": referral.reason,
        "wanted_from": referral.wanted_from.isoformat() if referral.wanted_from else None,
    }
