"""Admin for offenders, their offending and compliance events, and referrals."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from iom_housing.admin import SchemeModelAdmin, SchemeTabularInline
from referrals.models import Need, Offender, OffenderEvent, Referral

RECORD_FIELDSET = (
    _("Record"),
    {"fields": ("public_id", "created_at", "updated_at"), "classes": ("collapse",)},
)


class NeedsField(forms.TypedMultipleChoiceField):
    """The needs pathways as tick boxes, rather than a comma-separated list of codes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Need.choices, required=False, label=_("needs"), **kwargs)


class OffenderForm(forms.ModelForm):
    needs = NeedsField()

    class Meta:
        model = Offender
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose the fields
        help_texts = {"aliases": _("Separate aliases with commas.")}


class ReferralForm(forms.ModelForm):
    needs = NeedsField()

    class Meta:
        model = Referral
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose the fields


class OffenderEventInline(SchemeTabularInline):
    model = OffenderEvent
    fields = ("kind", "occurred_on", "offence_category", "notes")


@admin.register(Offender)
class OffenderAdmin(SchemeModelAdmin):
    people = ("pk",)
    form = OffenderForm
    list_display = (
        "full_name",
        "pnc_id",
        "crn",
        "date_of_birth",
        "iom_category",
        "risk_of_serious_harm",
        "licence_ends_on",
        "officers",
    )
    list_filter = ("iom_category", "risk_of_serious_harm", "gender")
    search_fields = ("first_name", "last_name", "pnc_id", "crn", "prison_number", "public_id__exact")
    autocomplete_fields = ("responsible_officers",)
    inlines = (OffenderEventInline,)
    fieldsets = (
        (None, {"fields": ("first_name", "last_name", "aliases", "date_of_birth", "gender", "ethnicity")}),
        (_("Identifiers"), {"fields": ("pnc_id", "crn", "prison_number")}),
        (_("IOM"), {"fields": ("iom_category", "risk_of_serious_harm", "responsible_officers", "needs")}),
        (
            _("Supervision licence"),
            {"fields": ("licence_starts_on", "licence_ends_on", "licence_conditions")},
        ),
        (_("Safety"), {"fields": ("safety_warnings",)}),
        (
            _("Sharing risks"),
            {
                "fields": (
                    "sexual_risk_to_adults",
                    "sexual_risk_to_children",
                    "arson_history",
                    "violence_to_residents",
                )
            },
        ),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("responsible_officers")

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, offender):
        return offender.full_name

    @admin.display(description=_("responsible officers"))
    def officers(self, offender):
        return ", ".join(
            officer.get_full_name() or officer.get_username()
            for officer in offender.responsible_officers.all()
        )


@admin.register(OffenderEvent)
class OffenderEventAdmin(SchemeModelAdmin):
    people = ("offender",)
    list_display = ("occurred_on", "offender", "kind", "offence_category", "recorded_by")
    list_filter = ("kind", "offence_category")
    list_select_related = ("offender", "recorded_by")
    search_fields = ("offender__first_name", "offender__last_name", "offender__pnc_id", "offender__crn")
    date_hierarchy = "occurred_on"
    autocomplete_fields = ("offender", "recorded_by")


@admin.register(Referral)
class ReferralAdmin(SchemeModelAdmin):
    people = ("offender",)
    form = ReferralForm
    list_display = (
        "offender",
        "external_ref",
        "referring_agency",
        "status",
        "urgency",
        "submitted_at",
        "wanted_from",
        "decided_at",
    )
    list_filter = ("status", "urgency", "decline_reason", "referring_agency")
    list_select_related = ("offender", "referring_agency")
    search_fields = (
        "external_ref",
        "offender__first_name",
        "offender__last_name",
        "offender__pnc_id",
        "offender__crn",
        "public_id__exact",
    )
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("offender", "referring_agency", "submitted_by", "decided_by")
    fieldsets = (
        (None, {"fields": ("offender", "referring_agency", "external_ref", "urgency", "wanted_from")}),
        (_("Needs and risk"), {"fields": ("needs", "risk_summary", "reason")}),
        (_("Submission"), {"fields": ("submitted_at", "submitted_by")}),
        (
            _("Decision"),
            {"fields": ("status", "decided_at", "decided_by", "decline_reason", "decision_notes")},
        ),
        RECORD_FIELDSET,
    )

    def get_queryset(self, request):
        # The referral's name (offender and agency) in autocomplete results.
        return super().get_queryset(request).select_related(*self.list_select_related)


# Not here: the API's idempotency keys (a stored reply to a client's retry) and the referral events
# feed (append-only: the database refuses to change one). They are the API's own bookkeeping, read
# by agencies' case systems through /api/v1/, never repaired by hand.
