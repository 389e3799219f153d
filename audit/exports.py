"""Subject access files: the same items as JSON (for machines) and PDF (for the person)."""

import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string

from iom_housing.pdf import html_to_pdf


def render_json(*, offender, items: list[dict], generated_at: datetime) -> bytes:
    document = {
        "subject": str(offender.public_id),
        "generated_at": generated_at,
        "items": items,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def _rows(data) -> list[tuple[str, object]]:
    """Nested data flattened to (label, value) rows for the PDF's tables."""
    rows: list[tuple[str, object]] = []
    for key, value in (data or {}).items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for number, entry in enumerate(value, start=1):
                rows.extend((f"{key} {number}: {k}", v) for k, v in _rows(entry))
        elif isinstance(value, dict):
            rows.extend((f"{key}: {k}", v) for k, v in _rows(value))
        else:
            rows.append((key.replace("_", " "), "" if value in (None, "", []) else value))
    return rows


def render_pdf(*, offender, items: list[dict], generated_at: datetime) -> bytes:
    sections = [
        {
            "title": item["title"],
            "redacted": item.get("redacted", False),
            "rows": _rows(item.get("data")),
            "history": item.get("history", []),
        }
        for item in items
    ]
    html = render_to_string(
        "audit/subject_access.pdf.html",
        {"offender": offender, "sections": sections, "generated_at": generated_at},
    )
    return html_to_pdf(html)
