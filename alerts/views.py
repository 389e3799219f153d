"""The alerts page (with its filters) and acknowledging an alert. Thin: selectors and services."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alerts import selectors, services
from alerts.forms import AcknowledgeForm, AlertFilterForm
from alerts.models import Alert
from audit.access import logs_access
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
            "caption": alert.message,
            "back_url": reverse("alerts:list"),
        },
        success_url=reverse("alerts:list"),
        success_message=_("Alert acknowledged"),
    )
