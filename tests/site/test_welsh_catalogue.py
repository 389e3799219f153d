"""The Welsh catalogues are complete: every message of the Python and template catalogue (django)
and the JavaScript one (djangojs) has its Welsh, all six plural forms where it has plurals, none
fuzzy, and the catalogues hold what `make messages` would gather from the sources today, so that
no change can add English-only text. (The six forms are CLDR's for Welsh: the header's
Plural-Forms is checked too.)"""

import ast

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


EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _names_imported(tree, which) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if which(alias.name)
    }


def _is_message(node, lazy: set[str]) -> bool:
    """A lazy message: a gettext_lazy call, or a constant holding one (`…_NOTE`, `…_TEXT`, and any
    UPPER_CASE name given to `str()`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in lazy
    return isinstance(node, ast.Name) and node.id.isupper() and node.id.endswith(("NOTE", "TEXT"))


def _translates(node, eager: set[str], lazy: set[str]) -> bool:
    """A call of gettext (or its kind); `str()` of a CONSTANT; or a lazy message joined (`+`) or
    filled in (`%`): each makes the message text in the language active at the time."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name, args = node.func.id, node.args
        return name in eager or (
            name == "str" and bool(args) and isinstance(args[0], ast.Name) and args[0].id.isupper()
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_message(node.left, lazy) or _is_message(node.right, lazy)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_message(node.left, lazy)
    return False


def _import_time_translations(path) -> list[int]:
    """Lines of `path` that translate when the module is imported (at module or class level, or in
    a decorator's arguments: `@metric(_("…") + NOTE)`): the text is then fixed in whatever
    language was active at import, English, for every reader. Function bodies run later."""
    tree = ast.parse(path.read_text())
    eager = _names_imported(tree, lambda name: name in EAGER)
    lazy = _names_imported(tree, lambda name: name.endswith("_lazy"))
    lines = []

    def visit(node) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                for evaluated_now in [*child.decorator_list, *child.args.defaults]:
                    check(evaluated_now)
                continue
            if not isinstance(child, ast.Lambda):
                check(child)

    def check(node) -> None:
        if _translates(node, eager, lazy):
            lines.append(node.lineno)
        visit(node)

    visit(tree)
    return lines


def test_no_message_is_translated_when_its_module_is_imported():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    skip = {".venv", "node_modules", "migrations", "tests", "static", "staticfiles"}
    found = [
        f"{path.relative_to(root)}:{line}"
        for path in sorted(root.rglob("*.py"))
        if not skip & set(path.relative_to(root).parts)
        for line in _import_time_translations(path)
    ]
    assert not found, (
        "Translated once, at import (use gettext_lazy, and reports.metrics.registry.joined or "
        "interpolated to join or fill in messages): " + ", ".join(found)
    )


def test_the_import_time_check_finds_each_kind(tmp_path):
    module = tmp_path / "module.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        "from django.utils.translation import gettext_lazy\n"
        "A = {'x': _('Eager')}\n"
        "B = gettext_lazy('Lazy')\n"
        "class C:\n"
        "    text: str = str(B)\n"
        "def f():\n"
        "    return _('At call time') + gettext_lazy('and joined then')\n"
        "@register(gettext_lazy('Joined at import: ') + B)\n"
        "def g(text=gettext_lazy('Filled in at import: %(x)s') % {'x': 1}):\n"
        "    return B + gettext_lazy('joined at call time')\n"
    )
    assert _import_time_translations(module) == [3, 6, 9, 10]
