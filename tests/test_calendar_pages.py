"""The evaluation calendar (/kalender/), the dashboard panel and the example 2026 calendar."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akuntabilitas import demo
from akuntabilitas.models import RiskRule, Stage
from akuntabilitas.queries import calendar_overview
from penilaian.models import Answer, Edition
from penilaian.services import get_or_create_assessment
from regions.models import Region

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 10)  # KLA pengisian mandiri; the provincial deadline is 16 Apr


@pytest.fixture
def calendar_2026(monkeypatch):
    demo.seed()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


def fill_kla(code: str, year: int = 2026) -> None:
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=year), Region.objects.get(code=code)
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=i, value=Decimal(0))
        for i in assessment.edition.indicators.all()
    )


def test_the_demo_calendar_is_an_example_and_seeding_twice_duplicates_nothing():
    demo.seed()
    demo.seed()
    stages = Stage.objects.filter(year=2026)
    assert stages.count() == 8 and not stages.filter(example=False).exists()
    fill = stages.get(program="kla", code="pengisian_mandiri")
    assert (fill.ends_on - fill.internal_deadline).days == 14
    assert stages.get(program="kla", code="penganugerahan").internal_deadline is None
    assert set(stages.values_list("program", flat=True)) == {"ape", "kla", "kampung_kb"}


def test_calendar_page_shows_the_current_stage_days_left_and_regions_at_risk(
    client, calendar_2026, verifikator
):
    fill_kla("19.01")
    client.force_login(verifikator)

    page = client.get("/kalender/").text

    kla = page.split('id="program-kla"')[1].split("</section>")[0]
    assert "Pengisian mandiri" in kla.split("<table")[0]
    assert 'data-days="6"' in kla
    bangka = kla.split('data-region="19.01"')[1].split("</tr>")[0]
    belitung = kla.split('data-region="19.02"')[1].split("</tr>")[0]
    assert "100,00\xa0%" in bangka and "at-risk" not in bangka
    assert "0,00\xa0%" in belitung and "at-risk" in belitung
    assert 'class="tag example"' in page


def test_the_risk_thresholds_are_data(client, calendar_2026, verifikator):
    RiskRule.objects.all().delete()
    client.force_login(verifikator)
    assert "at-risk" not in client.get("/kalender/").text
    RiskRule.objects.create(min_completeness=Decimal(1), days_left=7)
    assert "at-risk" in client.get("/kalender/").text


def test_the_dashboard_shows_the_current_stage_and_at_risk_regions(
    client, calendar_2026, koordinator_bangka
):
    client.force_login(koordinator_bangka)
    panel = client.get("/").text.split('id="kalender-ringkas"')[1].split("</section>")[0]
    assert "Pengisian mandiri" in panel and 'data-days="6"' in panel
    assert "Kabupaten Bangka" in panel and "Kabupaten Belitung" not in panel


def test_a_koordinator_sees_only_their_region_and_anonymous_is_sent_to_login(
    client, calendar_2026, koordinator_belitung
):
    assert client.get("/kalender/").status_code == 302
    client.force_login(koordinator_belitung)
    page = client.get("/kalender/").text
    assert 'data-region="19.02"' in page and 'data-region="19.01"' not in page


def test_an_unknown_year_says_so_and_shows_the_default(client, calendar_2026, verifikator):
    client.force_login(verifikator)
    response = client.get("/kalender/?tahun=1999")
    assert response.status_code == 200 and "1999" in response.text
    assert 'id="program-kla"' in response.text


def _count(codes) -> int:
    regions = Region.objects.filter(code__in=codes)
    with CaptureQueriesContext(connection) as ctx:
        calendar_overview(regions, 2026, TODAY)
    return len(ctx)


def test_the_overview_reads_with_the_same_queries_for_one_and_three_regions(calendar_2026):
    one = _count(["19.01"])
    fill_kla("19.02")
    fill_kla("19.03")
    assert _count(["19.01", "19.02", "19.03"]) == one == 7
