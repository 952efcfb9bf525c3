"""The assessment list and page: scope, OPD ownership, field errors, stale saves, live score,
owner reassignment and constant query counts."""

import re
from decimal import Decimal as D

import pytest
from django.utils.translation import gettext

from penilaian.models import (
    Answer,
    Assessment,
    Document,
    Edition,
    EvidenceLink,
    IndicatorOwner,
)
from penilaian.services import get_or_create_assessment, save_values
from regions.models import OpdKind, Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db

URL = "/penilaian/kla/19.01/2025/"


def kla(code="19.01", year=2025):
    return get_or_create_assessment(
        Edition.objects.get(program="kla", year=year), Region.objects.get(code=code)
    )


def stored(assessment):
    return dict(
        Answer.objects.filter(assessment=assessment).values_list("indicator__code", "value")
    )


def post(client, user, data, version=None, url=URL):
    client.force_login(user)
    if version is None:
        version = Assessment.objects.get(
            edition__program="kla", edition__year=2025, region__code="19.01"
        ).version
    return client.post(url, {"version": version, **data})


# --- list -----------------------------------------------------------------------------------


def test_list_shows_only_the_users_region_with_status(client, koordinator_belitung):
    kla("19.01")
    kla("19.02")
    client.force_login(koordinator_belitung)

    response = client.get("/penilaian/?tahun=2025")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert {row["region"].code for row in rows} == {"19.02"}
    assert {row["edition"].program for row in rows} == {"ape", "kla", "kampung_kb"}
    assert {row["status"] for row in rows if row["edition"].program == "kla"} == {"draft"}
    assert "/penilaian/kla/19.02/2025/" in response.text
    assert "19.01" not in response.text


def test_list_filters_by_programme_region_and_status(client, verifikator):
    kla("19.01")
    client.force_login(verifikator)

    response = client.get("/penilaian/?tahun=2025&program=kla&status=draft")
    not_started = client.get("/penilaian/?tahun=2025&program=kla&status=belum&wilayah=19.01")

    assert [(r["region"].code, r["edition"].program) for r in response.context["rows"]] == [
        ("19.01", "kla")
    ]
    assert not_started.context["rows"] == []


@pytest.mark.parametrize("count", [1, 3])
def test_list_reads_with_a_constant_number_of_queries(
    client, verifikator, count, django_assert_num_queries
):
    for code in ["19.01", "19.02", "19.03"][:count]:
        kla(code)
    client.force_login(verifikator)
    client.get("/penilaian/")  # warm the session

    # session, user, assignment (scope), edition years, editions of the year, regions,
    # assessments, unread notifications
    with django_assert_num_queries(8):
        response = client.get("/penilaian/?tahun=2025")
    assert response.status_code == 200


# --- the form ---------------------------------------------------------------------------------


def test_another_regions_officer_gets_404_and_nothing_is_created_or_changed(
    client, koordinator_belitung, koordinator_bangka
):
    assessment = kla()
    save_values(
        assessment,
        {"KLA-KL-01": "40"},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )
    client.force_login(koordinator_belitung)

    assert client.get(URL).status_code == 404
    assert client.get("/penilaian/ape/19.01/2025/").status_code == 404
    response = client.post(URL, {"version": 2, "v_KLA-KL-01": "0"})

    assert response.status_code == 404
    assert stored(assessment) == {"KLA-KL-01": D(40)}
    assert not Assessment.objects.filter(edition__program="ape", region__code="19.01").exists()


def test_unknown_programme_year_or_region_is_404(client, admin_user):
    client.force_login(admin_user)

    for url in [
        "/penilaian/xyz/19.01/2025/",
        "/penilaian/kla/19.01/1999/",
        "/penilaian/kla/99/2025/",
    ]:
        assert client.get(url).status_code == 404, url


def test_operator_sees_and_edits_only_their_opds_indicators(client, operator_dinkes_bangka):
    kla()
    client.force_login(operator_dinkes_bangka)

    response = client.get(URL)

    html = response.text
    assert 'name="v_KLA-3-01"' in html and 'name="v_KLA-3-02"' in html
    assert 'id="ind-KLA-4-01"' not in html and 'name="v_KLA-KL-01"' not in html
    assert 'id="ind-KLA-3-07"' not in html  # klaster 3 but owned by Dinsos


def test_operator_posting_another_opds_indicator_gets_403_and_nothing_changes(
    client, operator_dinkes_bangka, operator_disdik_bangka, koordinator_bangka
):
    assessment = kla()
    save_values(
        assessment, {"KLA-4-01": "50"}, user=koordinator_bangka, scope=scope_for(koordinator_bangka)
    )

    only_other = post(client, operator_dinkes_bangka, {"v_KLA-4-01": "90"})
    mixed = post(client, operator_dinkes_bangka, {"v_KLA-3-02": "50", "n_KLA-4-01": "ubah"})

    assert (only_other.status_code, mixed.status_code) == (403, 403)
    assert stored(assessment) == {"KLA-4-01": D(50)}
    assert Answer.objects.get(assessment=assessment).note == ""
    assert Assessment.objects.get(pk=assessment.pk).version == 2
    assert post(client, operator_disdik_bangka, {"v_KLA-4-01": "90"}).status_code == 302
    assert stored(assessment) == {"KLA-4-01": D(90)}


def test_inputs_are_selects_for_ladders_and_yes_no_and_numbers_with_units(
    client, koordinator_bangka
):
    get_or_create_assessment(
        Edition.objects.get(program="ape", year=2025), Region.objects.get(code="19.01")
    )
    client.force_login(koordinator_bangka)

    html = client.get("/penilaian/ape/19.01/2025/").text

    assert re.search(r'<select name="v_APE-KOM-01"[^>]*>', html)  # ladder
    assert re.search(r'<select name="v_APE-KOM-03"[^>]*>', html)  # yes/no
    assert '<option value="1">' in html.split('name="v_APE-KOM-03"')[1].split("</select>")[0]
    number = re.search(r'<input type="number" name="v_APE-KEB-02"[^>]*>', html).group(0)
    assert 'max="100"' in number and 'step="0.01"' in number
    row = html.split('id="ind-APE-KEB-02"')[1].split("</article>")[0]
    assert "%" in row


def test_an_invalid_value_is_shown_next_to_its_field_and_nothing_is_saved(
    client, koordinator_bangka
):
    assessment = kla()

    response = post(client, koordinator_bangka, {"v_KLA-KL-01": "40", "v_KLA-3-02": "150"})

    assert response.status_code == 200
    row = response.text.split('id="ind-KLA-3-02"')[1].split("</article>")[0]
    assert "Persentase harus antara 0 dan 100." in row
    assert 'value="150"' in row  # the user's input is kept
    assert stored(assessment) == {}
    assert Assessment.objects.get(pk=assessment.pk).version == 1


def test_a_ladder_value_outside_its_options_is_refused_next_to_the_field(
    client, koordinator_bangka
):
    assessment = kla()

    response = post(client, koordinator_bangka, {"v_KLA-KL-01": "39"})

    row = response.text.split('id="ind-KLA-KL-01"')[1].split("</article>")[0]
    assert 'class="errorlist"' in row
    assert stored(assessment) == {}


def test_a_stale_save_is_refused_with_a_message_and_never_overwrites(
    client, koordinator_bangka, operator_dinkes_bangka
):
    assessment = kla()
    post(client, operator_dinkes_bangka, {"v_KLA-3-02": "30"}, version=1)

    response = post(client, koordinator_bangka, {"v_KLA-3-02": "60"}, version=1)

    assert response.status_code == 409
    assert (
        gettext(
            "Someone else changed this assessment in the meantime. Reload the page and enter "
            "your changes again."
        )
        in response.text
    )
    assert stored(assessment) == {"KLA-3-02": D(30)}
    assert Assessment.objects.get(pk=assessment.pk).version == 2


def test_saving_shows_the_live_score_predicate_and_gap_list(client, koordinator_bangka):
    kla()
    data = {
        "v_KLA-KL-01": "40",
        "v_KLA-KL-02": "100",
        "v_KLA-1-01": "100",
        "v_KLA-1-02": "40",
        "v_KLA-1-03": "40",
        "v_KLA-2-01": "0",
        "v_KLA-2-02": "40",
        "v_KLA-2-03": "40",
        "v_KLA-4-01": "100",
        "v_KLA-4-02": "100",
        "v_KLA-4-03": "100",
        "v_KLA-5-01": "100",
        "v_KLA-5-02": "100",
    }

    response = post(client, koordinator_bangka, data)
    page = client.get(URL)

    assert response.status_code == 302
    live = page.context["live"]
    assert D(live["score"]) >= 500
    assert live["level"]["name"] == "Pratama"
    score_card = page.text.split('id="skor"')[1].split("</section>")[0]
    assert f'data-score="{live["score"]}"' in score_card
    assert "Pratama" in score_card
    assert live["gap"]["items"] and live["gap"]["items"][0]["code"] in score_card


def test_a_note_is_saved_without_a_value(client, koordinator_bangka):
    assessment = kla()

    post(client, koordinator_bangka, {"n_KLA-KL-01": "Menunggu Perda"})

    answer = Answer.objects.get(assessment=assessment)
    assert (answer.indicator.code, answer.value, answer.note) == (
        "KLA-KL-01",
        None,
        "Menunggu Perda",
    )


def test_read_only_roles_get_no_form_and_cannot_post(client, pimpinan, verifikator):
    assessment = kla()

    for user in (pimpinan, verifikator):
        client.force_login(user)
        page = client.get(URL)
        assert page.status_code == 200 and page.context["values_form"] is None
        assert client.post(URL, {"version": 1, "v_KLA-KL-01": "40"}).status_code == 403
    assert stored(assessment) == {}


def test_viewing_a_never_started_assessment_as_verifier_creates_nothing(client, verifikator):
    client.force_login(verifikator)

    response = client.get("/penilaian/ape/19.03/2024/")

    assert response.status_code == 200
    assert gettext("Not started") in response.text
    assert not Assessment.objects.exists()


def make_history(assessment, user, rounds: int) -> None:
    scope = scope_for(user)
    document = Document.objects.create(
        region=assessment.region,
        title="Dokumen",
        file="evidence/19.01/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    codes = ["KLA-KL-01", "KLA-KL-03", "KLA-1-02", "KLA-2-02", "KLA-3-01"][:rounds]
    for index, code in enumerate(codes):
        indicator = assessment.edition.indicators.get(code=code)
        EvidenceLink.objects.create(document=document, assessment=assessment, indicator=indicator)
        value = indicator.options[index % len(indicator.options)]["points"]
        save_values(assessment, {code: str(value)}, {code: f"n{index}"}, user=user, scope=scope)


@pytest.mark.parametrize("rounds", [1, 5])
def test_the_assessment_page_reads_with_a_constant_number_of_queries(
    client, koordinator_bangka, rounds, django_assert_num_queries
):
    assessment = kla()
    make_history(assessment, koordinator_bangka, rounds)
    client.force_login(koordinator_bangka)
    client.get(URL)

    # session, user, assignment; region, edition, assessment; indicators, OPD kinds, owner
    # overrides; evidence links, return reasons, snapshot, workflow events; history of links
    # (+ document titles), of the assessment and of owners; answers; catalog (4); plain data of
    # the assessment (5); answer history; unread notifications; the region's documents
    with django_assert_num_queries(30):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["link_rows"]) == rounds


# --- owner OPD per indicator --------------------------------------------------------------------

OWNERS = "/penilaian/pengampu/19.01/?program=kla"


def owner_form(client, user, changes, reason):
    client.force_login(user)
    page = client.get(OWNERS)
    assert page.status_code == 200
    data = {
        key: page.context["form"][key].value()
        for key in page.context["form"].fields
        if key.startswith("o_")
    }
    disdik = OpdKind.objects.get(code="disdik").pk
    for code in changes:
        data[f"o_{code}"] = disdik
    data["reason"] = reason
    return client.post(OWNERS, data)


def test_koordinator_reassigns_an_indicator_and_the_new_opd_may_edit_it(
    client, koordinator_bangka, operator_dinkes_bangka, operator_disdik_bangka
):
    assessment = kla()

    response = owner_form(client, koordinator_bangka, ["KLA-3-01"], "Dialihkan ke Disdik (UKS)")

    assert response.status_code == 302
    owner = IndicatorOwner.objects.get(region__code="19.01", indicator_code="KLA-3-01")
    assert owner.owner_kind.code == "disdik"
    assert post(client, operator_dinkes_bangka, {"v_KLA-3-01": "25"}).status_code == 403
    assert post(client, operator_disdik_bangka, {"v_KLA-3-01": "25"}).status_code == 302
    assert stored(assessment) == {"KLA-3-01": D(25)}
    client.force_login(koordinator_bangka)
    history = client.get(URL).text.split('id="riwayat"')[1]
    assert "Dialihkan ke Disdik (UKS)" in history
    assert "Disdik" in history and "Dinkes" in history


def test_reassigning_needs_a_reason_and_changes_nothing_without_one(client, koordinator_bangka):
    response = owner_form(client, koordinator_bangka, ["KLA-3-01"], "")

    assert response.status_code == 200
    assert gettext("Give the reason for the change.") in response.text
    assert not IndicatorOwner.objects.exists()


def test_only_the_regions_koordinator_or_admin_reassigns(
    client, operator_dinkes_bangka, koordinator_belitung, verifikator
):
    client.force_login(operator_dinkes_bangka)
    assert client.get(OWNERS).status_code == 200
    assert client.post(OWNERS, {"o_KLA-3-01": 1, "reason": "x"}).status_code == 403
    client.force_login(verifikator)
    assert client.post(OWNERS, {"o_KLA-3-01": 1, "reason": "x"}).status_code == 403
    client.force_login(koordinator_belitung)
    assert client.get(OWNERS).status_code == 404
    assert client.post(OWNERS, {"o_KLA-3-01": 1, "reason": "x"}).status_code == 404

    assert not IndicatorOwner.objects.exists()


def test_setting_the_default_owner_back_removes_the_override(client, koordinator_bangka):
    owner_form(client, koordinator_bangka, ["KLA-3-01"], "Sementara")
    page = client.get(OWNERS)
    data = {
        k: page.context["form"][k].value() for k in page.context["form"].fields if k != "reason"
    }
    data["o_KLA-3-01"] = OpdKind.objects.get(code="dinkes").pk
    data["reason"] = "Kembali ke Dinkes"

    assert client.post(OWNERS, data).status_code == 302

    assert not IndicatorOwner.objects.exists()
    assert IndicatorOwner.history.filter(history_type="-").get().history_change_reason == (
        "Kembali ke Dinkes"
    )
