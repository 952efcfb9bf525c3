"""Starting an assessment is a decision: opening a form (a GET) never creates anything, and the
region's koordinator (or the admin) starts next year's assessment with an explicit POST that
carries last year's verified values forward."""

from decimal import Decimal as D

import pytest

from penilaian.models import Answer, Assessment, Edition
from penilaian.services import save_values
from penilaian.workflow import submit, verify
from regions.models import Region
from regions.scoping import scope_for
from tests.conftest import start

pytestmark = pytest.mark.django_db

KLA_2026 = "/penilaian/kla/19.01/2026/"


def kla_2026():
    return Assessment.objects.filter(
        edition__program="kla", edition__year=2026, region__code="19.01"
    ).first()


@pytest.fixture
def verified_2025(koordinator_bangka, verifikator):
    assessment = start("kla", "19.01", 2025, koordinator_bangka)
    save_values(
        assessment,
        {"KLA-KL-01": "40", "KLA-1-01": "90"},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )
    submit(assessment, user=koordinator_bangka, confirm_reason="Uji: data belum lengkap")
    verify(assessment, user=verifikator, confirm_reason="Uji: data belum lengkap")
    return assessment


@pytest.mark.parametrize(
    "user", ["admin_user", "koordinator_bangka", "operator_dinkes_bangka", "verifikator"]
)
@pytest.mark.parametrize(
    "url", [KLA_2026, "/penilaian/ape/19.01/2026/", "/penilaian/kampung_kb/19.01/2026/"]
)
def test_opening_a_not_started_form_creates_nothing_and_says_belum_dimulai(
    client, request, user, url
):
    client.force_login(request.getfixturevalue(user))

    response = client.get(url)

    assert response.status_code == 200
    assert "Belum dimulai" in response.text
    assert not Assessment.objects.exists()
    can_start = user in ("admin_user", "koordinator_bangka")
    assert ('id="btn-start"' in response.text) is can_start
    assert (url + "mulai/" in response.text) is can_start


def test_koordinator_starts_next_year_with_a_post_and_last_years_values_are_carried(
    client, koordinator_bangka, verified_2025
):
    client.force_login(koordinator_bangka)

    response = client.post(KLA_2026 + "mulai/")

    assert response.status_code == 302 and response["Location"] == KLA_2026
    started = kla_2026()
    assert started.status == Assessment.Status.DRAFT
    carried = dict(
        Answer.objects.filter(assessment=started, carried_over=True).values_list(
            "indicator__code", "value"
        )
    )
    assert carried == {"KLA-KL-01": D(40), "KLA-1-01": D(90)}
    page = client.get(KLA_2026)
    assert page.status_code == 200 and 'name="v_KLA-KL-01"' in page.text
    # starting twice changes nothing
    client.post(KLA_2026 + "mulai/")
    assert Assessment.objects.filter(edition__year=2026).count() == 1


def test_starting_is_a_post_and_only_for_the_koordinator_or_admin(
    client, operator_dinkes_bangka, verifikator, pimpinan, koordinator_belitung, admin_user
):
    for user in (operator_dinkes_bangka, verifikator, pimpinan):
        client.force_login(user)
        assert client.post(KLA_2026 + "mulai/").status_code == 403
    client.force_login(koordinator_belitung)
    assert client.post(KLA_2026 + "mulai/").status_code == 404
    client.force_login(admin_user)
    assert client.get(KLA_2026 + "mulai/").status_code == 405
    assert not Assessment.objects.exists()

    assert client.post("/penilaian/kampung_kb/19.01/2026/mulai/").status_code == 302
    assert Assessment.objects.get().edition == Edition.objects.get(program="kampung_kb", year=2026)


def test_saving_into_a_not_started_assessment_is_refused_and_creates_nothing(
    client, koordinator_bangka
):
    client.force_login(koordinator_bangka)

    response = client.post(KLA_2026, {"version": 1, "v_KLA-KL-01": "40"})

    assert response.status_code == 409
    assert "Belum dimulai" in response.text
    assert not Assessment.objects.exists()
    assert Region.objects.get(code="19.01")  # still there, nothing else touched
