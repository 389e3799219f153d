"""Admin for agencies, staff memberships and home visits, and for user accounts with their role."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, HomeVisit, StaffMembership, VisitCorrection
from iom_housing.admin import SchemeManagerPermissions, SchemeModelAdmin, SchemeStackedInline

User = get_user_model()

# Only a superuser may hand out Django's own privileges; a scheme manager gives access by role.
SUPERUSER_ONLY_USER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(Agency)
class AgencyAdmin(SchemeModelAdmin):
    list_display = ("name", "code", "kind", "email", "phone", "staff_count", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "code", "email")
    prepopulated_fields = {"code": ("name",)}
    ordering = ("name",)  # Meta.ordering is dropped from the GROUP BY of the staff count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(staff_count=Count("staff"))

    @admin.display(description=_("staff"), ordering="staff_count")
    def staff_count(self, agency):
        return agency.staff_count


@admin.register(StaffMembership)
class StaffMembershipAdmin(SchemeModelAdmin):
    list_display = ("user", "full_name", "agency", "role", "job_title", "active")
    list_filter = ("role", "active", "agency")
    list_select_related = ("user", "agency")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email", "job_title")
    autocomplete_fields = ("user", "agency")

    @admin.display(description=_("name"), ordering="user__last_name")
    def full_name(self, membership):
        return membership.user.get_full_name()


@admin.register(HomeVisit)
class HomeVisitAdmin(SchemeModelAdmin):
    list_display = (
        "visited_at",
        "person",
        "property_name",
        "agency",
        "joint_with",
        "kind",
        "outcome",
        "support_hours",
        "concern_raised",
    )
    list_filter = ("outcome", "kind", "concern_raised", "drug_test", "engagement", "agency")
    list_select_related = ("placement__offender", "placement__bedspace__property", "agency")
    search_fields = (
        "placement__offender__first_name",
        "placement__offender__last_name",
        "placement__offender__pnc_id",
        "staff_names",
    )
    date_hierarchy = "visited_at"
    autocomplete_fields = ("placement", "agency", "other_agencies", "recorded_by")
    fieldsets = (
        (None, {"fields": ("placement", "visited_at", "kind", "outcome")}),
        (_("Who visited"), {"fields": ("agency", "other_agencies", "staff_names", "recorded_by")}),
        (
            _("Checks"),
            {
                "fields": (
                    "property_in_good_order",
                    "drug_test",
                    "engagement",
                    "support_hours",
                    "next_visit_on",
                )
            },
        ),
        (_("Concern and notes"), {"fields": ("concern_raised", "concern", "notes")}),
        (_("Record"), {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        # The changelist skips list_select_related once the queryset has a select_related of its own,
        # so the columns' relations are named here too (the agency also names the visit elsewhere).
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .prefetch_related("other_agencies")
        )

    def get_changeform_initial_data(self, request):
        return {"recorded_by": request.user.pk, **super().get_changeform_initial_data(request)}

    @admin.display(description=_("person"), ordering="placement__offender__last_name")
    def person(self, visit):
        return visit.placement.offender

    @admin.display(description=_("property"), ordering="placement__bedspace__property__name")
    def property_name(self, visit):
        return visit.placement.bedspace.property.name

    @admin.display(description=_("joint visit with"))
    def joint_with(self, visit):
        return ", ".join(agency.name for agency in visit.other_agencies.all())


@admin.register(VisitCorrection)
class VisitCorrectionAdmin(SchemeModelAdmin):
    """Corrections are made on the visit's own page; here they can be looked up."""

    list_display = ("corrected_at", "visit", "corrected_by", "reason")
    list_select_related = ("visit__agency", "corrected_by")
    search_fields = ("reason", "visit__placement__offender__last_name", "corrected_by__username")
    date_hierarchy = "corrected_at"
    autocomplete_fields = ("visit", "corrected_by")


# Django's groups and model permissions are not how IOM Housing grants access: roles are.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
if admin.site.is_registered(User):
    admin.site.unregister(User)


class StaffMembershipInline(SchemeStackedInline):
    model = StaffMembership
    fk_name = "user"
    can_delete = False  # untick "active" instead, so that their past records still name their agency
    min_num = 0
    max_num = 1
    fields = ("agency", "role", "job_title", "phone", "active")
    autocomplete_fields = ("agency",)
    verbose_name = _("agency and role")
    verbose_name_plural = _("agency and role")


@admin.register(User)
class UserAdmin(SchemeManagerPermissions, DjangoUserAdmin):
    inlines = (StaffMembershipInline,)
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "agency",
        "is_active",
        "last_login",
    )
    list_filter = ("membership__role", "membership__agency", "is_active", "is_superuser")
    list_select_related = ("membership__agency",)
    search_fields = ("username", "first_name", "last_name", "email")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return tuple(
            (
                name,
                {
                    **options,
                    "fields": tuple(f for f in options["fields"] if f not in SUPERUSER_ONLY_USER_FIELDS),
                },
            )
            for name, options in fieldsets
        )

    def get_list_filter(self, request):
        if request.user.is_superuser:
            return self.list_filter
        return tuple(f for f in self.list_filter if f not in SUPERUSER_ONLY_USER_FIELDS)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    @staticmethod
    def _may_edit(request, user) -> bool:
        # A scheme manager may not take over or remove a superuser's account.
        return user is None or not user.is_superuser or request.user.is_superuser

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, user):
        membership = getattr(user, "membership", None)
        return membership.get_role_display() if membership else None

    @admin.display(description=_("agency"), ordering="membership__agency__name")
    def agency(self, user):
        membership = getattr(user, "membership", None)
        return membership.agency.name if membership else None
