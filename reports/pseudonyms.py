"""Pseudonyms for the evaluation version's person-level rows: a keyed hash (HMAC-SHA256) of the
person's internal id with the secret setting REPORT_PSEUDONYM_KEY, written `P-` and 10 base32
characters (50 bits). The same key gives a person the same pseudonym in every report, so an
evaluator can follow outcomes over time; without the key it cannot be traced back to the id."""

import base64
import hashlib
import hmac

from django.conf import settings

MIN_KEY_LENGTH = 32
# For DEBUG and tests only: public, so `manage.py check --deploy` refuses a production without a key.
DEVELOPMENT_KEY = "development-only-report-pseudonym-key-not-secret"


def pseudonym(offender_id: int, key: str | None = None) -> str:
    secret = (key if key is not None else settings.REPORT_PSEUDONYM_KEY) or DEVELOPMENT_KEY
    digest = hmac.new(secret.encode(), f"offender:{offender_id}".encode(), hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest).decode()[:10]
