"""Sinergitas forms people are glad to use (issue #15): named empty choices, required fields
marked, the only possible region chosen already."""

import re

import pytest

from tests.test_sinergitas_factories import make_meeting, region

# the database fixtures come from the mark, so they outlive conftest's autouse checks
pytestmark = pytest.mark.django_db


def test_filters_and_selects_never_show_dashes(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    for url in ("/sinergitas/", "/sinergitas/baru/", f"/sinergitas/{meeting.pk}/tindak-lanjut/"):
        body = client.get(url).content.decode()
        assert "---------" not in body, url
    listing = client.get("/sinergitas/").content.decode()
    assert '<option value="" selected>Semua</option>' in listing


def test_required_fields_are_marked(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    body = client.get("/sinergitas/baru/").content.decode()
    assert re.search(r'<label[^>]*class="required"[^>]*>Judul', body)
    assert "Kolom bertanda * wajib diisi." in body


def test_a_one_region_koordinator_finds_the_region_chosen_in_a_follow_up(
    client, koordinator_bangka
):
    meeting = make_meeting("19.01", "19.02")
    client.force_login(koordinator_bangka)
    body = client.get(f"/sinergitas/{meeting.pk}/tindak-lanjut/").content.decode()
    bangka = region("19.01")
    assert re.search(rf'<option value="{bangka.pk}" selected>19.01 Kabupaten Bangka', body)


def test_the_evidence_form_names_its_empty_document_choice(db):
    from penilaian.forms import UploadForm
    from penilaian.models import Document

    form = UploadForm(documents=Document.objects.none(), indicator_choices=[("A", "A")])
    html = str(form["document"])
    assert "---------" not in html
    assert "— tidak ada: unggah berkas baru —" in html


def test_an_empty_calendar_month_points_to_the_months_with_meetings(client, koordinator_bangka):
    import datetime

    make_meeting("19.01", date=datetime.date(2019, 10, 17))
    client.force_login(koordinator_bangka)
    body = client.get("/sinergitas/kalender/?bulan=2026-12").content.decode()
    assert '<a href="?bulan=2019-10">' in body
    assert "Rapat terakhir: Oktober 2019" in body
    body = client.get("/sinergitas/kalender/?bulan=2019-01").content.decode()
    assert "Rapat berikutnya: Oktober 2019" in body
