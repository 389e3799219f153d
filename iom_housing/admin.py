"""The admin site and the base classes every app's admin uses: scheme managers and superusers run the
admin by their role, not by Django's staff flag and model permissions; admin pages of people's
records write the access log as the site's pages do."""

from collections import defaultdict

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NestedObjects, unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import router
from django.utils.translation import gettext_lazy as _

from audit.access import logs_access, saw
from iom_housing.access import can_user_use_admin
from iom_housing.forms import UsernameLengthChecked

# Shown read-only wherever a model has them; `created_by` is filled in from the signed-in user.
RECORD_FIELDS = ("public_id", "created_by", "created_at", "updated_at")
AUTHOR_FIELDS = ("created_by", "recorded_by")


class SchemeManagerAuthenticationForm(UsernameLengthChecked, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter the username and password of a scheme manager account. Both are case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user):
        # AdminAuthenticationForm asks for is_staff; the role decides here instead.
        AuthenticationForm.confirm_login_allowed(self, user)
        if not can_user_use_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class AccessLoggedAutocomplete(AutocompleteJsonView):
    """A search of people's records for a form's drop-down names the people it finds."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if isinstance(self.model_admin, AccessLoggedAdmin):
            found = list(context["object_list"])
            saw(model=self.model_admin.model, people=self.model_admin.people_of(found))
        return context


class IomHousingAdminSite(admin.AdminSite):
    site_header = _("IOM Housing administration")
    site_title = _("IOM Housing admin")
    index_title = _("Scheme administration")
    login_form = SchemeManagerAuthenticationForm

    def has_permission(self, request) -> bool:
        return can_user_use_admin(request.user)

    @logs_access
    def autocomplete_view(self, request):
        return AccessLoggedAutocomplete.as_view(admin_site=self)(request)

    @logs_access
    def index(self, request, extra_context=None):
        # "Recent actions" names the records the user last changed here.
        records = defaultdict(list)
        for entry in LogEntry.objects.filter(user_id=request.user.pk).select_related("content_type")[:10]:
            records[entry.content_type.model_class()].append(entry.object_id)
        for model, pks in records.items():
            model_admin = self._registry.get(model)
            if isinstance(model_admin, AccessLoggedAdmin):
                saw(model=model, people=model_admin.people_of(pks))
        return super().index(request, extra_context)


class SchemeManagerPermissions:
    """Admin permissions from the role: a scheme manager may view, add, change and delete anything."""

    def has_module_permission(self, request) -> bool:
        return can_user_use_admin(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return can_user_use_admin(request.user)

    def has_add_permission(self, request, obj=None) -> bool:  # obj: inlines pass the parent
        return can_user_use_admin(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return can_user_use_admin(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return can_user_use_admin(request.user)


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


def _ids(rows) -> set[int]:
    return {value for row in rows for value in row if value is not None}


class AccessLoggedAdmin:
    """Admin pages write the access log (DPA 2018 s.62) as the site's pages do. A list names the
    people on its page; a record's change, delete and history pages name the record's people;
    saving or deleting is an alteration of theirs; a delete page names the people of every record
    it would delete with the one chosen (or that stops it).

    `people`: the paths from a row to the people it is about ("pk" on a person's own record;
    none for records about no one). `page_people`: more paths from a record to people its change
    page lists (its inlines)."""

    people: tuple[str, ...] = ()
    page_people: tuple[str, ...] = ()

    def people_of(self, objects) -> set[int]:
        """The people of some records (or of their primary keys)."""
        if not self.people:
            return set()
        pks = [getattr(obj, "pk", obj) for obj in objects]
        if not pks:
            return set()
        return _ids(self.model._default_manager.filter(pk__in=pks).values_list(*self.people))

    def people_on_record_page(self, obj) -> set[int]:
        ids = self.people_of([obj])
        if self.page_people:
            ids |= _ids(self.model._default_manager.filter(pk=obj.pk).values_list(*self.page_people))
        return ids

    def _saw_record(self, obj) -> None:
        if ids := self.people_on_record_page(obj):
            saw(obj, people=ids)

    def _saw_record_by_id(self, request, object_id) -> None:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            self._saw_record(obj)

    @logs_access
    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            saw(model=self.model, people=self.people_of(changelist.result_list))
        return response

    @logs_access
    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, extra_context)

    @logs_access
    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._saw_record_by_id(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    @logs_access
    def delete_view(self, request, object_id, extra_context=None):
        self._saw_record_by_id(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    @logs_access
    def history_view(self, request, object_id, extra_context=None):
        self._saw_record_by_id(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """The delete page (and the bulk delete's) lists every record deleted with the chosen ones,
        and any that stop it: the people of each are shown."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        by_model = defaultdict(list)
        for model, instances in collector.model_objs.items():
            by_model[model] += instances
        for obj in collector.protected:
            by_model[type(obj)].append(obj)
        for model, instances in by_model.items():
            model_admin = self.admin_site._registry.get(model)
            if isinstance(model_admin, AccessLoggedAdmin):
                saw(model=self.model, people=model_admin.people_of(instances))
        return super().get_deleted_objects(objs, request)

    def log_addition(self, request, obj, message):
        self._saw_record(obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._saw_record(obj)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        saw(model=self.model, people=self.people_of(queryset))
        return super().log_deletions(request, queryset)


def _accepted_by(field, values) -> list:
    """The values a model field can take (an id field refuses text): the others could only make a
    query raise."""
    accepted = []
    for value in values:
        try:
            field.to_python(value)
        except ValidationError:
            continue
        accepted.append(value)
    return accepted


class _KnownIdsOnly:
    """Django's autocomplete widget looks the submitted value up again to show it: text where an id
    belongs made that query raise, so a bad form answered 500 rather than its field's error. Only
    values the related key accepts are looked up; the field still says the choice is invalid."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        key = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        return super().optgroups(name, _accepted_by(key, value), attr)


class KnownIdsAutocompleteSelect(_KnownIdsOnly, AutocompleteSelect):
    pass


class KnownIdsAutocompleteSelectMultiple(_KnownIdsOnly, AutocompleteSelectMultiple):
    pass


class KnownIdsAutocomplete:
    """`autocomplete_fields` drawn with the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownIdsAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KnownIdsAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RecordFieldsMixin:
    """Shows public id, creator and timestamps read-only, after any declared read-only fields."""

    def get_readonly_fields(self, request, obj=None):
        declared = tuple(super().get_readonly_fields(request, obj))
        return declared + tuple(name for name in _record_fields(self.model) if name not in declared)


class SchemeModelAdmin(
    AccessLoggedAdmin, SchemeManagerPermissions, KnownIdsAutocomplete, RecordFieldsMixin, admin.ModelAdmin
):
    list_per_page = 50
    show_full_result_count = False  # one COUNT(*) less on every filtered changelist

    def response_action(self, request, queryset):
        """Django filters the change list by the ticked ids as sent, so a value that is no id (a
        tampered form) made an action answer 500: such values are dropped, as if not ticked."""
        ticked = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        known = _accepted_by(self.model._meta.pk, ticked)
        if len(known) != len(ticked):
            request.POST = request.POST.copy()
            request.POST.setlist(helpers.ACTION_CHECKBOX_NAME, known)
        return super().response_action(request, queryset)

    def save_model(self, request, obj, form, change):
        _stamp_creator(obj, request.user)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            _stamp_creator(inline_form.instance, request.user)
        super().save_formset(request, form, formset, change)


class SchemeTabularInline(
    SchemeManagerPermissions, KnownIdsAutocomplete, RecordFieldsMixin, admin.TabularInline
):
    extra = 0
    show_change_link = True


class SchemeStackedInline(
    SchemeManagerPermissions, KnownIdsAutocomplete, RecordFieldsMixin, admin.StackedInline
):
    extra = 0
