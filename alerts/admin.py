"""Admin for alerts, the emails about them, and when the scheduled jobs last ran."""

from django.contrib import admin

from alerts.models import Alert, AlertNotice, JobRun
from iom_housing.admin import SchemeModelAdmin
from placements.admin import PERSON_SEARCH


@admin.register(Alert)
class AlertAdmin(SchemeModelAdmin):
    people = ("offender", "placement__offender", "referral__offender")
    list_display = ("message", "kind", "status", "due_on", "offender", "agency", "raised_at")
    list_filter = ("status", "kind", "agency")
    list_select_related = ("offender", "agency")
    search_fields = ("message", "key", *PERSON_SEARCH)
    date_hierarchy = "raised_at"
    readonly_fields = ("raised_at",)
    autocomplete_fields = ("offender", "placement", "referral", "visit", "agency", "acknowledged_by")


class ReadOnlyAdmin(SchemeModelAdmin):
    """Written only by the scheduled jobs: read here, never edited."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AlertNotice)
class AlertNoticeAdmin(ReadOnlyAdmin):
    """Which emails told whom about which alert (each sent once)."""

    people = ("alert__offender", "alert__placement__offender", "alert__referral__offender")
    list_display = ("alert", "recipient", "channel", "sent_at")
    list_filter = ("channel",)
    list_select_related = ("alert", "recipient")
    fields = readonly_fields = ("alert", "recipient", "channel", "sent_at")


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    """When each scheduled job last ran: the canary every 5 minutes shows that beat and a worker are up."""

    list_display = ("name", "last_run_at", "summary")
    fields = readonly_fields = ("name", "last_run_at", "summary")
