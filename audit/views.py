"""Scheme managers' data protection pages: the access log, retention reviews and erasure, and
subject access exports. Thin: selectors read, services write."""

from datetime import UTC

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import selectors, services
from audit.access import access_record, logs_access, saw
from audit.forms import AccessLogFilterForm, RetentionDecisionForm, SubjectAccessForm
from audit.models import AccessLogEntry, RetentionReview
from iom_housing.access import can_user_manage_scheme, require
from iom_housing.pages import form_page, paginate
from iom_housing.spreadsheets import csv_writer
from referrals.models import Offender

managers = require(can_user_manage_scheme)


def _person(public_id) -> Offender:
    person = get_object_or_404(Offender, public_id=public_id)
    saw(person)
    return person


@managers
@logs_access
@require_GET
def access_log(request):
    filters = AccessLogFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    person = Offender.objects.filter(public_id=cleaned["person"]).first() if cleaned.get("person") else None
    entries = selectors.access_log_search(
        user=cleaned.get("user"),
        offender=person,
        date_from=cleaned.get("date_from"),
        date_to=cleaned.get("date_to"),
    )
    if cleaned.get("person") and person is None:
        entries = entries.none()
    page = paginate(request, entries)
    people = selectors.people_by_id(i for entry in page for i in entry.offender_ids)
    saw(people=list(people))
    rows = [(entry, [people[i] for i in entry.offender_ids if i in people]) for entry in page]
    return render(
        request,
        "audit/access_log.html",
        {"filters": filters, "page": page, "rows": rows, "person": person},
    )


@managers
@require_GET
def access_log_csv(request, public_id):
    """One person's access history as CSV: who read or changed their record, when and how."""
    person = get_object_or_404(Offender, public_id=public_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-history-{str(person.public_id)[:8]}.csv"'
    writer = csv_writer(response)  # usernames, addresses and reasons never start a formula
    writer.writerow(
        ["when (UTC)", "user", "API client", "action", "record type", "record", "address", "reason"]
    )
    for entry in selectors.access_log_search(offender=person).order_by("at", "pk").iterator(chunk_size=1000):
        writer.writerow(
            [
                entry.at.astimezone(UTC).isoformat(timespec="seconds"),
                entry.user.username if entry.user else "",
                str(entry.api_client) if entry.api_client else "",
                entry.action,
                entry.model,
                entry.object_ref,
                entry.url,
                entry.reason,
            ]
        )
    access_record(
        user=request.user,
        action=AccessLogEntry.Action.EXPORT,
        offender_ids=[person.pk],
        model="audit.AccessLogEntry",
        object_ref=str(person.public_id),
        url=request.path,
        method=request.method,
        reason="audit",
    )
    return response


@managers
@logs_access
@require_GET
def retention_list(request):
    today = timezone.localdate()
    page = paginate(request, selectors.retention_due(today=today))
    rows = [(person, selectors.review_date(person)) for person in page]
    return render(request, "audit/retention_list.html", {"page": page, "rows": rows, "today": today})


@managers
@logs_access
def retention_review(request, public_id):
    person = _person(public_id)
    if person.erased_at is not None:
        messages.info(request, _("This record has already been erased."))
        return redirect("audit:retention")

    def decide(data):
        if data["decision"] == RetentionReview.Decision.ERASE:
            services.offender_erase(offender_id=person.pk, reason=data["reason"], by=request.user)
        else:
            services.offender_retain(
                offender_id=person.pk,
                reason=data["reason"],
                retain_until=data["retain_until"],
                by=request.user,
            )

    return form_page(
        request,
        form_class=RetentionDecisionForm,
        action=decide,
        context={
            "title": _("Retention review"),
            "caption": person.full_name,
            "back_url": reverse("audit:retention"),
            "person": person,
            "review_on": selectors.review_date(person),
            "reviews": list(person.retention_reviews.select_related("decided_by")),
        },
        success_url=reverse("audit:retention"),
        success_message=_("Decision recorded"),
        template="audit/retention_review.html",
    )


@managers
@logs_access
def subject_access(request, public_id):
    person = _person(public_id)
    items = selectors.subject_access_items(person)
    form = SubjectAccessForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            content, name, content_type = services.subject_access_export(
                offender_id=person.pk,
                redact=set(form.cleaned_data["redact"]),
                file_format=form.cleaned_data["file_format"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    return render(
        request,
        "audit/subject_access.html",
        {
            "form": form,
            "person": person,
            "items": items,
            "title": _("Subject access request"),
            "caption": person.full_name,
            "back_url": person.get_absolute_url(),
        },
    )
