"""Small builders shared by the sinergitas tests (no tests here; imported by the other files)."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from penilaian.models import Assessment, Edition, Group, Indicator
from regions.models import OpdKind, Region
from sinergitas.models import FollowUp, IssueTopic, Meeting, ParticipantKind, Participation

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def make_meeting(
    *codes: str,
    title: str = "Rapat koordinasi",
    date: datetime.date = datetime.date(2025, 3, 10),
    venue: str = "Aula kantor bupati",
    issues: tuple[str, ...] = (),
    participants: tuple[str, ...] = (),
    **fields,
) -> Meeting:
    """A meeting covering the regions ``codes`` (default 19.01)."""
    meeting = Meeting.objects.create(
        title=title, date=date, venue=venue, organiser="DP3ACSKB", **fields
    )
    meeting.regions.set(Region.objects.filter(code__in=codes or ("19.01",)))
    meeting.issues.set(IssueTopic.objects.filter(code__in=issues))
    for code in participants:
        Participation.objects.create(meeting=meeting, kind=ParticipantKind.objects.get(code=code))
    return meeting


def make_followup(
    meeting: Meeting,
    due: datetime.date,
    status: str = FollowUp.Status.OPEN,
    region_code: str = "19.01",
    what: str = "Menyusun rencana aksi",
) -> FollowUp:
    return FollowUp.objects.create(
        meeting=meeting,
        what=what,
        region=region(region_code),
        owner_kind=OpdKind.objects.get(code="dp3akb"),
        due_date=due,
        status=status,
    )


def kla_indicator(year: int = 2025, code: str = "KLA-KL-01") -> Indicator:
    """The KLA indicator ``code`` of ``year`` (from the catalog if loaded, else built here)."""
    edition, _ = Edition.objects.get_or_create(
        program="kla", year=year, defaults={"name": f"KLA {year}", "version": "uji"}
    )
    indicator = Indicator.objects.filter(edition=edition, code=code).first()
    if indicator is not None:
        return indicator
    group, _ = Group.objects.get_or_create(
        edition=edition,
        code="kelembagaan",
        defaults={"name": "Kelembagaan", "order": 1, "max_score": Decimal("200")},
    )
    return Indicator.objects.create(
        edition=edition,
        group=group,
        code=code,
        text="Peraturan daerah tentang KLA",
        order=1,
        kind=Indicator.Kind.SCORE,
        max_score=Decimal("30"),
    )


def make_assessment(region_code: str = "19.01", year: int = 2025, status: str = "draft"):
    """(assessment, indicator) for the KLA edition of ``year`` in ``region_code``."""
    indicator = kla_indicator(year)
    assessment, _ = Assessment.objects.get_or_create(
        edition=indicator.edition, region=region(region_code), defaults={"status": status}
    )
    return assessment, indicator


def pdf_upload(name: str = "notulen.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_upload(name: str, members: dict[str, bytes]) -> SimpleUploadedFile:
    """A zip package with the given members (to build real or fake XLSX/DOCX files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for member, data in members.items():
            package.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


DOCX_MEMBERS = {
    "[Content_Types].xml": (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    ),
    "word/document.xml": b"<w:document/>",
}
