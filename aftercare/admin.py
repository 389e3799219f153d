"""Admin for the rent deposit funds and the landlord register (no one on the scheme is named
here). Deposits and follow-up checks are changed through their pages, which keep the rules."""

from django.contrib import admin

from aftercare.models import DepositFund, FundTopUp, Landlord, LandlordProperty
from iom_housing.admin import SchemeModelAdmin, SchemeTabularInline


class FundTopUpInline(SchemeTabularInline):
    model = FundTopUp
    fields = ("amount", "received_on", "source")
    extra = 0


@admin.register(DepositFund)
class DepositFundAdmin(SchemeModelAdmin):
    list_display = ("name", "starting_amount", "starts_on")
    inlines = [FundTopUpInline]


class LandlordPropertyInline(SchemeTabularInline):
    model = LandlordProperty
    fields = ("address_line_1", "address_line_2", "town", "postcode")
    extra = 0


@admin.register(Landlord)
class LandlordAdmin(SchemeModelAdmin):
    list_display = ("name", "contact_name", "phone", "email", "active")
    list_filter = ("active",)
    search_fields = ("name", "contact_name")
    inlines = [LandlordPropertyInline]
