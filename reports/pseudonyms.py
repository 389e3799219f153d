"""Pseudonyms for the evaluation version's person-level rows: a keyed hash (HMAC-SHA256) of the
person's internal id with the secret setting REPORT_PSEUDONYM_KEY, written `P-` and 10 base32
characters (50 bits). The same key gives a person the same pseudonym in every report, so an
evaluator can follow outcomes over time; without the key it cannot be traced back to the id."""

import base64
import hmac

from django.conf import settings

MIN_KEY_LENGTH = 32
# For DEBUG and tests only: public, so `manage.py check --deploy` refuses a production without a key.
DEVELOPMENT_KEY = "development-only-report-pseudonym-key-not-secret"


def pseudonym(offender_id: int, key: str | None = None) -> str:
    secret = (key if key is not None else settings.REPORT_PSEUDONYM_KEY) or DEVELOPMENT_KEY
    # hmac.digest: the one-shot (C) HMAC, as a national report makes tens of thousands of these.
    digest = hmac.digest(secret.encode(), f"offender:{offender_id}".encode(), "sha256")
    # The first 10 base32 characters are the digest's first 50 bits: its first 10 bytes give them.
    return "P-" + base64.b32encode(digest[:10]).decode()[:10]
