"""Funding lines and comparator unit costs: the money side of the evaluation."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from iom_housing.db import TimeStamped


class Funding(TimeStamped):
    """A grant or contribution that pays for the scheme."""

    class Kind(models.TextChoices):
        GRANT = "grant", _("Grant")
        MATCH = "match", _("Match funding")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    funder = models.CharField(_("funder"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GRANT)
    amount = models.DecimalField(_("amount (£)"), max_digits=12, decimal_places=2)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["starts_on", "name"]
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="funding_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (£{self.amount:,.2f})"


class UnitCost(TimeStamped):
    """A comparator cost (a night in custody, a recall) used to estimate costs avoided, with its source."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount (£)"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("per"), max_length=60, help_text=_("For example: night, recall, arrest."))
    source = models.CharField(_("source"), max_length=300)
    source_date = models.DateField(_("date of source"))
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit cost")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="unitcost_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.name}: £{self.amount:,.2f} per {self.unit}"
