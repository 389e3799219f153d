"""What a file is, judged by its first bytes (its "magic"), never by its name or the type the
browser says: a file named `report.pdf` holding an HTML page must not be kept as a PDF."""

import zipfile
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
PNG = FileType("image/png", ".png", "PNG")
JPEG = FileType("image/jpeg", ".jpg", "JPEG")
DOCX = FileType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "Word (DOCX)"
)
ODT = FileType("application/vnd.oasis.opendocument.text", ".odt", "OpenDocument text (ODT)")

ACCEPTED = (PDF, PNG, JPEG, DOCX, ODT)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in ACCEPTED}
CONTENT_TYPE_CHOICES = [(kind.content_type, kind.label) for kind in ACCEPTED]
ACCEPTED_LABELS = _("PDF, PNG, JPEG, Word (DOCX) or OpenDocument text (ODT)")

# A word processor's file is a ZIP: these say which kind. The ODT's first entry must be named
# `mimetype`, stored uncompressed, holding its type (the OpenDocument specification, 3.3).
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# A ZIP of documents has a few dozen entries; one with thousands is not a document.
_MAX_ZIP_ENTRIES = 2000


def detect(file: IO[bytes]) -> FileType | None:
    """The accepted type the file's content is, or None. Leaves the file at its start."""
    file.seek(0)
    head = file.read(256)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _office_document(file, head)
        return None
    finally:
        file.seek(0)


def _office_document(file: IO[bytes], head: bytes) -> FileType | None:
    # The first local header (ZIP specification 4.3.7): the entry's name at offset 30, then its
    # extra field, then its content, stored uncompressed in an ODT.
    name_length = int.from_bytes(head[26:28], "little")
    extra_length = int.from_bytes(head[28:30], "little")
    content = 30 + name_length + extra_length
    if (
        head[30 : 30 + name_length] == b"mimetype"
        and head[content : content + len(_ODT_MIMETYPE)] == _ODT_MIMETYPE
    ):
        return ODT
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if len(names) > _MAX_ZIP_ENTRIES:
        return None
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    return None
