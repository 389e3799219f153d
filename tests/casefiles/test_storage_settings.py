"""The documents' storage chosen by DOCUMENT_STORAGE: the filesystem under MEDIA_ROOT by default,
an S3-compatible bucket (django-storages) when asked, a clear error for anything else."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Builds the storage as the app would (no network: S3Storage connects on first use).
SHOW_STORAGE = """
import json, django
from django.conf import settings
django.setup()
from casefiles.storage import document_storage
storage = document_storage()
print(json.dumps({
    "class": type(storage).__name__,
    "location": str(getattr(storage, "location", "")),
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "region": getattr(storage, "region_name", None),
    "acl": getattr(storage, "default_acl", None),
    "overwrite": getattr(storage, "file_overwrite", None),
    "max_bytes": settings.DOCUMENT_MAX_BYTES,
}))
"""


def _storage(**env) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "iom_housing.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", SHOW_STORAGE],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_default_is_the_filesystem_under_the_project_with_no_public_address():
    result = _storage()
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["class"] == "FileSystemStorage"
    assert shown["location"] == str(ROOT / ".data" / "media" / "documents")
    assert shown["max_bytes"] == 10 * 1024 * 1024


def test_s3_uses_django_storages_with_the_bucket_endpoint_and_region():
    result = _storage(
        DOCUMENT_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="iom-case-files",
        AWS_S3_ENDPOINT_URL="https://objects.example.invalid",
        AWS_S3_REGION_NAME="eu-west-2",
        DOCUMENT_MAX_BYTES="5000000",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert (shown["class"], shown["bucket"], shown["endpoint"], shown["region"]) == (
        "S3Storage",
        "iom-case-files",
        "https://objects.example.invalid",
        "eu-west-2",
    )
    assert (shown["acl"], shown["overwrite"], shown["max_bytes"]) == ("private", False, 5_000_000)


def test_s3_without_a_bucket_or_an_unknown_storage_is_refused_clearly():
    assert "needs AWS_STORAGE_BUCKET_NAME" in _storage(DOCUMENT_STORAGE="s3").stderr
    assert "DOCUMENT_STORAGE must be filesystem or s3" in _storage(DOCUMENT_STORAGE="ftp").stderr
    assert "DOCUMENT_MAX_BYTES must be 1 or more" in _storage(DOCUMENT_MAX_BYTES="0").stderr
