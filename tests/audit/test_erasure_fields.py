"""Erasure cannot miss a field: every text field of every model about a person is either cleared
by erasure (named in its model's `ERASURE`, iom_housing.db.Erasure) or listed here as kept on
purpose, saying why. A new field fails here until someone decides which
(docs/adr/011-api-upsert-and-erasure-fields.md)."""

import pghistory.models
from django.apps import apps
from django.db import models

from audit.services import erased_models
from referrals.models import Offender

TEXT = (models.CharField, models.TextField, models.JSONField)

# Kept on purpose. A field with choices holds a code, never free text: kept without being listed.
KEPT = {
    "referrals.ReferralEvent.data": "the events feed's payload: a status, a decline reason code, a placement's id",
    "alerts.Alert.key": "the condition and its subject's id and date (licence_overrun:placement:42:2026-03-01)",
    "audit.RetentionReview.reason": "the scheme's record of why it kept or erased the data (a retention decision)",
    "referrals.IdempotencyKey.key": "the client's own unique value for a request",
    "referrals.IdempotencyKey.fingerprint": "a SHA-256 of the request",
    # The access log holds ids, never names (audit.access), and is append-only by law.
    "audit.AccessLogEntry.model": "a model's label",
    "audit.AccessLogEntry.object_ref": "a record's public id",
    "audit.AccessLogEntry.url": "the address without its query string: records named by public id",
    "audit.AccessLogEntry.method": "the HTTP method",
    "audit.AccessLogEntry.reason": "a reason code (audit.models.REASON_CODES)",
}
# Cleared by `offender_erase` itself rather than field by field.
ERASED_OTHERWISE = {
    "referrals.IdempotencyKey.response_body": "the stored reply goes; the key stays as a tombstone (410)",
    "reports.ReportExport": "a report file naming the person is deleted, with its row",
}


def leads_to_person(model, seen: frozenset = frozenset()) -> bool:
    """Whether `model` is Offender or reaches it through foreign keys (a history table through the
    record it tracks)."""
    if model is Offender:
        return True
    for field in model._meta.concrete_fields:
        related = field.related_model if (field.many_to_one or field.one_to_one) else None
        if related is not None and related not in seen and leads_to_person(related, seen | {model}):
            return True
    return False


def models_about_a_person() -> list[type]:
    """Every model about a person: reaching Offender by foreign keys, or holding people's ids
    (`offender_ids`). History tables included."""
    return [
        model
        for model in apps.get_models()
        if leads_to_person(model) or any(field.name == "offender_ids" for field in model._meta.fields)
    ]


def is_history(model) -> bool:
    return issubclass(model, pghistory.models.Event)


def history_tables_about_a_person() -> list[type]:
    return [model for model in models_about_a_person() if is_history(model)]


def text_fields(model) -> list[models.Field]:
    """Its fields holding text: character, text and JSON fields, and arrays of them."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(getattr(field, "base_field", field), TEXT)
    ]


def is_code(field) -> bool:
    return bool(getattr(field, "base_field", field).choices)


def test_the_models_about_a_person_are_found():
    found = {model._meta.label for model in models_about_a_person()}
    assert {
        "referrals.Offender",
        "referrals.Referral",
        "agencies.HomeVisit",
        "agencies.VisitCorrection",
        "alerts.Alert",
        "referrals.IdempotencyKey",
        "audit.AccessLogEntry",
        "audit.OffenderHistory",
        "audit.HomeVisitHistory",
    } <= found
    assert not {"agencies.Agency", "placements.Property", "audit.UserHistory"} & found


def test_every_text_field_of_a_model_about_a_person_is_erased_or_kept_on_purpose():
    undecided = []
    for model in models_about_a_person():
        label = model._meta.label
        if is_history(model) or label in ERASED_OTHERWISE:
            continue
        erased = set(model.ERASURE.fields) if hasattr(model, "ERASURE") else set()
        for field in text_fields(model):
            name = f"{label}.{field.name}"
            if field.name in erased or is_code(field) or name in KEPT or name in ERASED_OTHERWISE:
                continue
            undecided.append(name)
    assert not undecided, (
        f"Decide for each: erased (add it to its model's ERASURE) or kept on purpose (KEPT here, with why): "
        f"{undecided}"
    )


def test_a_history_table_holds_only_the_fields_of_the_record_it_tracks():
    """So its text is covered by its record's fields above; erasure deletes the history of the
    rows it clears (tests/audit/test_retention.py finds none of the person's values in any)."""
    for event_model in history_tables_about_a_person():
        own = {field.name for field in event_model.pgh_tracked_model._meta.concrete_fields}
        for field in text_fields(event_model):
            assert field.name == "pgh_label" or field.name in own, f"{event_model.__name__}.{field.name}"


def person_reached_by(model, lookup: str):
    """The model an `Erasure.person` lookup ends on (the person's id: `pk` of it, or a key to it)."""
    *relations, last = lookup.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    if last == "pk":
        return model
    return next(field.related_model for field in model._meta.concrete_fields if field.attname == last)


def test_each_erasure_names_real_fields_and_reaches_the_person():
    assert set(erased_models()) == {model for model in apps.get_models() if hasattr(model, "ERASURE")}
    for model in erased_models():
        label = model._meta.label
        assert person_reached_by(model, model.ERASURE.person) is Offender, label
        for name in model.ERASURE.fields:
            assert model._meta.get_field(name).concrete, f"{label}.{name}"
            assert f"{label}.{name}" not in KEPT, f"{label}.{name} is both erased and kept"
