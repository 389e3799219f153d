"""Admin for agencies, staff memberships, home visits and API clients, and for user accounts with their
role."""

from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, ApiClient, HomeVisit, StaffMembership, VisitCorrection
from agencies.services import api_client_register
from iom_housing.admin import (
    AccessLoggedAdmin,
    SchemeManagerPermissions,
    SchemeModelAdmin,
    SchemeStackedInline,
)
from iom_housing.security.services import user_sessions_end, user_two_factor_reset

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
    people = ("placement__offender",)
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

    people = ("visit__placement__offender",)
    list_display = ("corrected_at", "visit", "corrected_by", "reason")
    list_select_related = ("visit__agency", "corrected_by")
    search_fields = ("reason", "visit__placement__offender__last_name", "corrected_by__username")
    date_hierarchy = "corrected_at"
    autocomplete_fields = ("visit", "corrected_by")


class ApiClientForm(forms.ModelForm):
    name = forms.CharField(
        label=_("name"), max_length=255, help_text=_("The case system, e.g. “Probation case sync”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=[(name, f"{name}: {description}") for name, description in settings.API_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_secret = forms.BooleanField(
        label=_("Issue a new secret"), required=False, help_text=_("The old secret stops working at once.")
    )

    class Meta:
        model = ApiClient
        fields = ("agency", "scopes", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["name"].initial = self.instance.application.name


@admin.register(ApiClient)
class ApiClientAdmin(SchemeModelAdmin):
    """An agency's case system, signing in with OAuth 2.0 client credentials. The secret is shown
    once, on the page after saving (only its hash is kept), never in a message or cookie."""

    form = ApiClientForm
    list_display = ("name", "client_id", "agency", "scope_list", "active", "updated_at")
    list_filter = ("active", "agency")
    list_select_related = ("application", "agency")
    search_fields = ("application__name", "application__client_id", "agency__name")
    autocomplete_fields = ("agency",)
    readonly_fields = ("client_id",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "agency", "scopes", "active")
        return ("name", "client_id", "agency", "scopes", "active", "new_secret", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change and not data.get("new_secret"):
            obj.application.name = data["name"]
            obj.application.save(update_fields=["name", "updated"])
            super().save_model(request, obj, form, change)
            return
        api_client, secret = api_client_register(
            agency=data["agency"],
            name=data["name"],
            scopes=data["scopes"],
            client_id=obj.application.client_id if change else "",
        )
        if not data["active"]:
            ApiClient.objects.filter(pk=api_client.pk).update(active=False)
        # The admin logs and links to `obj`: make it the saved client.
        obj.pk, obj.application, obj._state.adding = api_client.pk, api_client.application, False
        request._api_client_secret = secret

    def _show_secret(self, request, obj):
        context = {
            **self.admin_site.each_context(request),
            "title": _("Client registered: copy the secret now"),
            "api_client": obj,
            "client_id": obj.application.client_id,
            "client_secret": request._api_client_secret,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/agencies/apiclient/secret.html", context)

    def response_add(self, request, obj, post_url_continue=None):
        if hasattr(request, "_api_client_secret"):
            return self._show_secret(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if hasattr(request, "_api_client_secret"):
            return self._show_secret(request, obj)
        return super().response_change(request, obj)

    @admin.display(description=_("name"), ordering="application__name")
    def name(self, api_client):
        return api_client.application.name

    @admin.display(description=_("client ID"), ordering="application__client_id")
    def client_id(self, api_client):
        return api_client.application.client_id

    @admin.display(description=_("scopes"))
    def scope_list(self, api_client):
        return ", ".join(api_client.scopes)


# django-oauth-toolkit's own pages (applications, tokens, grants) are not how clients are managed
# here: a scheme manager registers an ApiClient above.
for _model_name in ("Application", "AccessToken", "Grant", "IDToken", "RefreshToken"):
    _model = apps.get_model("oauth2_provider", _model_name)
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

# Django's groups and model permissions are not how IOM Housing grants access: roles are.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)
if admin.site.is_registered(User):
    admin.site.unregister(User)
# Authenticators are reset from the user's page (an action), never read: the key is a secret.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class StaffMembershipInline(SchemeStackedInline):
    model = StaffMembership
    fk_name = "user"
    can_delete = False  # untick "active" instead, so that their past records still name their agency
    min_num = 0
    max_num = 1
    fields = ("agency", "role", "job_title", "phone", "preferred_language", "active")
    autocomplete_fields = ("agency",)
    verbose_name = _("agency and role")
    verbose_name_plural = _("agency and role")


@admin.register(User)
class UserAdmin(AccessLoggedAdmin, SchemeManagerPermissions, DjangoUserAdmin):
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
    actions = ("end_sessions", "reset_two_factor")

    @admin.action(description=_("Sign out everywhere now (end their sessions)"))
    def end_sessions(self, request, queryset):
        ended = sum(user_sessions_end(user=user, by=request.user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d session ended.", "%(count)d sessions ended.", ended) % {"count": ended},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reset two-factor authentication (lost phone)"))
    def reset_two_factor(self, request, queryset):
        users = [user for user in queryset if self._may_edit(request, user)]
        for user in users:
            user_two_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d user: they set it up again at their next sign-in.",
                "Two-factor authentication reset for %(count)d users: they set it up again at their next sign-in.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )

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
