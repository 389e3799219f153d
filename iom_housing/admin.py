"""The admin site and the base classes every app's admin uses: scheme managers and superusers run the
admin by their role, not by Django's staff flag and model permissions."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from iom_housing.access import can_user_manage_scheme

# Shown read-only wherever a model has them; `created_by` is filled in from the signed-in user.
RECORD_FIELDS = ("public_id", "created_by", "created_at", "updated_at")
AUTHOR_FIELDS = ("created_by", "recorded_by")


def can_use_admin(user) -> bool:
    """Active superusers and scheme managers. `is_staff` alone lets nobody in."""
    return bool(user.is_active and (user.is_superuser or can_user_manage_scheme(user)))


class SchemeManagerAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter the username and password of a scheme manager account. Both are case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user):
        # AdminAuthenticationForm asks for is_staff; the role decides here instead.
        AuthenticationForm.confirm_login_allowed(self, user)
        if not can_use_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class IomHousingAdminSite(admin.AdminSite):
    site_header = _("IOM Housing administration")
    site_title = _("IOM Housing admin")
    index_title = _("Scheme administration")
    login_form = SchemeManagerAuthenticationForm

    def has_permission(self, request) -> bool:
        return can_use_admin(request.user)


class SchemeManagerPermissions:
    """Admin permissions from the role: a scheme manager may view, add, change and delete anything."""

    def has_module_permission(self, request) -> bool:
        return can_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:  # obj: inlines pass the parent
        return can_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_use_admin(request.user)


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


def _record_fields(model) -> tuple[str, ...]:
    names = _field_names(model)
    return tuple(name for name in RECORD_FIELDS if name in names)


def _stamp_creator(obj, user) -> None:
    """A new record left without its author is recorded as the signed-in user's."""
    if not obj._state.adding:
        return
    names = _field_names(type(obj))
    for name in AUTHOR_FIELDS:
        if name in names and getattr(obj, f"{name}_id") is None:
            setattr(obj, name, user)


class RecordFieldsMixin:
    """Shows public id, creator and timestamps read-only, after any declared read-only fields."""

    def get_readonly_fields(self, request, obj=None):
        declared = tuple(super().get_readonly_fields(request, obj))
        return declared + tuple(name for name in _record_fields(self.model) if name not in declared)


class SchemeModelAdmin(SchemeManagerPermissions, RecordFieldsMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # one COUNT(*) less on every filtered changelist

    def save_model(self, request, obj, form, change):
        _stamp_creator(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            _stamp_creator(inline_form.instance, request.user)
        super().save_formset(request, form, formset, change)


class SchemeTabularInline(SchemeManagerPermissions, RecordFieldsMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class SchemeStackedInline(SchemeManagerPermissions, RecordFieldsMixin, admin.StackedInline):
    extra = 0
