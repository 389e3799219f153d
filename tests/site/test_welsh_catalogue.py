"""The Welsh catalogues are complete: every message of the Python and template catalogue (django)
and the JavaScript one (djangojs) has its Welsh, all six plural forms where it has plurals, none
fuzzy, and the catalogues hold what `make messages` would gather from the sources today, so that
no change can add English-only text. (The six forms are CLDR's for Welsh: the header's
Plural-Forms is checked too.)"""

import pytest

from tests.site.catalogue import DOMAINS, WELSH, Entry, catalogue, fresh_catalogue_keys, problems, read_po

SHOWN = 10  # the first few named in a failure


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_has_its_welsh_and_none_is_fuzzy(domain):
    entries = catalogue(domain)
    wrong = problems(entries)
    assert not wrong, (
        f"{len(wrong)} of {len(entries)} messages in locale/cy/LC_MESSAGES/{domain}.po are not ready "
        f"(translate them: docs/welsh-glossary.md), the first: " + "; ".join(wrong[:SHOWN])
    )


def test_the_catalogues_hold_what_make_messages_would_gather_today(tmp_path):
    fresh = fresh_catalogue_keys(tmp_path)
    for domain in DOMAINS:
        held = {entry.key for entry in catalogue(domain)}
        new = sorted(fresh[domain] - held, key=str)
        gone = sorted(held - fresh[domain], key=str)
        assert not new, f"{domain}: run `make messages` and translate: {[msgid for _, msgid in new[:SHOWN]]}"
        assert not gone, (
            f"{domain}: run `make messages` (no longer used: {[msgid for _, msgid in gone[:SHOWN]]})"
        )


def test_the_catalogues_declare_welsh_and_its_six_plural_forms():
    for domain in DOMAINS:
        header = (WELSH / f"{domain}.po").read_text(encoding="utf-8").split("\n\n", 1)[0]
        flat = header.replace('"\n"', "")
        assert "Language: cy\\n" in flat
        assert (
            "Plural-Forms: nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : (n==3) ? 3 : (n==6) ? 4 : 5;"
        ) in flat
        assert "#, fuzzy" not in header  # a fuzzy header is dropped by msgfmt, plural rule and all


def test_the_check_names_a_missing_a_fuzzy_and_a_short_plural_message(tmp_path):
    """The guard itself: a catalogue with one message of each kind of fault, and one good."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: cy\\n"\n\n'
        'msgid "Sign in"\nmsgstr "Mewngofnodi"\n\n'
        '#: templates/base.html:1\nmsgid "Sign out"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Save"\nmsgstr "Cadw"\n\n'
        'msgctxt "time of day"\nmsgid "am"\nmsgstr "yb"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s diwrnod"\nmsgstr[1] "%(n)s diwrnod"\n\n'
        'msgid ""\n"A long message "\n"on two lines"\nmsgstr ""\n"Neges hir "\n"ar ddwy linell"\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = read_po(po)
    assert [entry.key for entry in entries] == [
        (None, "Sign in"),
        (None, "Sign out"),
        (None, "Save"),
        ("time of day", "am"),
        (None, "%(n)s day"),
        (None, "A long message on two lines"),
    ]
    assert entries[-1].msgstr == "Neges hir ar ddwy linell"
    assert problems(entries) == [
        "'Sign out' (no Welsh)",
        "'Save' (fuzzy)",
        "'%(n)s day' (no Welsh for plural forms [2, 3, 4, 5])",
    ]
    assert Entry(msgid="x", msgstr="y").problem() is None
