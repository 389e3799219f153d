"""Where documents are kept: the `casefiles` storage of settings.STORAGES (the filesystem for the
demo and tests, an S3-compatible bucket in production; docs/adr/014-case-files-storage.md)."""

import secrets

from django.core.files.storage import Storage, storages


def document_storage() -> Storage:
    """The documents' storage. A callable, so that a migration names this function, not the
    storage the settings chose on the machine that made it."""
    return storages["casefiles"]


def random_name(extension: str) -> str:
    """A storage key that says nothing about the person or the file: 128 random bits, spread
    over 256 folders so that no folder grows without end on a filesystem."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}{extension}"
