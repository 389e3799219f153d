"""A report file made in the background is handed over only while its maker's role allows its
version: the right is checked when the file is downloaded, not only when it was asked for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from iom_housing.access import Role
from reports.models import ReportDownload, ReportExport
from reports.services import export_make
from tests.reports import scenario

pytestmark = pytest.mark.django_db


def _file(user, audience: str) -> ReportExport:
    """A named (or OPCC) file of March, made for `user` as the background task makes it."""
    export = ReportExport.objects.create(
        requested_by=user,
        audience=audience,
        start=scenario.START,
        end=scenario.END,
        format="csv",
        expires_at=timezone.now() + timedelta(hours=24),
    )
    return export_make(export_id=export.pk)


def _move(user, role: Role) -> None:
    membership = user.membership
    membership.role = role
    membership.save()


def test_an_officer_moved_to_the_opcc_cannot_download_the_named_file_they_made(
    iom_officer_client, iom_officer, security_log
):
    scenario.build()
    export = _file(iom_officer, "officer")
    assert export.status == ReportExport.Status.READY and len(export.offender_ids) == 3
    _move(iom_officer, Role.OPCC_ANALYST)
    assert iom_officer_client.get(f"/reports/exports/{export.pk}/file/").status_code == 403
    assert iom_officer_client.get(f"/reports/exports/{export.pk}/").status_code == 403
    # Nothing was handed over, so nothing is logged as an export of the people in it.
    assert not ReportDownload.objects.exists()
    assert not AccessLogEntry.objects.filter(action=AccessLogEntry.Action.EXPORT).exists()
    refused = [r.security for r in security_log.records if r.getMessage() == "access_refused"]
    assert [r["rule"] for r in refused] == ["can_user_view_report_version"] * 2


def test_an_officer_moved_to_the_opcc_still_downloads_an_opcc_file_they_made(iom_officer_client, iom_officer):
    scenario.build()
    export = _file(iom_officer, "published")
    _move(iom_officer, Role.OPCC_ANALYST)
    response = iom_officer_client.get(f"/reports/exports/{export.pk}/file/")
    assert response.status_code == 200
    assert ReportDownload.objects.get().audience == "published"


def test_a_named_file_is_downloaded_while_the_right_lasts(iom_officer_client, iom_officer):
    scenario.build()
    export = _file(iom_officer, "officer")
    _move(iom_officer, Role.SCHEME_MANAGER)  # still allowed the named version
    assert iom_officer_client.get(f"/reports/exports/{export.pk}/file/").status_code == 200
