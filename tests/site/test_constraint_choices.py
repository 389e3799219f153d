"""Status lists in the database's rules come from the models' choices, never retyped: every value a
check constraint, exclusion constraint, unique constraint or partial index compares a field with
choices to is a member of that field's choices enum (so renaming or dropping a status is a change
to one enum, and Python fails loudly if a constraint still names it)."""

import enum

from django.apps import apps
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import Combinable


def _comparisons(condition):
    """Each (lookup, value) a Q compares, however deeply nested. A condition written as an
    expression (`LessThanOrEqual(F("a"), F("b"))`) compares fields with each other, not choices."""
    if not isinstance(condition, Q):
        return
    for child in condition.children:
        if isinstance(child, Q):
            yield from _comparisons(child)
        else:
            yield child


def _field(model, lookup):
    """The field a lookup ("status__in", "placement__status") compares, or None for a transform."""
    field = None
    for part in lookup.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except Exception:  # a lookup or transform ("in", "isnull", "gte"): the field is found
            break
        if field.is_relation and field.related_model is not None:
            model = field.related_model
    return field


def _conditions():
    for model in apps.get_models():
        for rule in [*model._meta.constraints, *model._meta.indexes]:
            condition = getattr(rule, "condition", None)
            if condition is not None:
                yield model, rule.name, condition


def test_constraints_name_choice_values_by_their_enum():
    retyped = []
    checked = 0
    for model, name, condition in _conditions():
        for lookup, value in _comparisons(condition):
            field = _field(model, lookup)
            if field is None or not field.choices or isinstance(value, F | Combinable | bool):
                continue
            if lookup.endswith("__isnull"):
                continue
            values = value if isinstance(value, list | tuple) else [value]
            allowed = {choice for choice, _label in field.flatchoices}
            for one in values:
                checked += 1
                if one == "" and field.blank:
                    continue  # "no value", not a status
                if not isinstance(one, enum.Enum) or one not in allowed:
                    retyped.append(f"{model.__name__}.{name}: {lookup}={one!r}")
    assert retyped == [], "Name these by the choices enum (e.g. Placement.Status.ACTIVE):\n" + "\n".join(
        retyped
    )
    assert checked > 30  # the walk found the status rules (placements, referrals, alerts, ...)
