"""Admin for move-on plans and their actions (scheme managers; each page logs the person it shows)."""

from django.contrib import admin

from iom_housing.admin import SchemeModelAdmin, SchemeTabularInline
from moveon.models import MoveOnAction, MoveOnPlan

PERSON_SEARCH = ("first_name", "last_name", "pnc_id", "crn")


class MoveOnActionInline(SchemeTabularInline):
    model = MoveOnAction
    fields = ("kind", "owner_agency", "due_on", "status", "outcome_on", "result")
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner_agency")


@admin.register(MoveOnPlan)
class MoveOnPlanAdmin(SchemeModelAdmin):
    people = ("placement__offender",)
    list_display = ("placement", "target_on", "planned_move_out_on")
    list_select_related = ("placement__offender", "placement__bedspace__property")
    search_fields = tuple(f"placement__offender__{field}" for field in PERSON_SEARCH)
    autocomplete_fields = ("placement",)
    inlines = (MoveOnActionInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)


@admin.register(MoveOnAction)
class MoveOnActionAdmin(SchemeModelAdmin):
    people = ("plan__placement__offender",)
    list_display = ("kind", "plan", "owner_agency", "due_on", "status", "result")
    list_filter = ("status", "kind", "result")
    list_select_related = ("plan__placement__offender", "plan__placement__bedspace__property", "owner_agency")
    search_fields = tuple(f"plan__placement__offender__{field}" for field in PERSON_SEARCH)
    raw_id_fields = ("plan", "owner_user", "created_by", "api_client")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)
