"""API for issue #17: calendar, OPD accountability and return reasons, scoped like the pages."""

from datetime import date
from decimal import Decimal

import pytest

from akuntabilitas import demo
from penilaian import workflow
from penilaian.models import Answer, Edition
from penilaian.services import get_or_create_assessment
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned_bangka(koordinator_bangka, verifikator):
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    indicator = assessment.edition.indicators.get(code="KLA-3-09")
    Answer.objects.create(assessment=assessment, indicator=indicator, value=Decimal(8))
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[
            workflow.ReturnItem(
                reason="SK 2019",
                indicator=indicator,
                categories=("tahun_tidak_sesuai", "sk_tidak_berlaku"),
            )
        ],
    )
    return assessment


def get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_koordinator_of_1902_gets_404_on_1901s_opd_and_reasons(
    client, returned_bangka, koordinator_belitung
):
    assert get(client, koordinator_belitung, "/api/v1/regions/19.01/opd/").status_code == 404
    assert (
        get(client, koordinator_belitung, "/api/v1/return-reasons/?region=19.01").status_code == 404
    )
    body = get(client, koordinator_belitung, "/api/v1/return-reasons/").json()
    assert body["count"] == 0


def test_the_regions_opd_accountability_shows_the_returned_item_under_its_opd(
    client, returned_bangka, koordinator_bangka, operator_dinkes_bangka
):
    response = get(client, koordinator_bangka, "/api/v1/regions/19.01/opd/?year=2025")
    assert response.status_code == 200
    body = response.json()
    assert body["region"] == "19.01" and body["year"] == 2025
    dinkes = next(row for row in body["opd"] if row["kind"] == "dinkes")
    item = next(i for i in dinkes["items"] if i["code"] == "KLA-3-09")
    assert item["returned"] and item["filled"] and dinkes["returned"] == 1
    assert "Tahun dokumen tidak sesuai" in item["returned_reasons"][0]
    assert [c["username"] for c in dinkes["contacts"]] == [operator_dinkes_bangka.username]
    assert [c["username"] for c in body["koordinators"]] == [koordinator_bangka.username]
    # points are JSON numbers, as the schema says (schemathesis found strings)
    gains = [line["gain"] for row in body["opd"] for line in row["gap"]]
    assert gains and all(type(g) in (int, float) for g in gains)
    assert all(type(row["points_at_stake"]) in (int, float) for row in body["opd"])


def test_return_reasons_carry_their_category_codes(client, returned_bangka, verifikator):
    body = get(client, verifikator, "/api/v1/return-reasons/?program=kla&year=2025").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["region"] == "19.01" and row["indicator"] == "KLA-3-09"
    assert row["categories"] == ["tahun_tidak_sesuai", "sk_tidak_berlaku"]
    assert row["note"] == "SK 2019" and row["resolved"] is False
    assert get(client, verifikator, "/api/v1/return-reasons/?resolved=true").json()["count"] == 0
    categories = get(client, verifikator, "/api/v1/return-categories/").json()
    assert [c["code"] for c in categories["results"]][-1] == "lainnya"


def test_the_calendar_lists_stages_with_the_current_one_and_regions_at_risk_in_scope(
    client, koordinator_belitung, monkeypatch
):
    demo.seed()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2026, 4, 10))
    body = get(client, koordinator_belitung, "/api/v1/calendar/?year=2026").json()
    assert body["count"] == 8
    current = [r for r in body["results"] if r["current"]]
    kla = next(r for r in current if r["program"] == "kla")
    assert kla["code"] == "pengisian_mandiri" and kla["internal_days_left"] == 6
    assert kla["at_risk"] == ["19.02"] and all(r["example"] for r in body["results"])


def test_bad_parameters_and_no_login(client, verifikator):
    assert client.get("/api/v1/calendar/").status_code == 401
    assert get(client, verifikator, "/api/v1/calendar/?year=dua").status_code == 400
    assert get(client, verifikator, "/api/v1/return-reasons/?program=x").status_code == 400


def test_the_schema_documents_the_new_endpoints(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/calendar/",
        "/api/v1/regions/{region}/opd/",
        "/api/v1/return-categories/",
        "/api/v1/return-reasons/",
    ):
        assert path in schema["paths"]
