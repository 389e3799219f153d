"""Idempotency-Key: a retried create is answered with the first response and creates nothing."""

import hashlib
import json
import logging

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.response import Response

from audit.access import noted_people, saw
from referrals.models import IdempotencyKey

logger = logging.getLogger(__name__)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="A new unique value per record you create: a retry with the same key and body gets "
    "the first response and creates nothing.",
)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "This Idempotency-Key was used with another request. Use a new key for a new request."
    default_code = "idempotency_key_reused"


class SubjectErased(exceptions.APIException):
    """A retry of a request that was answered, whose person has since been erased: answered as a
    replay, never as a new request, so erasure is not undone by a client's retry."""

    status_code = status.HTTP_410_GONE
    default_detail = (
        "This request was answered before, and the person it was about has since been erased under "
        "the scheme's retention policy. Nothing has been created again; do not retry it."
    )
    default_code = "subject_erased"


def _fingerprint(request) -> str:
    body = json.dumps(request.data, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def idempotent(request, handler) -> Response:
    """Answer a retry (same Idempotency-Key and body) with the first response; `handler()` makes
    the first. The key's row is inserted first, so a concurrent request with the same key waits on
    its unique constraint until this one commits, then replays it. A failed request stores nothing
    (its transaction rolls back), so a corrected retry may reuse the key.

    The key keeps the ids of the people the response named (the access note's): a replay shows
    them again and is logged so; once one of them is erased the stored response is gone and the
    key is a tombstone (`audit.services.offender_erase`), which a retry gets as 410 Gone."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > IdempotencyKey._meta.get_field("key").max_length:
        raise exceptions.ValidationError(
            {
                "Idempotency-Key": _(
                    "Send an Idempotency-Key header: a new unique value of up to 255 characters."
                )
            }
        )
    fingerprint = _fingerprint(request)
    with transaction.atomic():
        record, created = IdempotencyKey.objects.get_or_create(
            api_client=request.user.api_client, key=key, defaults={"fingerprint": fingerprint}
        )
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if not created:
            if record.subject_erased_at is not None:
                raise SubjectErased()
            saw(people=record.offender_ids)
            response = Response(record.response_body, status=record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
        response = handler()
        record.response_status = response.status_code
        record.response_body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        record.offender_ids = sorted(noted_people())
        record.save(update_fields=["response_status", "response_body", "offender_ids"])
    return response
