"""Evidence (bukti dukung): content checks, storage under random names, scoped download, links
across programmes, and "evidence missing" on the form."""

import hashlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from penilaian.evidence import store_document, validate_upload
from penilaian.models import Assessment, Document, EvidenceLink
from regions.models import Region
from tests.conftest import start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def started(db):
    """The assessments these tests fill, started as the koordinator would (a GET starts none)."""
    start("kla", "19.01", 2025)
    start("ape", "19.01", 2025)


KLA = "/penilaian/kla/19.01/2025/"
APE = "/penilaian/ape/19.01/2025/"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def office_zip(main_type: str, entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/main" ContentType="{main_type}"/></Types>',
        )
        for name, data in entries.items():
            package.writestr(name, data)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active["A1"] = "Anggaran PUG"
    workbook.save(buffer)
    return buffer.getvalue()


DOCX = office_zip(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    {"word/document.xml": b"<w:document/>"},
)
XLSM = office_zip(
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    {"xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\x00" * 16},
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
PLAIN_ZIP = office_zip("application/xml", {"data.txt": b"hello"})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("perda.pdf", PDF, "application/pdf"),
        ("foto.png", png_bytes(), "image/png"),
        ("foto.JPG", JPEG, "image/jpeg"),
        ("foto.jpeg", JPEG, "image/jpeg"),
        (
            "anggaran.xlsx",
            xlsx_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "sk.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_accepted_types_are_stored_with_their_detected_content_type(
    name, content, content_type, koordinator_bangka, media
):
    validate_upload(upload(name, content))

    document = store_document(
        upload(name, content),
        region=Region.objects.get(code="19.01"),
        title="",
        user=koordinator_bangka,
    )

    assert document.content_type == content_type
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.original_name == name
    assert document.file.name.startswith("evidence/19.01/")
    assert Path(document.file.name).name != name
    assert (media / document.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("surat.pdf", b"Ini hanya teks biasa, bukan PDF.\n" * 10, "content"),
        ("gambar.pdf", png_bytes(), "mismatch"),
        ("perda.docx", PDF, "mismatch"),
        ("kosong.pdf", b"", "empty"),
        ("besar.pdf", PDF + b"0" * (11 * 1024 * 1024), "too_large"),
        ("makro.xlsx", XLSM, "macro"),
        ("makro.xlsm", XLSM, "extension"),
        ("lama.xls", OLE, "extension"),
        ("terkunci.docx", OLE, "ole"),
        ("arsip.xlsx", PLAIN_ZIP, "content"),
        ("skrip.html", b"<script>alert(1)</script>", "extension"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload(name, content))

    assert caught.value.code == code
    assert caught.value.messages[0]


def test_an_eleven_megabyte_file_is_refused_by_size_before_reading_it():
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload("besar.pdf", PDF + b"0" * (11 * 1024 * 1024)))

    assert "11" in caught.value.messages[0] and "10 MB" in caught.value.messages[0]


def open_form(client, user, url=KLA):
    client.force_login(user)
    assert client.get(url).status_code == 200
    return Assessment.objects.get(
        edition__program=url.split("/")[2], edition__year=2025, region__code="19.01"
    )


def test_operator_uploads_a_pdf_for_their_indicator_and_the_form_no_longer_says_missing(
    client, operator_dinkes_bangka, media
):
    assessment = open_form(client, operator_dinkes_bangka)
    missing = gettext("evidence missing")
    before = client.get(KLA).text
    assert 'id="ind-KLA-3-09"' in before
    assert missing in before.split('id="ind-KLA-3-09"')[1].split("</article>")[0]

    response = client.post(
        KLA + "bukti/",
        {
            "file": upload("ktr.pdf", PDF),
            "title": "Perbup Kawasan Tanpa Rokok",
            "indicators": ["KLA-3-09"],
        },
    )

    assert response.status_code == 302
    link = EvidenceLink.objects.get(assessment=assessment)
    assert (link.indicator.code, link.document.title) == ("KLA-3-09", "Perbup Kawasan Tanpa Rokok")
    assert link.created_by == operator_dinkes_bangka
    after = client.get(KLA).text
    row = after.split('id="ind-KLA-3-09"')[1].split("</article>")[0]
    assert missing not in row and "Perbup Kawasan Tanpa Rokok" in row


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("surat.pdf", b"Ini hanya teks biasa, bukan PDF.\n" * 10),
        ("besar.pdf", PDF + b"0" * (11 * 1024 * 1024)),
        ("kosong.pdf", b""),
    ],
)
def test_bad_upload_through_the_page_shows_the_reason_and_stores_nothing(
    client, operator_dinkes_bangka, media, name, content
):
    open_form(client, operator_dinkes_bangka)
    with pytest.raises(ValidationError) as expected:
        validate_upload(upload(name, content))

    response = client.post(
        KLA + "bukti/",
        {"file": upload(name, content), "title": "x", "indicators": ["KLA-3-09"]},
    )

    assert response.status_code == 400
    assert expected.value.messages[0] in response.text
    assert Document.objects.count() == 0
    assert EvidenceLink.objects.count() == 0
    assert not any(path.is_file() for path in Path(media).rglob("*"))


def test_operator_cannot_attach_evidence_to_another_opds_indicator(
    client, operator_dinkes_bangka, media
):
    open_form(client, operator_dinkes_bangka)

    response = client.post(
        KLA + "bukti/",
        {"file": upload("a.pdf", PDF), "indicators": ["KLA-3-09", "KLA-4-01"]},
    )

    assert response.status_code == 403
    assert Document.objects.count() == 0 and EvidenceLink.objects.count() == 0


def test_one_document_backs_ape_komitmen_and_kla_kelembagaan(client, koordinator_bangka):
    open_form(client, koordinator_bangka, APE)
    client.post(
        APE + "bukti/",
        {
            "file": upload("perda-kla.pdf", PDF),
            "title": "Perda KLA",
            "indicators": ["APE-KOM-01", "APE-KEB-01"],
        },
    )
    document = Document.objects.get()
    open_form(client, koordinator_bangka, KLA)

    response = client.post(KLA + "bukti/", {"document": document.pk, "indicators": ["KLA-KL-01"]})

    assert response.status_code == 302
    assert Document.objects.count() == 1
    assert sorted(
        EvidenceLink.objects.values_list("assessment__edition__program", "indicator__code")
    ) == [("ape", "APE-KEB-01"), ("ape", "APE-KOM-01"), ("kla", "KLA-KL-01")]


def test_a_document_of_another_region_cannot_be_linked(
    client, koordinator_bangka, koordinator_belitung
):
    other = store_document(
        upload("b.pdf", PDF),
        region=Region.objects.get(code="19.02"),
        title="Belitung",
        user=koordinator_belitung,
    )
    open_form(client, koordinator_bangka)

    response = client.post(KLA + "bukti/", {"document": other.pk, "indicators": ["KLA-KL-01"]})

    assert response.status_code == 400
    assert EvidenceLink.objects.count() == 0


def test_download_is_an_attachment_with_nosniff_and_only_within_scope(
    client, koordinator_bangka, koordinator_belitung, verifikator, unassigned_user
):
    open_form(client, koordinator_bangka)
    client.post(KLA + "bukti/", {"file": upload("perda.pdf", PDF), "indicators": ["KLA-KL-01"]})
    document = Document.objects.get()
    url = f"/penilaian/dokumen/{document.pk}/"

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="perda.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"

    client.force_login(verifikator)
    assert client.get(url).status_code == 200
    for outsider in (koordinator_belitung, unassigned_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_another_regions_officer_cannot_upload_or_unlink(
    client, koordinator_bangka, koordinator_belitung, media
):
    open_form(client, koordinator_bangka)
    client.post(KLA + "bukti/", {"file": upload("perda.pdf", PDF), "indicators": ["KLA-KL-01"]})
    link = EvidenceLink.objects.get()
    client.force_login(koordinator_belitung)

    upload_response = client.post(
        KLA + "bukti/", {"file": upload("x.pdf", PDF), "indicators": ["KLA-KL-01"]}
    )
    unlink_response = client.post(f"{KLA}bukti/{link.pk}/hapus/")

    assert (upload_response.status_code, unlink_response.status_code) == (404, 404)
    assert Document.objects.count() == 1
    assert list(EvidenceLink.objects.all()) == [link]


def test_unlinking_keeps_the_document_and_is_in_the_history(
    client, koordinator_bangka, operator_dinkes_bangka
):
    open_form(client, koordinator_bangka)
    client.post(
        KLA + "bukti/",
        {"file": upload("a.pdf", PDF), "title": "Dokumen A", "indicators": ["KLA-KL-01"]},
    )
    link = EvidenceLink.objects.get()

    client.force_login(operator_dinkes_bangka)
    assert client.post(f"{KLA}bukti/{link.pk}/hapus/").status_code == 403
    client.force_login(koordinator_bangka)
    assert client.post(f"{KLA}bukti/{link.pk}/hapus/").status_code == 302

    assert EvidenceLink.objects.count() == 0
    assert Document.objects.count() == 1
    history = client.get(KLA).text.split('id="riwayat"')[1]
    assert history.count("Dokumen A") == 2  # linked, then removed


def test_evidence_cannot_change_while_the_assessment_is_submitted(
    client, koordinator_bangka, media
):
    open_form(client, koordinator_bangka)
    client.post(KLA + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})

    response = client.post(
        KLA + "bukti/", {"file": upload("a.pdf", PDF), "indicators": ["KLA-KL-01"]}
    )

    assert response.status_code == 409
    assert Document.objects.count() == 0
