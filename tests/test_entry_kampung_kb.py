"""Kampung KB data entry: a filterable table of desa rows, edited per page, within scope and OPD
ownership, with stale saves refused, reasons per desa and a constant number of queries."""

from decimal import Decimal as D

import pytest
from django.utils.translation import gettext

from kampung_kb.models import DesaRecord
from penilaian.models import Assessment, Edition, ReturnReason
from penilaian.services import get_or_create_assessment
from regions.models import Region, Role
from tests.conftest import make_user, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def started(db):
    """The assessments these tests fill, started as the koordinator would (a GET starts none)."""
    start("kampung_kb", "19.01", 2025)


URL = "/penilaian/kampung_kb/19.01/2025/"
BATU_RUSA = "19.01.03.2001"
BALUN_IJUK = "19.01.03.2002"


def assessment():
    return get_or_create_assessment(
        Edition.objects.get(program="kampung_kb", year=2025), Region.objects.get(code="19.01")
    )


def row(code, **fields):
    data = {
        f"{code}__kampung_kb": "ya",
        f"{code}__capaian_kkbpk": "ya",
        f"{code}__kinerja_patbm": "ya",
        f"{code}__industri_rumahan": "berkembang",
        f"{code}__akta_kelahiran_persen": "90",
        f"{code}__program_lintas_sektor": "2",
    }
    data.update({f"{code}__{name}": value for name, value in fields.items()})
    return data


def records():
    return {
        r.desa.code: (r.kampung_kb, r.akta_kelahiran_persen, r.program_lintas_sektor)
        for r in DesaRecord.objects.select_related("desa")
    }


@pytest.fixture
def operator_dukcapil_bangka(db):
    return make_user("opd.dukcapil.bangka.uji", Role.OPERATOR, "19.01", "dukcapil")


def test_table_filters_by_kecamatan_and_status(client, koordinator_bangka):
    client.force_login(koordinator_bangka)

    merawang = client.get(URL + "?kecamatan=19.01.03")
    no_data = client.get(URL + "?status=belum_ada_data")

    codes = [r["status"].code for r in merawang.context["rows"]]
    assert codes and all(code.startswith("19.01.03.") for code in codes)
    assert merawang.context["desa_count"] == 11 - 1  # 11 lines = the kecamatan + 10 desa
    assert no_data.context["desa_count"] == Region.objects.get(code="19.01").desa.count()
    assert f'name="{BATU_RUSA}__kampung_kb"' in merawang.text


def test_koordinator_saves_one_desa_and_no_other_rows_are_created(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    page = client.get(URL + "?kecamatan=19.01.03")
    shown = [r["status"].code for r in page.context["rows"]]

    response = client.post(
        URL + "?kecamatan=19.01.03", {"version": 1, "desa": shown, **row(BATU_RUSA)}
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?kecamatan=19.01.03")
    assert records() == {BATU_RUSA: (True, D(90), 2)}
    standar = client.get(URL + "?status=cikar")
    assert [r["status"].code for r in standar.context["rows"]] == [BATU_RUSA]
    assert standar.context["summary"].cikar == 1


def test_invalid_desa_values_are_shown_next_to_the_field_and_nothing_is_saved(
    client, koordinator_bangka
):
    client.force_login(koordinator_bangka)
    client.get(URL)

    response = client.post(
        URL + "?kecamatan=19.01.03",
        {
            "version": 1,
            "desa": [BATU_RUSA, BALUN_IJUK],
            **row(BATU_RUSA),
            **row(BALUN_IJUK, akta_kelahiran_persen="120"),
        },
    )

    assert response.status_code == 200
    cells = response.text.split(f'id="desa-{BALUN_IJUK}"')[1].split("</tr>")[0]
    assert "Persentase akta kelahiran harus antara 0 dan 100." in cells
    assert records() == {}


def test_a_stale_desa_save_is_refused(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    client.get(URL)
    client.post(URL, {"version": 1, "desa": [BATU_RUSA], **row(BATU_RUSA)})

    response = client.post(
        URL, {"version": 1, "desa": [BATU_RUSA], **row(BATU_RUSA, program_lintas_sektor="5")}
    )

    assert response.status_code == 409
    assert (
        gettext(
            "Someone else changed this assessment in the meantime. Reload the page and enter "
            "your changes again."
        )
        in response.text
    )
    assert records() == {BATU_RUSA: (True, D(90), 2)}


def test_an_operator_changes_only_the_fields_of_their_opd(
    client, koordinator_bangka, operator_dukcapil_bangka, operator_dinkes_bangka
):
    client.force_login(koordinator_bangka)
    client.get(URL)
    client.post(URL, {"version": 1, "desa": [BATU_RUSA], **row(BATU_RUSA)})

    client.force_login(operator_dukcapil_bangka)
    page = client.get(URL + "?kecamatan=19.01.03").text
    assert f'name="{BATU_RUSA}__akta_kelahiran_persen"' in page
    assert f'name="{BATU_RUSA}__kampung_kb"' not in page
    forbidden = client.post(
        URL,
        {
            "version": 2,
            "desa": [BATU_RUSA],
            f"{BATU_RUSA}__akta_kelahiran_persen": "80",
            f"{BATU_RUSA}__kampung_kb": "tidak",
        },
    )
    client.force_login(operator_dinkes_bangka)
    dinkes = client.post(
        URL, {"version": 2, "desa": [BATU_RUSA], f"{BATU_RUSA}__akta_kelahiran_persen": "80"}
    )

    assert (forbidden.status_code, dinkes.status_code) == (403, 403)
    assert records() == {BATU_RUSA: (True, D(90), 2)}
    client.force_login(operator_dukcapil_bangka)
    allowed = client.post(
        URL, {"version": 2, "desa": [BATU_RUSA], f"{BATU_RUSA}__akta_kelahiran_persen": "80"}
    )
    assert allowed.status_code == 302
    assert records() == {BATU_RUSA: (True, D(80), 2)}


def test_another_regions_officer_can_neither_read_nor_change_the_desa_rows(
    client, koordinator_bangka, koordinator_belitung
):
    client.force_login(koordinator_bangka)
    client.get(URL)
    client.post(URL, {"version": 1, "desa": [BATU_RUSA], **row(BATU_RUSA)})
    client.force_login(koordinator_belitung)

    assert client.get(URL).status_code == 404
    response = client.post(
        URL, {"version": 2, "desa": [BATU_RUSA], **row(BATU_RUSA, akta_kelahiran_persen="10")}
    )
    assert response.status_code == 404
    start("kampung_kb", "19.02", 2025)
    own = client.get("/penilaian/kampung_kb/19.02/2025/")
    client.post(
        "/penilaian/kampung_kb/19.02/2025/",
        {"version": own.context["assessment"].version, "desa": [BATU_RUSA], **row(BATU_RUSA)},
    )

    assert records() == {BATU_RUSA: (True, D(90), 2)}


def test_returned_desa_show_their_reason_in_the_table(client, koordinator_bangka, verifikator):
    client.force_login(koordinator_bangka)
    client.get(URL)
    client.post(URL, {"version": 1, "desa": [BATU_RUSA], **row(BATU_RUSA)})
    client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})
    client.force_login(verifikator)
    assert client.get(URL + "kembalikan/").status_code == 200

    response = client.post(URL + "kembalikan/", {f"r_{BATU_RUSA}": "SK penetapan belum ada."})

    assert response.status_code == 302
    reason = ReturnReason.objects.get()
    assert (reason.desa_code, reason.indicator) == (BATU_RUSA, None)
    client.force_login(koordinator_bangka)
    cells = client.get(URL + "?kecamatan=19.01.03").text.split(f'id="desa-{BATU_RUSA}"')[1]
    assert "SK penetapan belum ada." in cells.split("</tr>")[0]


def test_verification_freezes_the_kampung_kb_summary(client, koordinator_bangka, verifikator):
    client.force_login(koordinator_bangka)
    client.get(URL)
    client.post(URL, {"version": 1, "desa": [BATU_RUSA], **row(BATU_RUSA)})
    client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})
    client.force_login(verifikator)
    client.post(URL + "verifikasi/", {"confirm_reason": "Uji: belum lengkap"})

    page = client.get(URL)

    assert Assessment.objects.get(edition__program="kampung_kb").status == "verified"
    assert page.context["frozen_data"]["summary"]["cikar"] == 1
    assert page.context["rows_form"] is None


@pytest.mark.parametrize("count", [1, 3])
def test_the_kampung_kb_page_reads_with_a_constant_number_of_queries(
    client, koordinator_bangka, count, django_assert_num_queries
):
    client.force_login(koordinator_bangka)
    client.get(URL)
    codes = [BATU_RUSA, BALUN_IJUK, "19.01.03.2003"][:count]
    data = {"version": 1, "desa": codes}
    for code in codes:
        data.update(row(code))
    client.post(URL, data)
    assert assessment().version == 2

    # session, user, assignment; region, edition, assessment; indicators, OPD kinds, owner
    # overrides; evidence links, return reasons, snapshot, workflow events; history of links
    # (document titles only when there are links), assessment and owners; desa statuses (2);
    # desa history; kecamatan; unread notifications; the region's documents; the region-year's
    # number of potential desa (the target's base)
    with django_assert_num_queries(23):
        response = client.get(URL)
    assert response.status_code == 200
