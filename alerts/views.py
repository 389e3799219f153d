"""The alerts page (with its filters) and acknowledging an alert. Thin: selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from alerts import selectors, services
from alerts.forms import AcknowledgeForm, AcknowledgeManyForm, AlertFilterForm
from alerts.models import Alert
from audit.access import logs_access, saw
from iom_housing.access import can_user_manage_placements, can_user_view_alerts, require
from iom_housing.pages import form_page, found_or_404, paginate


@require(can_user_view_alerts)
@logs_access
@require_GET
def alert_list(request):
    """Alerts with filters: open ones by default, soonest due first, each with what to do."""
    filters = AlertFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    status = cleaned.get("status") or Alert.Status.OPEN
    if status == "all":
        status = ""
    elif status == AlertFilterForm.UNRESOLVED:
        status = Alert.UNRESOLVED_STATUSES
    alerts = selectors.alert_list(user=request.user, kind=cleaned.get("kind", ""), status=status)
    return render(
        request,
        "alerts/alert_list.html",
        {"filters": filters, "page": paginate(request, alerts), "today": timezone.localdate()},
    )


@require(can_user_manage_placements)
@logs_access
def alert_acknowledge(request, pk):
    alert = found_or_404(selectors.open_alert_get, user=request.user, pk=pk)
    return form_page(
        request,
        form_class=AcknowledgeForm,
        action=lambda data: services.alert_acknowledge(alert_id=alert.pk, by=request.user, **data),
        context={
            "title": _("Acknowledge this alert"),
            "caption": alert.text,
            "back_url": reverse("alerts:list"),
        },
        success_url=reverse("alerts:list"),
        success_message=_("Alert acknowledged"),
    )


@require(can_user_manage_placements)
@logs_access
@require_POST
def alert_acknowledge_many(request):
    """Step 1, from the alerts page's checkboxes: the chosen alerts listed for a note; step 2
    (`confirm`): acknowledged, all of them or none."""
    wanted = [int(pk) for pk in request.POST.getlist("alerts") if pk.isdigit()]
    # Only the user's own alerts, whatever was posted (any status: the service says which closed).
    alerts = list(selectors.alert_list(user=request.user).filter(pk__in=wanted))
    form = AcknowledgeManyForm(
        request.POST if "confirm" in request.POST else None,
        initial={"alerts": [alert.pk for alert in alerts]},
        choices=[alert.pk for alert in alerts],
    )
    if not alerts:
        messages.error(request, _("Select the alerts to acknowledge."))
        return redirect("alerts:list")
    saw(people=alerts)
    if form.is_bound and form.is_valid():
        try:
            count = services.alerts_acknowledge(
                alert_ids=form.cleaned_data["alerts"], by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                ngettext("%(count)s alert acknowledged", "%(count)s alerts acknowledged", count)
                % {"count": count},
            )
            return redirect("alerts:list")
    return render(request, "alerts/acknowledge_many.html", {"form": form, "alerts": alerts})
