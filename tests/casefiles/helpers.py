"""Files of each kind, made here (a few bytes each), and the scene the case file tests share: a
person referred and supported by one agency, and a worker of that agency and of another."""

import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from iom_housing.access import Role
from placements.models import Placement
from referrals.models import Offender, Referral
from tests.factories import (
    AgencyFactory,
    PlacementFactory,
    ReferralFactory,
    SupportAgencyFactory,
    SupportPlanFactory,
)
from tests.helpers import user_with_role

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def plain_zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", "MZ")
    return buffer.getvalue()


def upload(
    content: bytes = PDF_BYTES, name: str = "Risk assessment.pdf", content_type: str = "application/pdf"
):
    return SimpleUploadedFile(name, content, content_type=content_type)


@dataclass
class Scene:
    person: Offender
    placement: Placement
    officer: object
    manager: object
    own: object  # a worker of the agency that referred and supports the person
    colleague: object  # another worker of that agency
    other: object  # a worker of an agency with nothing to do with them
    opcc: object


def make_scene() -> Scene:
    today = timezone.localdate()
    own_agency = AgencyFactory(name="Probation Ceredigion")
    referral = ReferralFactory(referring_agency=own_agency, status=Referral.Status.ACCEPTED)
    placement = PlacementFactory(
        offender=referral.offender,
        referral=referral,
        status=Placement.Status.ACTIVE,
        starts_on=today - timedelta(days=5),
        arrived_on=today - timedelta(days=5),
        with_term=True,
    )
    SupportAgencyFactory(support_plan=SupportPlanFactory(placement=placement), agency=own_agency)
    return Scene(
        person=referral.offender,
        placement=placement,
        officer=user_with_role(
            Role.IOM_OFFICER, AgencyFactory(kind="police", name="Dyfed-Powys Police IOM"), first_name="Ffion"
        ),
        manager=user_with_role(Role.SCHEME_MANAGER),
        own=user_with_role(Role.AGENCY_WORKER, own_agency, first_name="Siân", last_name="Prydderch"),
        colleague=user_with_role(Role.AGENCY_WORKER, own_agency),
        other=user_with_role(Role.AGENCY_WORKER, AgencyFactory(name="Elsewhere")),
        opcc=user_with_role(Role.OPCC_ANALYST, AgencyFactory(kind="commissioner", name="OPCC")),
    )
