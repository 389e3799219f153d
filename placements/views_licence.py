"""Pages for the licence to occupy: the wording (scheme managers), each term's agreement (print
and record the signature), a person's own conditions, warnings, and ending the licence for a
breach with a check-your-answers step. Thin: selectors and services_licence."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.access import access_record, logs_access
from audit.models import AccessLogEntry
from iom_housing.access import can_user_manage_licence_wording, can_user_manage_licences, require
from iom_housing.basis import StaleBasis
from iom_housing.dates import day, day_short
from iom_housing.forms import stored_as_post
from iom_housing.i18n import html_lang, resident_document_languages
from iom_housing.pages import form_page, found_or_404
from iom_housing.pdf import html_to_pdf
from placements import selectors, selectors_licence, services_licence
from placements.forms_licence import (
    AgreementRecordForm,
    BreachForm,
    ConditionForm,
    ConditionRemoveForm,
    WarningForm,
    WordingForm,
)
from placements.models import (
    BreachEndingKind,
    DepartureReason,
    Destination,
    LicenceTerm,
    LicenceWarning,
    Placement,
)

licence_officers = require(can_user_manage_licences)
wording_managers = require(can_user_manage_licence_wording)


def _placement_or_404(request, public_id) -> Placement:
    return found_or_404(selectors.placement_get, user=request.user, public_id=public_id)


def _caption(placement: Placement) -> str:
    return f"{placement.offender.full_name}, {placement.bedspace}"


# The wording ----------------------------------------------------------------------------------


@wording_managers
@require_GET
def wording_detail(request):
    """The wording new agreements are issued in, and every earlier version."""
    return render(
        request,
        "placements/licence/wording_detail.html",
        {
            "wording": services_licence.licence_wording_current(),
            "versions": list(selectors_licence.wording_versions()[:50]),
        },
    )


WELSH_WORDING = ("title_cy", "conditions_cy", "house_rules_cy", "breach_cy", "contacts_cy", "charge_text_cy")


@wording_managers
def wording_edit(request):
    current = services_licence.licence_wording_current()
    initial = {
        "basis": current.version,
        "title": current.title,
        "conditions": current.conditions,
        "house_rules": current.house_rules,
        "breach": current.breach,
        "contacts": current.contacts,
        "weekly_charge": current.weekly_charge,
        "charge_text": current.charge_text,
        "notice_days": current.notice_days,
        **{name: getattr(current, name) for name in WELSH_WORDING},
    }
    url = reverse("placements:licence-wording")

    def save(data):
        basis = data.pop("basis")
        services_licence.licence_wording_save(**data, by=request.user, expected_version=basis)

    return form_page(
        request,
        form_class=WordingForm,
        form_kwargs={} if request.method == "POST" else {"initial": initial},
        action=save,
        context={
            "title": _("Change the licence agreement wording"),
            "caption": _("Version %(version)s in use") % {"version": current.version},
            "back_url": url,
        },
        success_url=url,
        success_message=_("Wording saved as a new version: agreements issued from now use it"),
    )


# Agreements -----------------------------------------------------------------------------------


def _term_or_404(placement: Placement, number: int) -> LicenceTerm:
    return get_object_or_404(LicenceTerm.objects.filter(placement=placement), number=number)


def agreement_context(term: LicenceTerm, agreement) -> dict:
    """What an agreement prints: the wording it was issued in, the person's conditions then."""
    placement = term.placement
    return {
        "placement": placement,
        "person": placement.offender,
        "property": placement.bedspace.property,
        "bedspace": placement.bedspace,
        "term": term,
        "agreement": agreement,
        "wording": agreement.wording,
        "conditions": services_licence.agreement_conditions(agreement),
        # Bilingual on a Welsh scheme, Welsh first (SCHEME_RESIDENT_DOCUMENTS).
        "sections": [
            {"code": code, "lang": html_lang(code), "wording": agreement.wording.in_language(code)}
            for code in resident_document_languages()
        ],
    }


@licence_officers
@require_GET
def agreement_pdf(request, public_id, number):
    """The term's agreement to print or send; every download is in the access log (an export)."""
    placement = _placement_or_404(request, public_id)
    term = _term_or_404(placement, number)
    term.placement = placement
    agreement = services_licence.licence_agreement_issue(term=term)
    pdf = html_to_pdf(
        render_to_string("placements/licence/agreement.pdf.html", agreement_context(term, agreement))
    )
    access_record(
        user=request.user,
        action=AccessLogEntry.Action.EXPORT,
        offender_ids=[placement.offender_id],
        model="placements.LicenceAgreement",
        object_ref=str(placement.public_id),
        url=request.path,
        method=request.method,
        reason="case_management",
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="licence-agreement-term-{term.number}.pdf"'
    return response


@licence_officers
@logs_access
def agreement_record(request, public_id, number):
    placement = _placement_or_404(request, public_id)
    term = _term_or_404(placement, number)
    agreement = services_licence.licence_agreement_issue(term=term)
    return form_page(
        request,
        form_class=AgreementRecordForm,
        action=lambda data: services_licence.licence_agreement_record(
            agreement_id=agreement.pk, by=request.user, **data
        ),
        context={
            "title": _("Record the agreement for term %(number)s") % {"number": term.number},
            "caption": _caption(placement),
            "back_url": placement.get_absolute_url(),
        },
        success_url=placement.get_absolute_url(),
        success_message=_("Agreement recorded"),
    )


# A person's own conditions ---------------------------------------------------------------------


@licence_officers
@logs_access
def condition_add(request, public_id):
    placement = _placement_or_404(request, public_id)
    return form_page(
        request,
        form_class=ConditionForm,
        action=lambda data: services_licence.person_condition_add(
            placement_id=placement.pk, text=data["text"], by=request.user
        ),
        context={
            "title": _("Add a condition for this person"),
            "caption": _caption(placement),
            "back_url": placement.get_absolute_url(),
        },
        success_url=placement.get_absolute_url(),
        success_message=_("Condition added: it is printed on the next agreement issued"),
    )


@licence_officers
@logs_access
@require_POST
def condition_remove(request, public_id):
    placement = _placement_or_404(request, public_id)
    form = ConditionRemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("The condition was not found."))
        services_licence.person_condition_remove(
            placement_id=placement.pk, condition_id=form.cleaned_data["condition"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Condition removed"))
    return redirect(placement.get_absolute_url())


# Warnings -------------------------------------------------------------------------------------


@licence_officers
@logs_access
def warning_add(request, public_id):
    placement = _placement_or_404(request, public_id)
    return form_page(
        request,
        form_class=WarningForm,
        form_kwargs={
            "conditions": services_licence.warning_condition_choices(placement),
            **({} if request.method == "POST" else {"initial": {"issued_on": timezone.localdate()}}),
        },
        action=lambda data: services_licence.licence_warning_record(
            placement_id=placement.pk, by=request.user, **data
        ),
        context={
            "title": _("Record a warning under the licence"),
            "caption": _caption(placement),
            "back_url": placement.get_absolute_url(),
        },
        success_url=placement.get_absolute_url(),
        success_message=_("Warning recorded"),
    )


# Ending for a breach: the answers, then check them --------------------------------------------


def _answers_key(placement: Placement) -> str:
    return f"breach-ending:{placement.public_id}"


def _warning_choices(placement: Placement) -> list[tuple[str, str]]:
    return [
        (str(w.pk), f"{w.get_level_display()}, {day_short(w.issued_on)}: {w.condition}")
        for w in LicenceWarning.objects.filter(placement=placement).order_by("issued_on", "pk")
    ]


def _breach_form_page(request, placement, form):
    return render(
        request,
        "form_page.html",
        {
            "title": _("End the licence for a breach"),
            "caption": _caption(placement),
            "back_url": placement.get_absolute_url(),
            "form": form,
        },
    )


@licence_officers
@logs_access
def breach_end(request, public_id):
    """Step 1: how and why the licence ends, the notice date and the warnings it follows."""
    placement = _placement_or_404(request, public_id)
    key = _answers_key(placement)
    choices = _warning_choices(placement)
    if request.method == "POST":
        form = BreachForm(request.POST, warnings=choices)
        if form.is_valid():
            data = form.cleaned_data
            request.session[key] = {
                "basis": data["basis"],
                "kind": data["kind"],
                "notice_on": data["notice_on"].isoformat(),
                "reason": data["reason"],
                "warnings": list(data["warnings"]),
                "destination": data["destination"] if data["kind"] == BreachEndingKind.IMMEDIATE else "",
                "destination_details": (
                    data["destination_details"] if data["kind"] == BreachEndingKind.IMMEDIATE else ""
                ),
            }
            return redirect("placements:breach-end-check", public_id=placement.public_id)
    elif key in request.session:  # "Change" on the check page: the answers as given
        form = BreachForm(stored_as_post(request.session[key], "notice_on"), warnings=choices)
        form.is_valid()
    else:
        form = BreachForm(initial={"basis": placement.version}, warnings=choices)
    return _breach_form_page(request, placement, form)


@licence_officers
@logs_access
def breach_end_check(request, public_id):
    """Step 2: check the answers, then end the licence (GOV.UK "check answers")."""
    placement = _placement_or_404(request, public_id)
    key = _answers_key(placement)
    answers = request.session.get(key)
    if not answers:
        return redirect("placements:breach-end", public_id=placement.public_id)
    notice_on = date.fromisoformat(answers["notice_on"])
    if request.method == "POST":
        try:
            ending = services_licence.licence_breach_end(
                placement_id=placement.pk,
                kind=answers["kind"],
                reason=answers["reason"],
                notice_on=notice_on,
                warning_ids=[int(pk) for pk in answers["warnings"]],
                destination=answers["destination"],
                destination_details=answers.get("destination_details", ""),
                by=request.user,
                expected_version=answers["basis"],
            )
        except StaleBasis as stale:
            del request.session[key]
            (messages.info if stale.already_done else messages.error)(request, stale.messages[0])
            return redirect(placement.get_absolute_url())
        except ValidationError as error:
            form = BreachForm(stored_as_post(answers, "notice_on"), warnings=_warning_choices(placement))
            form.is_valid()
            form.add_service_error(error)
            return _breach_form_page(request, placement, form)
        del request.session[key]
        if ending.kind == BreachEndingKind.IMMEDIATE:
            messages.success(request, _("Licence ended for a breach: the placement has ended"))
        else:
            messages.success(
                request,
                _("Notice recorded: the licence now ends on %(day)s") % {"day": day(ending.leave_by)},
            )
        return redirect(placement.get_absolute_url())
    chosen = {int(pk) for pk in answers["warnings"]}
    return render(
        request,
        "placements/licence/breach_check.html",
        {
            "placement": placement,
            "caption": _caption(placement),
            "answers": answers,
            "kind_label": BreachEndingKind(answers["kind"]).label,
            "immediate": answers["kind"] == BreachEndingKind.IMMEDIATE,
            "notice_on": notice_on,
            "leave_by": services_licence.breach_leave_by(kind=answers["kind"], notice_on=notice_on),
            "warnings": [
                w
                for w in LicenceWarning.objects.filter(placement=placement).order_by("issued_on", "pk")
                if w.pk in chosen
            ],
            "destination_label": Destination(answers["destination"]).label if answers["destination"] else "",
            "destination_details": answers.get("destination_details", ""),
            "departure_reason": DepartureReason.EVICTION.label,
            "change_url": reverse("placements:breach-end", args=[placement.public_id]),
        },
    )
