"""The referrals API for agencies' case systems: read a referral and what became of it."""

import base64
import binascii
import hashlib
import json
from datetime import timedelta

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from audit.access import AccessLoggedAPI, saw
from iom_housing.access import can_user_browse_api, referral_scope
from iom_housing.api.auth import ApiAccess
from iom_housing.api.idempotency import IDEMPOTENCY_KEY, idempotent
from iom_housing.api.pagination import ChangedSinceFilter, UpdatedAtCursorPagination
from iom_housing.api.problems import API_ERRORS, ProblemSerializer
from iom_housing.basis import changes_since, said_when
from placements.models import DepartureReason, Destination, LicenceTerm, Placement
from referrals.models import (
    Ethnicity,
    Gender,
    Need,
    Offender,
    Referral,
    ReferralEvent,
    SexualRiskToAdults,
    as_referred,
)
from referrals.selectors import (
    LICENCE_TERM_COLUMNS,
    LIVE_PLACEMENT_COLUMNS,
    live_placements_of,
    referral_sync_list,
)
from referrals.services import (
    PERSON_FIELDS,
    REFERRAL_DETAILS,
    PossibleDuplicate,
    referral_changes,
    referral_submit,
    referral_update,
    referral_upsert,
    referral_withdraw,
)


class PersonSerializer(serializers.ModelSerializer):
    """The person of a referral: as recorded once the client's agency may see the record (an
    officer accepted one of its referrals of them, or it supports them); until then only as the
    client sent them, with no `id` (`ReferralSerializer.get_person`)."""

    id = serializers.UUIDField(
        source="public_id",
        read_only=True,
        allow_null=True,
        help_text="The person's id; null while you see them only as you referred them.",
    )

    class Meta:
        model = Offender
        fields = ["id", "first_name", "last_name", "date_of_birth", "pnc_id", "crn"]
        read_only_fields = fields


class LicenceTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = LicenceTerm
        fields = ["number", "starts_on", "ends_on"]
        read_only_fields = fields


class PlacementOutcomeSerializer(serializers.ModelSerializer):
    licence_terms = LicenceTermSerializer(source="terms_in_order", many=True, read_only=True)
    # Blank until they leave; declared so that the schema allows "".
    departure_reason = serializers.ChoiceField(
        choices=DepartureReason.choices, allow_blank=True, read_only=True
    )
    destination = serializers.ChoiceField(choices=Destination.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Placement
        fields = [
            "status",
            "starts_on",
            "arrived_on",
            "licence_terms",
            "departed_on",
            "departure_reason",
            "destination",
        ]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    """What the scheme decided and, once placed, the stay: set by the IOM team, never by a client."""

    decision = serializers.SerializerMethodField()
    placement = serializers.SerializerMethodField()

    decline_reason = serializers.ChoiceField(
        choices=Referral.DeclineReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Referral
        fields = ["decision", "decided_at", "decline_reason", "placement"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=[(s.value, s.label) for s in Referral.DECIDED_STATUSES], allow_null=True
        )
    )
    def get_decision(self, referral) -> str | None:
        return referral.status if referral.status in Referral.DECIDED_STATUSES else None

    @cached_property
    def _placement(self) -> PlacementOutcomeSerializer:
        # One serializer for every row of a page: building one (its fields) costs more than using it.
        return PlacementOutcomeSerializer(context=self.context)

    @extend_schema_field(PlacementOutcomeSerializer(allow_null=True))
    def get_placement(self, referral):
        # At most one placement per referral holds a bedspace (a database constraint).
        placements = referral.live_placements
        return self._placement.to_representation(placements[0]) if placements else None


def _when(value) -> str | None:
    """A date-time as DRF's DateTimeField writes it: in the site's time zone, ISO 8601, "Z" for UTC."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


# The columns a referral is written from (`_written`), read from a model instance for one referral
# and as values() rows for a list (`referral_rows`), so that both are written the same way.
REFERRAL_COLUMNS = (
    "pk",
    "public_id",
    "external_ref",
    "status",
    "urgency",
    "needs",
    "risk_summary",
    "reason",
    "wanted_from",
    "submitted_at",
    "updated_at",
    "decided_at",
    "decline_reason",
    "person_details",
    "person_visible",  # the selectors' annotation (iom_housing.access.sees_person_record)
    "offender_id",
)
PERSON_COLUMNS = ("public_id", "first_name", "last_name", "date_of_birth", "pnc_id", "crn", "erased_at")


def _written(row: dict, person: dict, placement: dict | None, terms: list[dict]) -> dict:
    """A referral as the API shows it: the fields `ReferralSerializer` documents, written directly
    (DRF's field machinery, value by value, was most of a list's time). `row` has REFERRAL_COLUMNS,
    `person` PERSON_COLUMNS of its person, `placement` its live one (at most one holds a bedspace: a
    database constraint) and `terms` that placement's licence terms in order.
    tests/referrals/test_api_rows.py checks it against the serializer's own fields."""
    if row["person_visible"]:
        shown = {
            "id": str(person["public_id"]),
            "first_name": person["first_name"],
            "last_name": person["last_name"],
            "date_of_birth": _day(person["date_of_birth"]),
            "pnc_id": person["pnc_id"],
            "crn": person["crn"],
        }
    else:
        sent = as_referred(row["person_details"], erased=person["erased_at"] is not None)
        shown = {
            "id": None,
            "first_name": sent.first_name if sent else person["first_name"],
            "last_name": sent.last_name if sent else person["last_name"],
            "date_of_birth": _day(sent.date_of_birth if sent else person["date_of_birth"]),
            "pnc_id": sent.pnc_id if sent else "",
            "crn": sent.crn if sent else "",
        }
    return {
        "id": str(row["public_id"]),
        "external_ref": row["external_ref"],
        "status": row["status"],
        "urgency": row["urgency"],
        "needs": list(row["needs"]),
        "risk_summary": row["risk_summary"],
        "reason": row["reason"],
        "wanted_from": _day(row["wanted_from"]),
        "submitted_at": _when(row["submitted_at"]),
        "updated_at": _when(row["updated_at"]),
        "person": shown,
        "outcome": {
            "decision": row["status"] if row["status"] in Referral.DECIDED_STATUSES else None,
            "decided_at": _when(row["decided_at"]),
            "decline_reason": row["decline_reason"],
            "placement": None
            if placement is None
            else {
                "status": placement["status"],
                "starts_on": _day(placement["starts_on"]),
                "arrived_on": _day(placement["arrived_on"]),
                "licence_terms": [
                    {"number": t["number"], "starts_on": _day(t["starts_on"]), "ends_on": _day(t["ends_on"])}
                    for t in terms
                ],
                "departed_on": _day(placement["departed_on"]),
                "departure_reason": placement["departure_reason"],
                "destination": placement["destination"],
            },
        },
    }


def _fields(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def referral_representation(referral: Referral) -> dict:
    """One referral (from `referral_sync_list`, with its prefetched live placement and terms)."""
    placements = referral.live_placements
    placement = placements[0] if placements else None
    return _written(
        {name: getattr(referral, name, False) for name in REFERRAL_COLUMNS},  # no annotation: as sent
        _fields(referral.offender, PERSON_COLUMNS),
        _fields(placement, LIVE_PLACEMENT_COLUMNS) if placement else None,
        [_fields(term, LICENCE_TERM_COLUMNS) for term in placement.terms_in_order] if placement else [],
    )


def referral_rows(referrals) -> "QuerySet[Referral]":
    """`referrals` (`referral_sync_list`, filtered) as values() rows for a list page."""
    person = {f"person_{name}": F(f"offender__{name}") for name in PERSON_COLUMNS}
    return referrals.prefetch_related(None).values(*REFERRAL_COLUMNS, **person)


def referral_representations(rows: list[dict]) -> list[dict]:
    """A page of `referral_rows`, written as `referral_representation` writes one: two more queries
    for their live placements and those placements' terms, whatever the number of rows. Its people
    are noted in the request's access log."""
    saw(people=[row["offender_id"] for row in rows], model=Referral)
    placements, terms = live_placements_of([row["pk"] for row in rows])
    return [
        _written(
            row,
            {name: row[f"person_{name}"] for name in PERSON_COLUMNS},
            placements.get(row["pk"]),
            terms.get(placements[row["pk"]]["id"], []) if row["pk"] in placements else [],
        )
        for row in rows
    ]


class ReferralSerializer(serializers.ModelSerializer):
    """Documents a referral's fields (the schema); `referral_representation` writes them."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.SerializerMethodField()
    outcome = OutcomeSerializer(source="*", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "external_ref",
            "status",
            "urgency",
            "needs",
            "risk_summary",
            "reason",
            "wanted_from",
            "submitted_at",
            "updated_at",
            "person",
            "outcome",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        return referral_representation(instance)

    def fields_representation(self, instance) -> dict:
        """What the declared fields themselves write (the check of `referral_representation`)."""
        return super().to_representation(instance)

    @cached_property
    def _person(self) -> PersonSerializer:
        return PersonSerializer(context=self.context)

    @extend_schema_field(PersonSerializer)
    def get_person(self, referral) -> dict:
        # `person_visible` is the selectors' (iom_housing.access.sees_person_record); without it, as sent.
        if getattr(referral, "person_visible", False):
            return self._person.to_representation(referral.offender)
        sent = referral.referred_person
        return {
            "id": None,
            "first_name": sent.first_name,
            "last_name": sent.last_name,
            "date_of_birth": sent.date_of_birth.isoformat() if sent.date_of_birth else None,
            "pnc_id": sent.pnc_id,
            "crn": sent.crn,
        }


class ReferralFilter(django_filters.FilterSet):
    updated_since = ChangedSinceFilter()
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices)
    external_ref = django_filters.CharFilter(label="The agency's own reference")

    class Meta:
        model = Referral
        fields = ["updated_since", "status", "external_ref"]


def etag_of(data, version: int | None = None) -> str:
    """A strong validator of the representation: it changes whenever anything shown changes,
    including the outcome, which lives on the placement rather than the referral. A referral's
    leads with its version (the one the site's forms carry), so that a stale If-Match can be told
    what changed since (docs/adr/006-stale-form-basis.md)."""
    body = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True).encode()
    digest = hashlib.sha256(body).hexdigest()[:32]
    return f'"{version}-{digest}"' if version is not None else f'"{digest}"'


def _etag_parts(tag: str) -> tuple[int | None, str]:
    """(version, digest) of an entity tag as `etag_of` makes it; (None, the tag) for any other."""
    tag = tag.strip().removeprefix("W/").strip('"')
    version, dash, digest = tag.rpartition("-")
    if dash and version.isascii() and version.isdigit() and len(version) <= 9:
        return int(version), digest
    return None, tag


# Writes ----------------------------------------------------------------------------------------
# The serializers check the shape of what a client sends; every rule is the services'.


class PersonInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices)
    pnc_id = serializers.CharField(required=False, allow_blank=True, default="")
    crn = serializers.CharField(required=False, allow_blank=True, default="")
    prison_number = serializers.CharField(required=False, allow_blank=True, default="")
    iom_category = serializers.ChoiceField(choices=Offender.IomCategory.choices)
    risk_of_serious_harm = serializers.ChoiceField(choices=Offender.RiskOfSeriousHarm.choices)
    licence_ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    safety_warnings = serializers.CharField(required=False, allow_blank=True, default="")
    # The risks weighed when the person would share a property (placements.sharing). Recorded
    # with a new person; for someone already recorded, kept with the referral as sent for the
    # IOM team to review (an existing record is never changed from a referral).
    sexual_risk_to_adults = serializers.ChoiceField(
        choices=SexualRiskToAdults.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Whom the person is a sexual risk to among adults: `women`, `men`, `any`, or blank.",
    )
    sexual_risk_to_children = serializers.BooleanField(required=False, default=False)
    arson_history = serializers.BooleanField(required=False, default=False)
    violence_to_residents = serializers.BooleanField(
        required=False, default=False, help_text="A history of violence to other residents."
    )


class ReferralDetailsSerializer(serializers.Serializer):
    """What the referrer may change while the referral waits for a decision."""

    urgency = serializers.ChoiceField(choices=Referral.Urgency.choices)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=Need.choices), allow_empty=True)
    risk_summary = serializers.CharField()
    reason = serializers.CharField()
    wanted_from = serializers.DateField(required=False, allow_null=True, default=None)


class ReferralCreateSerializer(ReferralDetailsSerializer):
    person = PersonInputSerializer()
    external_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    confirm_same_person = serializers.BooleanField(
        required=False,
        default=False,
        help_text="After a 409 `possible_same_person`: this is the person already recorded (send the "
        "`match_token` with it).",
    )
    match_token = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=128,
        help_text="The `match_token` of the 409 answer, with `confirm_same_person: true`.",
    )
    different_person = serializers.BooleanField(
        required=False,
        default=False,
        help_text="After a 409 `possible_same_person`: this is someone else (a new record is made).",
    )

    def validate(self, attrs):
        if attrs["confirm_same_person"] and not attrs["match_token"]:
            raise serializers.ValidationError(
                {"match_token": _("Send the match_token of the 409 answer with confirm_same_person.")}
            )
        if attrs["match_token"] and not attrs["confirm_same_person"]:
            raise serializers.ValidationError(
                {"confirm_same_person": _("Send confirm_same_person: true with the match_token.")}
            )
        if attrs["confirm_same_person"] and attrs["different_person"]:
            raise serializers.ValidationError(
                {"different_person": _("Send either confirm_same_person or different_person, not both.")}
            )
        return attrs


class WithdrawSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the referral's state."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The referral has changed since you read it (If-Match). Read it again."
    default_code = "precondition_failed"


def _changed_since_read(referral: Referral, version: int) -> str:
    """A stale If-Match's refusal in the site's words: who changed the referral, when, and what."""
    since = changes_since(referral, version)
    what = referral_changes(since.before, referral)
    if since.who:
        return _(
            "The referral was changed by %(who)s at %(when)s since you read it (If-Match): %(what)s. "
            "Read it again."
        ) % {"who": since.who, "when": said_when(since.at), "what": what}
    return _(
        "The referral was changed at %(when)s since you read it (If-Match): %(what)s. Read it again."
    ) % {
        "when": said_when(since.at),
        "what": what,
    }


CONFLICT_CODES = {"wrong_status", "already_referred"}


def _same_person_question(error: PossibleDuplicate, person: dict) -> Conflict:
    """The 409 asking whether the person is the one already recorded: only what the client sent
    (the name and date of birth it matched on) and the token to confirm with, nothing of the
    record, so that its answer is the same whatever identifiers the record holds."""
    return Conflict(
        {
            "detail": error.messages[0],
            "code": "possible_same_person",
            "person": {
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "date_of_birth": person["date_of_birth"].isoformat(),
            },
            "match_token": error.token,
        }
    )


def _api_error(error: DjangoValidationError) -> exceptions.APIException:
    """A service's ValidationError as the API's error: person fields named under `person.`, a
    state conflict as 409, a missing record as 404."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                (f"person.{name}" if name in PERSON_FIELDS else name): messages
                for name, messages in error.message_dict.items()
            }
        )
    codes = {inner.code for inner in error.error_list}
    if codes & CONFLICT_CODES:
        return Conflict(" ".join(error.messages))
    if "not_found" in codes:
        return exceptions.NotFound()
    return exceptions.ValidationError({"non_field_errors": error.messages})


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you last read: the change is refused (412) if the referral has changed since.",
)
# Request bodies as a case system sends them; tests/site/test_api_examples.py checks each against the schema.
REFERRAL_DETAILS_EXAMPLE = {
    "urgency": "urgent",
    "needs": ["accommodation", "drugs"],
    "risk_summary": "No known risk to visiting staff. Avoid the town centre (licence condition).",
    "reason": "Released from HMP Altcourse on 12 January with no fixed abode.",
    "wanted_from": "2027-01-12",
}
REFERRAL_EXAMPLE = OpenApiExample(
    "A referral on release from prison",
    request_only=True,
    value={
        "person": {
            "first_name": "Sam",
            "last_name": "Quayle",
            "date_of_birth": "1985-04-02",
            "gender": "male",
            "ethnicity": "white_british",
            "pnc_id": "2004/0123456X",
            "crn": "X123456",
            "iom_category": "fixed",
            "risk_of_serious_harm": "medium",
            "licence_ends_on": "2027-07-11",
        },
        **REFERRAL_DETAILS_EXAMPLE,
        "external_ref": "PROB-2026-0042",
    },
)
REFERRAL_UPDATE_EXAMPLE = OpenApiExample(
    "The need for a place, restated", request_only=True, value=REFERRAL_DETAILS_EXAMPLE
)
REFERRAL_CHANGE_EXAMPLE = OpenApiExample(
    "The release was brought forward",
    request_only=True,
    value={"urgency": "emergency", "wanted_from": "2027-01-05"},
)
WITHDRAW_EXAMPLE = OpenApiExample(
    "Withdrawn: housed by the council",
    request_only=True,
    value={"notes": "Offered a council tenancy on 4 January."},
)
WRITE_ERRORS = {
    400: OpenApiResponse(ProblemSerializer, description="Invalid fields, each named in `errors`."),
    **API_ERRORS,
    404: ProblemSerializer,
    409: OpenApiResponse(
        ProblemSerializer,
        description="Not while the referral is decided; or `possible_same_person` (with the `person` "
        "you sent and a `match_token`); or your agency already has a referral waiting for the person.",
    ),
}


@extend_schema_view(
    list=extend_schema(
        summary="Referrals your agency made, oldest change first",
        description="Keyset pages in (updated_at, id) order. Keep the `cursor` of the last page and "
        "pass it next time to read only the referrals that changed since.",
        responses={200: ReferralSerializer(many=True), 400: ProblemSerializer, **API_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One referral and its outcome",
        responses={200: ReferralSerializer, **API_ERRORS, 404: ProblemSerializer},
    ),
    create=extend_schema(
        summary="Refer a person (send an Idempotency-Key)",
        description="Someone already recorded with the same name and date of birth is a 409 "
        "`possible_same_person` with a `match_token`: send the body again with "
        "`confirm_same_person: true` and the token, or `different_person: true`. Otherwise a PNC ID "
        "or CRN already recorded is that person, else the person is recorded. The person shows as "
        "you sent them until the IOM team accepts the referral. A retry with the same "
        "Idempotency-Key and body returns the first response and creates nothing; 410 if the "
        "person it created has since been erased.",
        parameters=[IDEMPOTENCY_KEY],
        request=ReferralCreateSerializer,
        examples=[REFERRAL_EXAMPLE],
        responses={
            201: ReferralSerializer,
            **WRITE_ERRORS,
            410: OpenApiResponse(
                ProblemSerializer, description="A retry of a request whose person has since been erased."
            ),
            422: ProblemSerializer,
        },
    ),
    update=extend_schema(
        summary="Replace what you said about the need for a place, while it waits for a decision",
        parameters=[IF_MATCH],
        request=ReferralDetailsSerializer,
        examples=[REFERRAL_UPDATE_EXAMPLE],
        responses={200: ReferralSerializer, **WRITE_ERRORS, 412: ProblemSerializer},
    ),
    partial_update=extend_schema(
        summary="Change what you said about the need for a place, while it waits for a decision",
        parameters=[IF_MATCH],
        request=ReferralDetailsSerializer(partial=True),
        examples=[REFERRAL_CHANGE_EXAMPLE],
        responses={200: ReferralSerializer, **WRITE_ERRORS, 412: ProblemSerializer},
    ),
)
class ReferralViewSet(AccessLoggedAPI, viewsets.GenericViewSet):
    serializer_class = ReferralSerializer
    permission_classes = [ApiAccess]
    api_resource = "referrals"
    staff_rule = staticmethod(can_user_browse_api)
    pagination_class = UpdatedAtCursorPagination
    filterset_class = ReferralFilter
    lookup_field = "public_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the schema
            return Referral.objects.none()
        return referral_sync_list(user=self.request.user)

    def list(self, request, *args, **kwargs):
        rows = self.paginate_queryset(referral_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(referral_representations(rows))

    def retrieve(self, request, *args, **kwargs):
        return self._answer(self.get_object())

    @extend_schema(
        summary="One referral by your own reference",
        responses={200: ReferralSerializer, **API_ERRORS, 404: ProblemSerializer},
    )
    def retrieve_by_ref(self, request, external_ref):
        return self._answer(self._by_ref(external_ref))

    def finalize_response(self, request, response, *args, **kwargs):
        # A referral's answer has its ETag from `_answer`; this is for lists and replays.
        if response.status_code in (200, 201) and isinstance(response.data, dict) and "ETag" not in response:
            response["ETag"] = etag_of(response.data)
        return super().finalize_response(request, response, *args, **kwargs)

    # Writes: an agency's case system only (staff change referrals on the site's pages). Each
    # validates the body once, lets the service lock the referral once and check the If-Match on
    # that row (`IfMatch`), and serialises each state it shows once (ADR 011).

    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: self._submit(request, self._valid_referral(request)))

    def update(self, request, *args, **kwargs):
        serializer = ReferralDetailsSerializer(data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        changes = {
            name: value for name, value in serializer.validated_data.items() if name in REFERRAL_DETAILS
        }
        referral = self.get_object()
        if_match = IfMatch(self, request)
        try:
            referral = referral_update(
                referral_id=referral.pk, by=None, changes=changes, precondition=if_match
            )
        except DjangoValidationError as error:
            raise _api_error(error) from None
        return if_match.answer(referral)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Withdraw a referral (it is kept, marked withdrawn)",
        parameters=[IF_MATCH],
        request=WithdrawSerializer,
        examples=[WITHDRAW_EXAMPLE],
        responses={200: ReferralSerializer, **WRITE_ERRORS, 412: ProblemSerializer},
    )
    def withdraw(self, request, *args, **kwargs):
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = self.get_object()
        if_match = IfMatch(self, request)
        try:
            referral = referral_withdraw(
                referral_id=referral.pk,
                by=None,
                notes=serializer.validated_data["notes"],
                precondition=if_match,
            )
        except DjangoValidationError as error:
            raise _api_error(error) from None
        return if_match.answer(referral)

    @extend_schema(
        summary="Create or update a referral by your own reference",
        description="Creates the referral (201) if your agency has none with this reference, else "
        "changes its details (200). Sending the same body again changes nothing.",
        parameters=[IF_MATCH],
        request=ReferralCreateSerializer,
        examples=[REFERRAL_EXAMPLE],
        responses={200: ReferralSerializer, 201: ReferralSerializer, **WRITE_ERRORS, 412: ProblemSerializer},
    )
    def upsert_by_ref(self, request, external_ref):
        data = self._valid_referral(request)
        sent_ref = data["external_ref"].strip()
        if sent_ref and sent_ref != external_ref:
            raise exceptions.ValidationError({"external_ref": _("This is not the reference in the address.")})
        if_match = IfMatch(self, request)
        try:
            referral, created = referral_upsert(
                agency=request.user.api_client.agency,
                external_ref=external_ref,
                by=None,
                person=dict(data["person"]),
                details={name: data[name] for name in REFERRAL_DETAILS},
                match_token=data["match_token"],
                different_person=data["different_person"],
                precondition=if_match,
            )
        except PossibleDuplicate as error:
            raise _same_person_question(error, data["person"]) from None
        except DjangoValidationError as error:
            raise _api_error(error) from None
        return self._created(referral) if created else if_match.answer(referral)

    def get_object(self):
        """By id, or on the by-ref addresses by the agency's own reference (OPTIONS asks too)."""
        if "external_ref" in self.kwargs:
            return self._by_ref(self.kwargs["external_ref"])
        return super().get_object()

    def _by_ref(self, external_ref):
        return get_object_or_404(self.get_queryset(), external_ref=external_ref)

    def _current(self, referral_id: int) -> Referral:
        return self.get_queryset().get(pk=referral_id)

    def _answer(self, referral: Referral, **kwargs) -> Response:
        """The referral's representation, serialised once; its ETag (from that same data) leads
        with the referral's version."""
        return self._response(self.get_serializer(referral).data, referral.version, **kwargs)

    @staticmethod
    def _response(data: dict, version: int, etag: str | None = None, **kwargs) -> Response:
        response = Response(data, **kwargs)
        response["ETag"] = etag or etag_of(data, version)
        return response

    def _valid_referral(self, request) -> dict:
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _submit(self, request, data: dict) -> Response:
        try:
            referral = referral_submit(
                agency=request.user.api_client.agency,
                by=None,
                person=dict(data["person"]),
                urgency=data["urgency"],
                needs=data["needs"],
                risk_summary=data["risk_summary"],
                reason=data["reason"],
                wanted_from=data["wanted_from"],
                external_ref=data["external_ref"],
                match_token=data["match_token"],
                different_person=data["different_person"],
            )
        except PossibleDuplicate as error:
            raise _same_person_question(error, data["person"]) from None
        except DjangoValidationError as error:
            raise _api_error(error) from None
        return self._created(referral)

    def _created(self, referral: Referral) -> Response:
        response = self._answer(self._current(referral.pk), status=status.HTTP_201_CREATED)
        response["Location"] = f"{response.data['id']}/"
        return response


class IfMatch:
    """A write's If-Match, as the `precondition` its service calls with the referral it has
    locked, before anything changes: compared with the current ETag (the digest of what the
    referral shows), a stale one refused naming what changed since its version, in the words the
    site's pages use. The representation it compared is kept: when the write then changes nothing
    (the referral's version has not moved), it is the answer, not serialised again."""

    def __init__(self, view: ReferralViewSet, request):
        self.view = view
        self.header = request.headers.get("If-Match")
        self.compared: tuple[dict, int, str] | None = None  # (data, version, ETag)

    def __call__(self, locked: Referral | None) -> None:
        if self.header is None:
            return
        if locked is None:  # nothing by this reference yet: only "*" is not refused
            if self.header != "*":
                raise PreconditionFailed()
            return
        tags = [_etag_parts(tag) for tag in self.header.split(",")]
        if any(digest == "*" for _version, digest in tags):
            return
        current = self.view._current(locked.pk)
        data = self.view.get_serializer(current).data
        etag = etag_of(data, current.version)
        _version, digest = _etag_parts(etag)
        if any(sent == digest for _version, sent in tags):
            self.compared = (data, current.version, etag)
            return
        versions = [version for version, _digest in tags if version is not None]
        if versions and max(versions) < locked.version:
            raise PreconditionFailed(_changed_since_read(locked, max(versions)))
        raise PreconditionFailed()

    def answer(self, referral: Referral) -> Response:
        """The answer after the write: what was compared if the write changed nothing, else the
        referral as it is now."""
        if self.compared is not None:
            data, version, etag = self.compared
            if Referral.objects.filter(pk=referral.pk, version=version).exists():
                return self.view._response(data, version, etag)
        return self.view._answer(self.view._current(referral.pk))


# The events feed ------------------------------------------------------------------------------


class ReferralEventSerializer(serializers.ModelSerializer):
    referral = serializers.UUIDField(source="referral.public_id", read_only=True)
    external_ref = serializers.CharField(source="referral.external_ref", read_only=True)
    data = serializers.DictField(
        read_only=True, help_text="A small payload: the new status and, for a placement's step, its id."
    )

    class Meta:
        model = ReferralEvent
        fields = ["id", "kind", "occurred_at", "referral", "external_ref", "data"]
        read_only_fields = fields


class ReferralEventPageSerializer(serializers.Serializer):
    results = ReferralEventSerializer(many=True)
    next_cursor = serializers.CharField(
        allow_null=True, help_text="Pass as `after` next time to read only newer events."
    )


# Event ids come from a sequence at insert, but transactions commit in their own order: an event
# with a lower id may become visible after one with a higher id was read, and a cursor past it would
# skip it. So the feed shows only events older than this horizon, by when any transaction that
# wrote one has committed (or rolled back); the newest events appear a moment later.
EVENT_FEED_HORIZON = timedelta(seconds=2)
EVENT_PAGE_SIZE = 100
EVENT_PAGE_MAX = 500


def _event_cursor(event_id: int) -> str:
    return base64.urlsafe_b64encode(f"e{event_id}".encode()).decode()


def _event_after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        value = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not value.startswith("e") or not (value[1:].isascii() and value[1:].isdigit()):
            raise ValueError
        event_id = int(value[1:])
        if event_id >= 2**63:
            raise ValueError
        return event_id
    except (ValueError, binascii.Error, UnicodeError):
        raise exceptions.ValidationError({"after": _("This cursor is not valid.")}) from None


class ReferralEventViewSet(AccessLoggedAPI, viewsets.GenericViewSet):
    serializer_class = ReferralEventSerializer
    permission_classes = [ApiAccess]
    api_resource = "referrals"
    staff_rule = staticmethod(can_user_browse_api)
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReferralEvent.objects.none()
        visible = Referral.objects.filter(referral_scope(self.request.user)).values("pk")
        return ReferralEvent.objects.filter(referral__in=visible).select_related("referral")

    @extend_schema(
        summary="Changes to your referrals, oldest first (catch up with `after`)",
        description="An append-only feed: submitted, accepted, declined, withdrawn, and each step "
        "of a placement (placed, confirmed, arrived, renewed, departed, cancelled, not_arrived). "
        "Keep `next_cursor` and pass it as `after` to read only newer events; an event is never "
        "shown twice. The newest couple of seconds are held back until every earlier event has "
        "committed, so none is skipped.",
        parameters=[
            OpenApiParameter("after", str, description="The `next_cursor` of your last read."),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": EVENT_PAGE_MAX},
                description=f"Events per page (default {EVENT_PAGE_SIZE}, at most {EVENT_PAGE_MAX}).",
            ),
        ],
        responses={200: ReferralEventPageSerializer, 400: ProblemSerializer, **API_ERRORS},
    )
    def feed(self, request, *args, **kwargs):  # not `list`: the body is a page object, not an array
        cursor = request.query_params.get("after")
        after = _event_after(cursor)
        limit = request.query_params.get("limit")
        if limit is None:
            size = EVENT_PAGE_SIZE
        elif limit.isascii() and limit.isdigit() and 1 <= int(limit) <= EVENT_PAGE_MAX:
            size = int(limit)
        else:
            raise exceptions.ValidationError(
                {"limit": _("Enter a whole number from 1 to %d.") % EVENT_PAGE_MAX}
            )
        horizon = timezone.now() - EVENT_FEED_HORIZON
        events = list(self.get_queryset().filter(pk__gt=after, occurred_at__lt=horizon).order_by("pk")[:size])
        next_cursor = _event_cursor(events[-1].pk) if events else (cursor or None)
        return Response({"results": self.get_serializer(events, many=True).data, "next_cursor": next_cursor})
