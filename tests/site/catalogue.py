"""Reading the Welsh catalogues (gettext .po files) for the tests that guard them: a small reader
of the format `makemessages` writes (no library needed), and the checks."""

import ast
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WELSH = ROOT / "locale" / "cy" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
WELSH_PLURALS = 6  # CLDR: zero, one, two, few (3), many (6), other


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    plural_forms: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def problem(self) -> str | None:
        """Why this entry is not ready (None when it is)."""
        if self.fuzzy:
            return "fuzzy"
        if self.msgid_plural is not None:
            missing = [n for n in range(WELSH_PLURALS) if not self.plural_forms.get(n)]
            return f"no Welsh for plural forms {missing}" if missing else None
        return None if self.msgstr else "no Welsh"


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") left out."""
    entries: list[Entry] = []
    entry, last = Entry(), None

    def finish() -> None:
        nonlocal entry, last
        if last is not None and entry.msgid and not entry.obsolete:
            entries.append(entry)
        entry, last = Entry(), None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in [flag.strip() for flag in line[2:].split(",")]
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
        else:
            keyword, _, quoted = line.partition(" ")
            if last is not None and keyword in ("msgctxt", "msgid") and last.startswith("msgstr"):
                finish()
            last, value = keyword, ast.literal_eval(quoted)
            if keyword.startswith("msgstr["):
                entry.plural_forms[int(keyword[7:-1])] = ""
        if last == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + value
        elif last == "msgid":
            entry.msgid += value
        elif last == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif last == "msgstr":
            entry.msgstr += value
        elif last is not None and last.startswith("msgstr["):
            number = int(last[7:-1])
            entry.plural_forms[number] = entry.plural_forms.get(number, "") + value
    finish()
    return entries


def problems(entries: list[Entry]) -> list[str]:
    return [f"{entry.msgid!r} ({problem})" for entry in entries if (problem := entry.problem())]


def catalogue(domain: str = "django") -> list[Entry]:
    path = WELSH / f"{domain}.po"
    return read_po(path) if path.exists() else []


def fresh_catalogue_keys(tmp_path: Path) -> dict[str, set]:
    """The messages `make messages` would write now, per domain: the project's sources copied to
    `tmp_path` with its catalogues, and makemessages run there (the real files untouched)."""
    listed = subprocess.run(  # noqa: S603
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if name.startswith(("tests/", "bench/", "docs/")):
            continue
        if source.is_file() and (
            source.suffix in (".py", ".html", ".txt", ".js", ".po") or name == "manage.py"
        ):
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    keys = {}
    for domain in DOMAINS:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "--locale",
                "cy",
                "--domain",
                domain,
                "--no-obsolete",
                *("--ignore", "tests", "--ignore", "bench", "--ignore", "static/build"),
            ],
            cwd=tmp_path,
            capture_output=True,
            check=True,
            env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "DATABASE_URL": "postgres://unused@localhost/unused"},
        )
        path = tmp_path / "locale" / "cy" / "LC_MESSAGES" / f"{domain}.po"
        keys[domain] = {entry.key for entry in read_po(path)} if path.exists() else set()
    return keys
