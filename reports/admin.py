"""Admin for funding lines and comparator unit costs."""

from django.contrib import admin

from iom_housing.admin import SchemeModelAdmin
from reports.models import Funding, PublishedRelease, ReportDownload, ReportExport, UnitCost


@admin.register(Funding)
class FundingAdmin(SchemeModelAdmin):
    list_display = ("name", "funder", "kind", "amount", "starts_on", "ends_on")
    list_filter = ("kind", "funder")
    search_fields = ("name", "funder", "notes")
    date_hierarchy = "starts_on"


@admin.register(UnitCost)
class UnitCostAdmin(SchemeModelAdmin):
    list_display = ("name", "key", "low", "central", "high", "unit", "source", "source_date")
    search_fields = ("name", "key", "source")
    prepopulated_fields = {"key": ("name",)}


class LogAdmin(SchemeModelAdmin):
    """Read-only: made by the service, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportDownload)
class ReportDownloadAdmin(LogAdmin):
    list_display = ("downloaded_at", "user", "audience", "format", "start", "end", "area")
    list_filter = ("audience", "format")
    list_select_related = ("user",)
    date_hierarchy = "downloaded_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReportExport)
class ReportExportAdmin(LogAdmin):
    list_display = ("created_at", "requested_by", "format", "start", "end", "status", "expires_at")
    list_filter = ("status", "format")
    list_select_related = ("requested_by",)


@admin.register(PublishedRelease)
class PublishedReleaseAdmin(LogAdmin):
    """Read-only, never deleted: what was published, when, and as at when (not the withheld
    counts it keeps for suppressing later releases)."""

    list_display = ("start", "kind", "area", "made_at", "data_as_at", "withheld")
    list_filter = ("kind", "area")
    date_hierarchy = "start"
    fields = ("kind", "start", "end", "area", "year_start", "made_at", "data_as_at", "threshold", "withheld")
    readonly_fields = fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
