"""How people's names and PNC IDs are compared: the duplicate check, People search and the API's
matching all go through here, so "Sion Carter" finds "Siôn Carter" everywhere or nowhere.

A name is *folded* before it is compared: letters with a circumflex, diaeresis, acute or grave
(Welsh's ô, ŵ, ŷ, ï …, and the accents of names from elsewhere) lose their accent and everything
is lower case. The same fold is the SQL function `iom_fold` (migration 0012), whose indexes make
the comparisons index-backed at national scale; a test checks the two agree letter for letter.
The fold is a plain character-for-character `translate`, so it depends on no locale of the
database and can be IMMUTABLE (indexable).

First names also have *variants*: Welsh and English forms of one name that officers type for each
other (Dafydd/David, Siôn/John, Gwilym/William …). Two first names match when their folded forms
are in one group. The groups are the common Welsh–English equivalents (kept short on purpose:
each group widens the duplicate check's question and People search, never narrows it).
"""

import re
from datetime import date

from django.db.models import Func, TextField

# Each character of FOLD_FROM becomes the one at the same place in FOLD_TO.
_ACCENTED = {
    "a": "âäáàãå",
    "e": "êëéè",
    "i": "îïíì",
    "o": "ôöóòõ",
    "u": "ûüúù",
    "w": "ŵẅẃẁ",
    "y": "ŷÿýỳ",
    "c": "ç",
    "n": "ñ",
}
FOLD_FROM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(
    accented + accented.upper() for accented in _ACCENTED.values()
)
FOLD_TO = "abcdefghijklmnopqrstuvwxyz" + "".join(
    base * (2 * len(accented)) for base, accented in _ACCENTED.items()
)
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)

# Welsh and English forms of the same first name, folded. A name is in at most one group.
FIRST_NAME_GROUPS = (
    ("dafydd", "david", "dai", "dave", "dewi"),
    ("sion", "john", "ioan", "ieuan", "ifan", "evan"),
    ("sian", "jane", "jean"),
    ("gwilym", "william", "wil", "will"),
    ("huw", "hugh"),
    ("owain", "owen"),
    ("rhys", "rees", "reece", "reese"),
    ("tomos", "thomas", "tom", "twm"),
    ("iestyn", "justin"),
    ("steffan", "stephen", "steven"),
    ("harri", "harry", "henry"),
    ("siarl", "charles"),
    ("gruffudd", "gruffydd", "griffith"),
    ("rhodri", "roderick"),
    ("emrys", "ambrose"),
    ("iwan", "ivan"),
    ("mair", "mari", "mary"),
    ("catrin", "catherine", "katherine", "cathryn"),
    ("elin", "elen", "ellen", "helen"),
    ("sioned", "janet"),
    ("llyr", "lear"),
)
_GROUP_OF = {name: group for group in FIRST_NAME_GROUPS for name in group}
if len(_GROUP_OF) != sum(len(group) for group in FIRST_NAME_GROUPS):
    raise ValueError("A first name is in two groups of FIRST_NAME_GROUPS")


def fold(text: str) -> str:
    """`text` without accents, in lower case, with its spaces as given (strip it first)."""
    return text.translate(_FOLD_TABLE)


def first_name_forms(first_name: str) -> list[str]:
    """The folded forms a first name matches: itself and its variants, sorted."""
    folded = fold(first_name.strip())
    return sorted(set(_GROUP_OF.get(folded, ()) + (folded,)))


def first_name_key(first_name: str) -> str:
    """One form for all the variants of a first name (the group's first), for locks and tokens."""
    folded = fold(first_name.strip())
    return _GROUP_OF.get(folded, (folded,))[0]


class Folded(Func):
    """`iom_fold(expression)`: the SQL twin of `fold`, which the name indexes are built on."""

    function = "iom_fold"
    output_field = TextField()


# --- PNC IDs -----------------------------------------------------------------------------------

# The full form is the year (4 digits) / the serial number (7 digits, zero-padded) and a check
# letter: 2004/0123456X. Officers also write the short form, a 2-digit year and the serial without
# its leading zeros: 04/123456X, and 08/3749382C for 2008/3749382C.
PNC_SHAPE = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


def pnc_full(value: str, today: date) -> str:
    """A PNC ID in its full form (2008/3749382C), from the full or the short form (08/3749382C),
    upper-cased; anything else is returned as given (upper-cased), for the validator to refuse.
    A 2-digit year is this century's unless that would be in the future (99 → 1999)."""
    value = value.strip().upper()
    found = PNC_SHAPE.match(value)
    if not found:
        return value
    year, serial, check = found.groups()
    if len(year) == 2:
        century = today.year // 100 * 100
        year_number = century + int(year)
        if year_number > today.year:
            year_number -= 100
        year = str(year_number)
    return f"{year}/{int(serial):07d}{check}"
