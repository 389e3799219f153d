"""How reports/metrics/ is put together: the registry in the report's order whatever the import
order, and raw SQL that names no table and retypes no model choice (both come from the models)."""

import re
from pathlib import Path

from django.apps import apps

from reports.metrics import REGISTRY, SECTIONS

REPORTS = Path(__file__).resolve().parents[2] / "reports"


def _sources() -> dict[str, str]:
    return {
        str(path.relative_to(REPORTS.parent)): path.read_text()
        for path in sorted(REPORTS.rglob("*.py"))
        if "migrations" not in path.parts
    }


def test_the_registry_lists_the_sections_in_the_report_order():
    """Tables are computed and suppressed in the registry's order (a secondary suppression can
    depend on it), so the section modules' import order must follow SECTIONS."""
    order = list(SECTIONS)
    sections = [m.section for m in REGISTRY.values() if m.key != "comparison"]
    assert sections == sorted(sections, key=order.index)
    assert set(sections) | {"comparison"} == set(SECTIONS)


def test_no_table_name_is_typed_in_reports():
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    typed = [
        (name, table)
        for name, source in _sources().items()
        for table in sorted(tables)
        if re.search(rf"\b{re.escape(table)}\b", source)
    ]
    assert typed == []


def test_no_model_choice_is_retyped_as_an_sql_literal_in_reports():
    values = {
        value
        for model in apps.get_models()
        for field in model._meta.get_fields()
        for value, _label in getattr(field, "choices", None) or []
        if isinstance(value, str)
    }
    retyped = [
        (name, value)
        for name, source in _sources().items()
        for value in sorted(values)
        if f"'{value}'" in source
    ]
    assert retyped == []
