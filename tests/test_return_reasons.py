"""Structured returns: reasons from the taxonomy (data) plus text, shown to the officers at the
returned indicator; document metadata and its date warnings at verification; the most frequent
reasons on the region page."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from penilaian import workflow
from penilaian.models import (
    Assessment,
    Document,
    Edition,
    EvidenceLink,
    ReturnCategory,
    ReturnReason,
)
from penilaian.queries import frequent_return_reasons
from penilaian.services import get_or_create_assessment
from regions.models import Region
from tests.conftest import start

pytestmark = pytest.mark.django_db

URL = "/penilaian/kla/19.01/2025/"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def submitted(koordinator_bangka):
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    return assessment


def test_the_taxonomy_is_loaded_by_migration_and_only_lainnya_needs_text():
    assert list(ReturnCategory.objects.values_list("code", flat=True)) == [
        "tidak_relevan",
        "tahun_tidak_sesuai",
        "tanpa_ttd_stempel",
        "sk_tidak_berlaku",
        "wilayah_tidak_sesuai",
        "angka_tidak_konsisten",
        "lainnya",
    ]
    assert list(
        ReturnCategory.objects.filter(requires_text=True).values_list("code", flat=True)
    ) == ["lainnya"]


def test_verifier_returns_with_two_reasons_and_the_operator_sees_them_at_the_indicator(
    client, submitted, verifikator, operator_dinkes_bangka
):
    client.force_login(verifikator)
    page = client.get(URL + "kembalikan/").text
    assert 'name="c_KLA-3-09"' in page and "Tahun dokumen tidak sesuai" in page

    response = client.post(
        URL + "kembalikan/",
        {"c_KLA-3-09": ["tahun_tidak_sesuai", "tanpa_ttd_stempel"], "r_KLA-3-09": "Perbup 2019."},
    )

    assert response.status_code == 302
    reason = ReturnReason.objects.get(assessment=submitted)
    assert sorted(reason.categories.values_list("code", flat=True)) == [
        "tahun_tidak_sesuai",
        "tanpa_ttd_stempel",
    ]
    assert reason.note == "Perbup 2019."
    assert "Tahun dokumen tidak sesuai" in reason.reason and "Perbup 2019." in reason.reason
    client.force_login(operator_dinkes_bangka)
    row = client.get(URL).text.split('id="ind-KLA-3-09"')[1].split("</article>")[0]
    assert 'data-code="tahun_tidak_sesuai"' in row and 'data-code="tanpa_ttd_stempel"' in row
    assert "Belum ditandatangani/distempel" in row and "Perbup 2019." in row


def test_lainnya_without_text_is_refused_and_changes_nothing(client, submitted, verifikator):
    client.force_login(verifikator)

    response = client.post(URL + "kembalikan/", {"c_KLA-3-09": ["lainnya"]})

    assert response.status_code == 400
    assert "Lainnya" in response.text
    assert Assessment.objects.get(pk=submitted.pk).status == Assessment.Status.SUBMITTED
    assert not ReturnReason.objects.exists()


def test_an_unknown_reason_code_is_refused_by_form_and_service(client, submitted, verifikator):
    client.force_login(verifikator)
    assert client.post(URL + "kembalikan/", {"c_KLA-3-09": ["ngawur"]}).status_code == 400
    with pytest.raises(workflow.WorkflowError):
        workflow.return_assessment(
            submitted,
            user=verifikator,
            items=[
                workflow.ReturnItem(
                    indicator=submitted.edition.indicators.get(code="KLA-3-09"),
                    categories=("ngawur",),
                )
            ],
        )
    assert not ReturnReason.objects.exists()
    assert Assessment.objects.get(pk=submitted.pk).status == Assessment.Status.SUBMITTED


def test_text_alone_counts_as_lainnya(submitted, verifikator):
    workflow.return_assessment(
        submitted,
        user=verifikator,
        items=[
            workflow.ReturnItem(
                reason="Lampiran kosong.",
                indicator=submitted.edition.indicators.get(code="KLA-3-09"),
            )
        ],
    )
    reason = ReturnReason.objects.get()
    assert list(reason.categories.values_list("code", flat=True)) == ["lainnya"]
    assert reason.reason == "Lampiran kosong."


def test_document_metadata_is_stored_and_the_verifier_is_warned_of_an_expired_decree(
    client, koordinator_bangka, verifikator
):
    start("kla", "19.01", 2025)  # a GET never starts an assessment
    client.force_login(koordinator_bangka)
    response = client.post(
        URL + "bukti/",
        {
            "file": SimpleUploadedFile("sk.pdf", PDF),
            "title": "SK Gugus Tugas KLA",
            "indicators": ["KLA-KL-01"],
            "doc_kind": "sk",
            "number": "188.45/12/2019",
            "issued_on": "2019-02-01",
            "valid_until": "2021-12-31",
            "issuer": "Bupati Bangka",
        },
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.doc_kind, document.number, document.issuer) == (
        "sk",
        "188.45/12/2019",
        "Bupati Bangka",
    )
    assert (document.issued_on, document.valid_until) == (date(2019, 2, 1), date(2021, 12, 31))
    client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})

    client.force_login(verifikator)
    page = client.get(URL + "kembalikan/").text
    row = page.split('id="reasons-KLA-KL-01"')[0].rsplit("<tr>", 1)[1]
    assert "doc-warning" in row and "2021-12-31" in row
    assert "doc-warning" not in page.split('id="reasons-KLA-KL-02"')[0].rsplit("<tr>", 1)[1]
    assert "doc-warning" in client.get(URL).text


def test_validity_before_the_document_date_is_refused_and_stores_nothing(
    client, koordinator_bangka
):
    start("kla", "19.01", 2025)  # a GET never starts an assessment
    client.force_login(koordinator_bangka)
    response = client.post(
        URL + "bukti/",
        {
            "file": SimpleUploadedFile("sk.pdf", PDF),
            "indicators": ["KLA-KL-01"],
            "issued_on": "2025-03-01",
            "valid_until": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert not Document.objects.exists() and not EvidenceLink.objects.exists()


def test_the_database_refuses_a_validity_before_the_date():
    with pytest.raises(IntegrityError):
        Document.objects.create(
            title="x",
            file="x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            issued_on=date(2025, 3, 1),
            valid_until=date(2025, 1, 1),
        )


def return_two_with_reasons(submitted, verifikator):
    """Return KLA-KL-01 (tahun tidak sesuai + tidak relevan) and KLA-KL-02 (tahun tidak sesuai)."""
    kl = submitted.edition.indicators
    workflow.return_assessment(
        submitted,
        user=verifikator,
        items=[
            workflow.ReturnItem(
                indicator=kl.get(code=code), categories=("tahun_tidak_sesuai",) + extra
            )
            for code, extra in [("KLA-KL-01", ("tidak_relevan",)), ("KLA-KL-02", ())]
        ],
    )


def test_region_page_lists_the_most_frequent_reasons_in_one_query(
    client, submitted, verifikator, koordinator_bangka, django_assert_num_queries
):
    return_two_with_reasons(submitted, verifikator)
    belitung = Region.objects.get(code="19.02").pk
    with django_assert_num_queries(1):
        found = frequent_return_reasons([submitted.region_id, belitung])
    assert found == {
        submitted.region_id: [
            ("tahun_tidak_sesuai", "Tahun dokumen tidak sesuai", 2),
            ("tidak_relevan", "Dokumen tidak relevan", 1),
        ]
    }
    client.force_login(koordinator_bangka)
    page = client.get("/wilayah/19.01/").text
    section = page.split('id="alasan-pengembalian"')[1].split("</section>")[0]
    assert section.index("tahun_tidak_sesuai") < section.index("tidak_relevan")


def test_province_dashboard_lists_each_regions_most_frequent_reasons_in_scope(
    client, submitted, verifikator, koordinator_belitung
):
    return_two_with_reasons(submitted, verifikator)
    client.force_login(verifikator)
    page = client.get("/?tahun=2025").text
    section = page.split('id="alasan-pengembalian"')[1].split("</section>")[0]
    row = section.split('id="rr-19.01"')[1].split("</tr>")[0]
    assert 'href="/wilayah/19.01/#alasan-pengembalian"' in row
    assert row.index("Tahun dokumen tidak sesuai") < row.index("Dokumen tidak relevan")
    assert "(2×)" in row and "(1×)" in row
    assert 'id="rr-19.02"' not in section  # no returns there: no row

    client.force_login(koordinator_belitung)  # another region: nothing of 19.01
    other = client.get("/?tahun=2025").text.split('id="alasan-pengembalian"')[1]
    assert "rr-19.01" not in other.split("</section>")[0]
    assert "Tahun dokumen tidak sesuai" not in other.split("</section>")[0]
