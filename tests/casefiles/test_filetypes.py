"""A file's type is judged by its first bytes, never its name or the browser's word."""

import io

import pytest

from casefiles.filetypes import DOCX, JPEG, ODT, PDF, PNG, detect
from tests.casefiles.helpers import JPEG_BYTES, PDF_BYTES, PNG_BYTES, docx_bytes, odt_bytes, plain_zip_bytes


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF_BYTES, PDF),
        (PNG_BYTES, PNG),
        (JPEG_BYTES, JPEG),
        (docx_bytes(), DOCX),
        (odt_bytes(), ODT),
        # Not accepted: a web page, a script, a plain ZIP, a truncated ZIP, nothing, a near miss.
        (b"<!DOCTYPE html><html><script>alert(1)</script></html>", None),
        (b"#!/bin/sh\nrm -rf /\n", None),
        (plain_zip_bytes(), None),
        (b"PK\x03\x04" + b"\x00" * 20, None),
        (b"", None),
        (b"%PD", None),
        (b"\x89PNG", None),
    ],
)
def test_types_are_told_by_their_content(content, expected):
    file = io.BytesIO(content)
    assert detect(file) == expected
    assert file.tell() == 0  # left at its start, for the storage to read it whole
