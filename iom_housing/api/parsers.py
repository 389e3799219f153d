"""The request body parser: JSON refused with a 400 where it would fail later as a 500."""

import logging

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

logger = logging.getLogger(__name__)


# No request of this API nests deeper than 3 levels; 32 leaves room and stops the bodies made to
# exhaust the recursion of every walk over the data (100 kB of `[[[[…` answered 500).
MAX_JSON_DEPTH = 32


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, refusing with a 400 what would otherwise fail later as a 500: nesting
    deeper than MAX_JSON_DEPTH, and strings with a lone surrogate (`"\\ud800"` is valid JSON but not
    Unicode text: it cannot be stored, compared with a choice or echoed in an error). The 400
    names the field that holds it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise _too_deep() from None
        _refuse_unusable_json(data)
        return data


def _too_deep() -> exceptions.ParseError:
    return exceptions.ParseError(
        _("JSON parse error - the body is nested more than %d levels deep.") % MAX_JSON_DEPTH
    )


def _is_text(value: str) -> bool:
    """False for a string holding a lone surrogate (only those cannot be encoded as UTF-8)."""
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _refuse_unusable_json(data) -> None:
    """Walks the parsed body without recursion: too deep, or a name or value that is not text."""
    pending = [(data, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            if not _is_text(value):
                raise exceptions.ValidationError(
                    {path or "body": [_("This is not valid Unicode text (it holds a lone surrogate).")]},
                    code="invalid_unicode",
                )
        elif isinstance(value, dict):
            for name, inner in value.items():
                shown = name if _is_text(name) else name.encode(errors="replace").decode()
                where = f"{path}.{shown}" if path else shown
                if shown != name:
                    pending.append((name, where, depth + 1))
                pending.append((inner, where, depth + 1))
        elif isinstance(value, list):
            pending.extend(
                (inner, f"{path}.{index}" if path else str(index), depth + 1)
                for index, inner in enumerate(value)
            )
