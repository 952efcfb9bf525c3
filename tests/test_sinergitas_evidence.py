"""Meeting documents: checked uploads, scoped downloads, and reuse as indicator evidence
(one upload linked from the meeting and from the indicator)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from penilaian.models import Document, EvidenceLink
from sinergitas.models import MeetingDocument
from tests.test_sinergitas_factories import (
    DOCX_MEMBERS,
    PDF_BYTES,
    make_assessment,
    make_meeting,
    office_upload,
    pdf_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def upload(client, meeting, file, role="attendance", title="Daftar hadir"):
    return client.post(
        f"/sinergitas/{meeting.pk}/dokumen/", {"file": file, "title": title, "role": role}
    )


def test_koordinator_uploads_an_attendance_list_stored_under_a_random_name(
    client, koordinator_bangka, media
):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    response = upload(client, meeting, pdf_upload("daftar hadir rapat.pdf"))
    assert response.status_code == 302
    attachment = MeetingDocument.objects.select_related("document__region").get()
    document = attachment.document
    assert attachment.meeting == meeting and attachment.role == "attendance"
    assert document.original_name == "daftar hadir rapat.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.region.code == "19.01"
    assert document.uploaded_by == koordinator_bangka
    files = stored_files(media)
    assert len(files) == 1
    assert "daftar" not in files[0].name and files[0].read_bytes() == PDF_BYTES


def test_a_meeting_document_downloads_as_an_attachment_with_its_stored_type(
    client, koordinator_bangka, verifikator
):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    upload(client, meeting, office_upload("notulen.docx", DOCX_MEMBERS), role="minutes")
    document = Document.objects.get()
    client.force_login(verifikator)
    response = client.get(f"/sinergitas/{meeting.pk}/dokumen/{document.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert "notulen.docx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_a_document_of_another_meeting_is_not_served_through_this_meeting(
    client, koordinator_belitung, admin_user
):
    bangka = make_meeting("19.01")
    belitung = make_meeting("19.02")
    client.force_login(admin_user)
    upload(client, bangka, pdf_upload())
    document = Document.objects.get()
    client.force_login(koordinator_belitung)
    assert client.get(f"/sinergitas/{belitung.pk}/dokumen/{document.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("kosong.pdf", b""),
        ("palsu.pdf", b"ini bukan PDF, hanya teks biasa"),
        ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64),
        ("foto.png", PDF_BYTES),
        ("skrip.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_bad_uploads_are_refused_with_a_message_and_nothing_is_stored(
    client, koordinator_bangka, media, name, content
):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    response = upload(client, meeting, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    errors = response.context["upload_form"].errors["file"]
    assert errors and all(message.strip() for message in errors)
    assert 'class="field field-error"' in response.content.decode()
    assert not Document.objects.exists() and not MeetingDocument.objects.exists()
    assert stored_files(media) == []


def test_a_zip_that_is_not_an_office_document_is_refused(client, koordinator_bangka, media):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    fake = office_upload("laporan.docx", {"readme.txt": b"bukan dokumen Word"})
    assert upload(client, meeting, fake).status_code == 400
    wrong_kind = office_upload("laporan.xlsx", DOCX_MEMBERS)
    assert upload(client, meeting, wrong_kind).status_code == 400
    assert not Document.objects.exists() and stored_files(media) == []


def test_an_upload_over_10_mb_is_refused(client, koordinator_bangka, media):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    big = pdf_upload("besar.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    response = upload(client, meeting, big)
    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
    assert not Document.objects.exists() and stored_files(media) == []


def test_one_upload_backs_the_meeting_and_a_kla_indicator_and_removing_one_link_keeps_the_other(
    client, koordinator_bangka
):
    meeting = make_meeting("19.01", title="Sosialisasi KLA")
    assessment, indicator = make_assessment("19.01")
    client.force_login(koordinator_bangka)
    upload(client, meeting, pdf_upload("daftar-hadir.pdf"))
    document = Document.objects.get()
    response = client.post(
        f"/sinergitas/{meeting.pk}/bukti/",
        {"document": document.pk, "assessment": assessment.pk, "indicator_code": "kla-kl-01"},
    )
    assert response.status_code == 302
    link = EvidenceLink.objects.get()
    assert (link.document, link.assessment, link.indicator) == (document, assessment, indicator)
    assert Document.objects.count() == 1  # one upload, not two

    # Removing the document from the meeting keeps it as the indicator's evidence.
    assert client.post(f"/sinergitas/{meeting.pk}/dokumen/{document.pk}/lepas/").status_code == 302
    assert not MeetingDocument.objects.exists()
    assert Document.objects.filter(pk=document.pk).exists()
    assert EvidenceLink.objects.filter(document=document, indicator=indicator).exists()


def test_removing_the_indicator_link_keeps_the_document_on_the_meeting(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    assessment, indicator = make_assessment("19.01")
    client.force_login(koordinator_bangka)
    upload(client, meeting, pdf_upload())
    document = Document.objects.get()
    link = EvidenceLink.objects.create(
        document=document, assessment=assessment, indicator=indicator
    )
    page = client.get(f"/sinergitas/{meeting.pk}/").content.decode()
    assert f"/sinergitas/{meeting.pk}/bukti/{link.pk}/hapus/" in page
    assert client.post(f"/sinergitas/{meeting.pk}/bukti/{link.pk}/hapus/").status_code == 302
    assert not EvidenceLink.objects.exists()
    assert MeetingDocument.objects.filter(meeting=meeting, document=document).exists()
    download = client.get(f"/sinergitas/{meeting.pk}/dokumen/{document.pk}/")
    assert download.status_code == 200


def test_a_document_cannot_back_an_assessment_of_a_region_the_meeting_does_not_cover(
    client, admin_user
):
    meeting = make_meeting("19.01")
    belitung_assessment, _indicator = make_assessment("19.02")
    client.force_login(admin_user)
    upload(client, meeting, pdf_upload())
    document = Document.objects.get()
    response = client.post(
        f"/sinergitas/{meeting.pk}/bukti/",
        {
            "document": document.pk,
            "assessment": belitung_assessment.pk,
            "indicator_code": "KLA-KL-01",
        },
    )
    assert response.status_code == 400
    assert "assessment" in response.context["link_form"].errors
    assert not EvidenceLink.objects.exists()


def test_unknown_indicator_codes_and_verified_assessments_are_refused(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    assessment, _indicator = make_assessment("19.01")
    client.force_login(koordinator_bangka)
    upload(client, meeting, pdf_upload())
    document = Document.objects.get()
    path = f"/sinergitas/{meeting.pk}/bukti/"
    data = {"document": document.pk, "assessment": assessment.pk}
    unknown = client.post(path, {**data, "indicator_code": "KLA-XX-99"})
    assert unknown.status_code == 400
    assert "indicator_code" in unknown.context["link_form"].errors
    assessment.status = "verified"
    assessment.save()
    locked = client.post(path, {**data, "indicator_code": "KLA-KL-01"})
    assert locked.status_code == 400
    assert not EvidenceLink.objects.exists()


def test_the_same_link_twice_is_refused(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    assessment, _indicator = make_assessment("19.01")
    client.force_login(koordinator_bangka)
    upload(client, meeting, pdf_upload())
    data = {
        "document": Document.objects.get().pk,
        "assessment": assessment.pk,
        "indicator_code": "KLA-KL-01",
    }
    assert client.post(f"/sinergitas/{meeting.pk}/bukti/", data).status_code == 302
    again = client.post(f"/sinergitas/{meeting.pk}/bukti/", data)
    assert again.status_code == 400
    assert again.context["link_form"].non_field_errors()
    assert EvidenceLink.objects.count() == 1
