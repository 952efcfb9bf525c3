"""The public page: verified results only, for anyone; never drafts, notes, documents or names."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from penilaian.models import Assessment, Document, EvidenceLink, Program
from tests.test_dashboard_builders import (
    expected,
    expected_kampung_kb,
    fill,
    fill_desa,
    row_html,
    shown,
)

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def mixed(admin_user):
    """19.02 verified; 19.01 in draft, 19.03 submitted and 19.04 returned, with notes and files."""
    verified = fill("19.02", Program.KLA, 2025, 0.55, Status.VERIFIED)
    fill("19.02", Program.APE, 2025, 0.65, Status.VERIFIED)
    fill_desa("19.02", 2025, Status.VERIFIED)
    fill("19.01", Program.KLA, 2025, 0.9, Status.DRAFT, note="Catatan internal draf Bangka")
    fill("19.01", Program.APE, 2025, 0.95, Status.DRAFT)
    fill_desa("19.01", 2025, Status.DRAFT)
    fill("19.03", Program.KLA, 2025, 0.8, Status.SUBMITTED)
    fill("19.04", Program.KLA, 2025, 0.75, Status.RETURNED)
    document = Document.objects.create(
        region=verified.region,
        title="SK Gugus Tugas KLA rahasia",
        file="evidence/19.02/abc.pdf",
        original_name="sk-gugus-tugas.pdf",
        content_type="application/pdf",
        size=1000,
        sha256="0" * 64,
        uploaded_by=admin_user,
    )
    EvidenceLink.objects.create(
        document=document,
        assessment=verified,
        indicator=verified.edition.indicators.first(),
        created_by=admin_user,
    )


def test_the_public_page_needs_no_login(client, mixed):
    response = client.get("/publik/")

    assert response.status_code == 200
    assert response.context["year"] == 2025


def test_the_public_page_shows_verified_results(client, mixed):
    row = row_html(client.get("/publik/?tahun=2025").content.decode(), "19.02")

    kla = expected("19.02", Program.KLA, 2025)
    ape = expected("19.02", Program.APE, 2025)
    summary = expected_kampung_kb("19.02", 2025)
    assert f'kla-score">{shown(kla.score)}<' in row
    assert f'ape-score">{shown(ape.score)}<' in row
    assert f">{kla.predicate.name}<" in row
    assert f"{shown(summary.standar)} · {shown(summary.cikar)}" in row


@pytest.mark.parametrize("code", ["19.01", "19.03", "19.04"])
def test_draft_submitted_and_returned_values_never_appear(client, mixed, code):
    html = client.get("/publik/?tahun=2025").content.decode()

    row = row_html(html, code)
    kla = expected(code, Program.KLA, 2025)
    assert "kla-score" not in row
    assert f">{shown(kla.score)}<" not in html
    assert "not verified yet" in row or "belum diverifikasi" in row


def test_draft_kampung_kb_counts_never_appear(client, mixed):
    row = row_html(client.get("/publik/?tahun=2025").content.decode(), "19.01")

    summary = expected_kampung_kb("19.01", 2025)
    assert f"{shown(summary.standar)} · {shown(summary.cikar)}" not in row
    assert f">{shown(summary.desa_total)}<" not in row


def test_no_notes_documents_or_names_appear(client, mixed, admin_user):
    html = client.get("/publik/?tahun=2025").content.decode()

    assert "Catatan internal draf Bangka" not in html
    assert "SK Gugus Tugas KLA rahasia" not in html
    assert "sk-gugus-tugas.pdf" not in html
    assert admin_user.username not in html
    assert "/wilayah/" not in html  # no links into the logged-in pages
    assert "Dinas" not in html  # no OPD names from gap lists


def test_the_public_trend_only_counts_verified_years(client):
    fill("19.05", Program.KLA, 2024, 0.6, Status.VERIFIED)
    fill("19.05", Program.KLA, 2025, 0.9, Status.DRAFT)

    response = client.get("/publik/")

    assert response.context["year"] == 2024  # the latest year with verified data
    kla_chart = response.context["trend"]["charts"][0]
    assert response.context["trend"]["years"] == [2024]
    values = {row.code: [v for v, _state, _label in cells] for row, cells in kla_chart["table"]}
    assert values["19.05"] == [expected("19.05", Program.KLA, 2024).score]


@pytest.mark.parametrize("count", [1, 3])
def test_the_public_page_reads_with_the_same_queries_for_one_and_three_regions(
    client, django_assert_num_queries, count
):
    for code in ("19.01", "19.02", "19.03")[:count]:
        fill(code, Program.KLA, 2025, 0.6, Status.VERIFIED)
        fill(code, Program.APE, 2025, 0.6, Status.VERIFIED)
        fill_desa(code, 2025, Status.VERIFIED)

    # years 2, regions count and page, stored scores (trend), readiness 3 (editions, stored
    # rows, awards), group names, levels; the first request also computes and stores the rows
    # (15 queries, as many for 1 region as for 3)
    with django_assert_num_queries(9 + 15):
        response = client.get("/publik/?tahun=2025")
    with django_assert_num_queries(9):
        client.get("/publik/?tahun=2025")

    assert len(re.findall(r'kla-score">', response.content.decode())) == count
