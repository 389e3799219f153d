"""Admin for alerts."""

from django.contrib import admin

from alerts.models import Alert
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


# Not here: which emails told whom about which alert (AlertNotice) and when the scheduled jobs
# last ran (JobRun). They are the jobs' own bookkeeping, which no one repairs by hand: editing a
# notice would send an email twice or never. The dashboard shows managers when the jobs last ran.
