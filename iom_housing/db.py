"""Database building blocks shared by the apps: range expressions for exclusion constraints,
timestamps, versions, random public ids for people's records, and what erasure clears."""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.contrib.postgres.fields import DateRangeField
from django.contrib.postgres.fields.ranges import BigIntegerRangeField
from django.db import models
from django.db.models import Func, Value
from django.utils.translation import gettext_lazy as _


class DateRange(Func):
    """daterange(start, end, '[)'): half-open, so a stay ending on a day and the next starting
    that day do not overlap. A NULL end is unbounded (an open-ended void)."""

    function = "daterange"
    output_field = DateRangeField()

    def __init__(self, start, end, bounds="[)"):
        super().__init__(start, end, Value(bounds))


class IdRange(Func):
    """int8range(id, id, '[]'): a one-value range, so that an exclusion constraint can test
    equality of a foreign key with GiST alone. Written when the embedded server had no btree_gist;
    every environment has it now (iom_housing migration 0002), and the constraints keep this form."""

    function = "int8range"
    output_field = BigIntegerRangeField()

    def __init__(self, field):
        super().__init__(field, field, Value("[]"))


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A number that a database trigger raises on every change of the row (an ORM save, a bulk
    `.update()`, raw SQL alike), so that a page's form can say which version it was shown from
    and the service can refuse a change made on an older one (docs/adr/006-stale-form-basis.md)."""

    version = models.PositiveIntegerField(_("version"), default=1, db_default=1, editable=False)

    class Meta:
        abstract = True


class PublicId(models.Model):
    """A random id for URLs, so that people's records are not numbered in order."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


# What erasure leaves in a text field the database requires to be filled.
ERASED = "[erased]"


@dataclass(frozen=True)
class Erasure:
    """How erasing a person (`audit.services.offender_erase`) clears a model's rows about them,
    declared on the model as `ERASURE` beside the fields it names.

    `person` is the lookup from the model to the person's id (`"placement__offender_id"`).
    `fields` maps each field that can hold their personal data to what it is left as: a value or
    an expression (one UPDATE for all their rows), or a function of the row (set row by row). A
    field of a model about a person that is neither here nor kept on purpose fails
    tests/audit/test_erasure_fields.py. Erasure deletes the model's change history of those rows too.
    """

    person: str
    fields: Mapping[str, object | Callable[[models.Model], object]]
