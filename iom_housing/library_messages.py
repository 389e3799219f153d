"""Texts that the GOV.UK form library (crispy-forms-gds) writes itself and shows on our pages,
listed here so that `make messages` puts them in the Welsh catalogue: the library ships no Welsh,
and the project's catalogue (LOCALE_PATHS) is read before a library's. Nothing imports this
module; the texts must stay exactly as the library writes them (the API's are in
`iom_housing/api/drf_messages.py`)."""

from django.utils.translation import gettext_noop

GOVUK_FORM_MESSAGES = [
    # The labels of the date input's boxes ("Month" is also one of our own messages).
    gettext_noop("Day"),
    gettext_noop("Month"),
    gettext_noop("Year"),
]
