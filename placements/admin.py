"""Admin for properties, bedspaces, void periods, placements and their licence terms, and support
plans."""

from django.contrib import admin
from django.db.models import Count, Prefetch
from django.utils.translation import gettext_lazy as _

from iom_housing.admin import SchemeModelAdmin, SchemeTabularInline
from iom_housing.dates import day_short
from placements.models import (
    Bedspace,
    LicenceTerm,
    LocalAuthority,
    Placement,
    Property,
    PropertyExclusion,
    SharingOverride,
    SupportAgency,
    SupportPlan,
    Transfer,
    VoidPeriod,
)

RECORD_FIELDSET = (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)})
PERSON_SEARCH = ("offender__first_name", "offender__last_name", "offender__pnc_id", "offender__crn")


def _placement_search(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}__{field}" for field in PERSON_SEARCH)


class BedspaceInline(SchemeTabularInline):
    model = Bedspace
    fields = ("label", "active")


class PropertyExclusionInline(SchemeTabularInline):
    model = PropertyExclusion
    fields = ("offender", "reason", "created_by", "created_at")
    autocomplete_fields = ("offender",)
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offender", "created_by")


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(SchemeModelAdmin):
    """The list of areas: a scheme manager adds one a property or an application needs, with its
    GSS code from the ONS; an area in use is never deleted (its properties protect it)."""

    list_display = ("name", "name_cy", "code", "in_use")
    list_filter = ("in_use",)
    search_fields = ("name", "name_cy", "code")

    def get_readonly_fields(self, request, obj=None):
        # The code is the key every property and report refers to by: fixed once added.
        fixed = ("code",) if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)


@admin.register(Property)
class PropertyAdmin(SchemeModelAdmin):
    page_people = ("exclusions__offender",)  # the people it is unsuitable for
    list_display = (
        "name",
        "town",
        "postcode",
        "local_authority",
        "provider",
        "weekly_cost",
        "restriction",
        "accessible",
        "bedspace_count",
        "active",
    )
    list_filter = (
        "active",
        "restriction",
        "accessible",
        "unsuitable_for_sexual_risk",
        "unsuitable_for_arson",
        "near_school",
        "local_authority",
    )
    list_select_related = ("local_authority",)
    search_fields = ("name", "address_line_1", "town", "postcode", "provider")
    inlines = (BedspaceInline, PropertyExclusionInline)
    ordering = ("name",)  # Meta.ordering is dropped from the GROUP BY of the bedspace count
    fieldsets = (
        (None, {"fields": ("name", "provider", "active")}),
        (
            _("Address"),
            {"fields": ("address_line_1", "address_line_2", "town", "postcode", "local_authority")},
        ),
        (_("Terms"), {"fields": ("weekly_cost", "restriction", "accessible", "turnaround_days", "notes")}),
        (
            _("Sharing (who the property suits)"),
            {"fields": ("unsuitable_for_sexual_risk", "unsuitable_for_arson", "near_school")},
        ),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("local_authority")
            .annotate(bedspace_count=Count("bedspaces"))
        )

    @admin.display(description=_("bedspaces"), ordering="bedspace_count")
    def bedspace_count(self, property_):
        return property_.bedspace_count


class VoidPeriodInline(SchemeTabularInline):
    model = VoidPeriod
    fields = ("starts_on", "ends_on", "reason", "notes", "created_by")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


@admin.register(Bedspace)
class BedspaceAdmin(SchemeModelAdmin):
    list_display = ("label", "property", "town", "active")
    list_filter = ("active", "property")
    list_select_related = ("property",)
    search_fields = ("label", "property__name", "property__town", "property__postcode")
    autocomplete_fields = ("property",)
    inlines = (VoidPeriodInline,)

    def get_queryset(self, request):
        # The property's name is part of a bedspace's name (autocomplete results, change page). The
        # changelist skips list_select_related once the queryset has a select_related of its own.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("town or city"), ordering="property__town")
    def town(self, bedspace):
        return bedspace.property.town


@admin.register(PropertyExclusion)
class PropertyExclusionAdmin(SchemeModelAdmin):
    people = ("offender",)
    list_display = ("offender", "property", "reason", "created_by", "created_at")
    list_filter = ("property",)
    list_select_related = ("offender", "property", "created_by")
    search_fields = (*PERSON_SEARCH, "property__name", "reason")
    date_hierarchy = "created_at"
    autocomplete_fields = ("offender", "property")


@admin.register(VoidPeriod)
class VoidPeriodAdmin(SchemeModelAdmin):
    list_display = ("bedspace", "starts_on", "ends_on", "reason", "created_by")
    list_filter = ("reason", "bedspace__property")
    list_select_related = ("bedspace__property", "created_by")
    search_fields = ("bedspace__label", "bedspace__property__name", "notes")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("bedspace",)


class LicenceTermInline(SchemeTabularInline):
    model = LicenceTerm
    fields = ("number", "starts_on", "ends_on", "reason", "created_by", "created_at")
    ordering = ("number",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")


@admin.register(Placement)
class PlacementAdmin(SchemeModelAdmin):
    people = ("offender",)
    list_display = (
        "offender",
        "bedspace",
        "status",
        "starts_on",
        "ends_on",
        "free_from",
        "departed_on",
        "destination",
        "term_count",
    )
    list_filter = ("status", "destination", "departure_reason", "bedspace__property")
    list_select_related = ("offender", "bedspace__property")
    search_fields = (*PERSON_SEARCH, "bedspace__property__name", "public_id__exact")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("offender", "bedspace", "referral")
    inlines = (LicenceTermInline,)
    ordering = ("-starts_on",)  # Meta.ordering is dropped from the GROUP BY of the term count
    fieldsets = (
        (None, {"fields": ("offender", "bedspace", "referral", "status")}),
        (_("Dates"), {"fields": ("starts_on", "ends_on", "free_from", "confirmed_at", "arrived_on")}),
        (_("Departure"), {"fields": ("departed_on", "departure_reason", "destination")}),
        (_("Cancellation"), {"fields": ("cancellation_reason",)}),
        (_("Notes"), {"fields": ("notes",)}),
        (
            _("Record"),
            {"fields": ("public_id", "created_by", "created_at", "updated_at"), "classes": ("collapse",)},
        ),
    )

    def get_queryset(self, request):
        # A placement's name names the person and the bedspace (autocomplete results, change page).
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .annotate(term_count=Count("licence_terms"))
        )

    @admin.display(description=_("licence terms"), ordering="term_count")
    def term_count(self, placement):
        return placement.term_count


@admin.register(LicenceTerm)
class LicenceTermAdmin(SchemeModelAdmin):
    people = ("placement__offender",)
    list_display = ("placement", "number", "starts_on", "ends_on", "days", "created_by", "created_at")
    list_filter = ("placement__status",)
    list_select_related = ("placement__offender", "placement__bedspace__property", "created_by")
    search_fields = _placement_search("placement")
    date_hierarchy = "ends_on"
    autocomplete_fields = ("placement",)

    @admin.display(description=_("days"))
    def days(self, term):
        return term.days


class SupportAgencyInline(SchemeTabularInline):
    model = SupportAgency
    fields = ("agency", "visit_every_days", "ended_on")
    autocomplete_fields = ("agency",)
    show_change_link = False


@admin.register(SupportPlan)
class SupportPlanAdmin(SchemeModelAdmin):
    people = ("placement__offender",)
    list_display = ("placement", "tier", "supporting_agencies")
    list_filter = ("tier",)
    list_select_related = ("placement__offender", "placement__bedspace__property")
    search_fields = _placement_search("placement")
    autocomplete_fields = ("placement",)
    inlines = (SupportAgencyInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .prefetch_related(
                Prefetch("support_agencies", queryset=SupportAgency.objects.select_related("agency"))
            )
        )

    @admin.display(description=_("supporting agencies"))
    def supporting_agencies(self, plan):
        return ", ".join(
            str(_("{agency} (until {date})")).format(
                agency=link.agency.name, date=f"{day_short(link.ended_on)}"
            )
            if link.ended_on
            else link.agency.name
            for link in plan.support_agencies.all()
        )


@admin.register(SupportAgency)
class SupportAgencyAdmin(SchemeModelAdmin):
    people = ("support_plan__placement__offender",)
    list_display = ("agency", "person", "support_plan", "visit_every_days", "ended_on")
    list_filter = ("agency",)
    list_select_related = (
        "agency",
        "support_plan__placement__offender",
        "support_plan__placement__bedspace__property",
    )
    search_fields = ("agency__name", *_placement_search("support_plan__placement"))
    autocomplete_fields = ("support_plan", "agency")

    @admin.display(description=_("person"), ordering="support_plan__placement__offender__last_name")
    def person(self, link):
        return link.support_plan.placement.offender


@admin.register(Transfer)
class TransferAdmin(SchemeModelAdmin):
    """Moves to another bedspace. Only `placement_transfer` makes one (it ends a placement and
    starts the next in one transaction), so here they can only be read."""

    people = ("from_placement__offender",)
    list_display = ("pk", "moved_on", "reason", "from_placement", "to_placement")
    list_filter = ("reason",)
    list_select_related = (
        "from_placement__offender",
        "from_placement__bedspace__property",
        "to_placement__offender",
        "to_placement__bedspace__property",
    )
    fields = readonly_fields = (
        "from_placement",
        "to_placement",
        "moved_on",
        "reason",
        "details",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SharingOverride)
class SharingOverrideAdmin(SchemeModelAdmin):
    """Officers' overrides of the sharing rule. Only the booking services make one, in the
    transaction of the change it allowed, so here they can only be read."""

    people = ("placement__offender",)
    list_display = ("pk", "decided_at", "change", "placement", "decided_by")
    list_filter = ("change",)
    list_select_related = ("placement__offender", "placement__bedspace__property", "decided_by")
    fields = readonly_fields = (
        "placement",
        "change",
        "starts_on",
        "ends_on",
        "conflicts",
        "reason",
        "decided_by",
        "decided_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
