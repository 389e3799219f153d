"""Admin for funding lines and comparator unit costs."""

from django.contrib import admin

from iom_housing.admin import SchemeModelAdmin
from reports.models import Funding, UnitCost


@admin.register(Funding)
class FundingAdmin(SchemeModelAdmin):
    list_display = ("name", "funder", "kind", "amount", "starts_on", "ends_on")
    list_filter = ("kind", "funder")
    search_fields = ("name", "funder", "notes")
    date_hierarchy = "starts_on"


@admin.register(UnitCost)
class UnitCostAdmin(SchemeModelAdmin):
    list_display = ("name", "key", "amount", "unit", "source", "source_date")
    search_fields = ("name", "key", "source")
    prepopulated_fields = {"key": ("name",)}
