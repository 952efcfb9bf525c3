"""Issue #14, second half: provisional rules visible (/metode/ and the marks), awards as the
sources say, a gap list that says what to do, and the domain corrections (APE scale before 2023,
desa potensial as the Kampung KB target's base, the award's published score)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from kampung_kb.models import DesaPotensial
from kampung_kb.scoring import BKKBN_RULES, CIKAR_RULES, POTENSIAL_DEFAULT_RULE, TARGET_RULES
from kla.scoring import PREDICATE_RULES
from penilaian.models import (
    Answer,
    Assessment,
    AwardResult,
    Edition,
    Indicator,
    Level,
    Program,
)
from prasyarat.scoring import CATEGORY_RULES, STATE_RULES
from regions.models import Desa, Region
from tests.conftest import make_user
from tests.test_dashboard_builders import fill, fill_desa

pytestmark = pytest.mark.django_db
Status = Assessment.Status
ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {
    "ape": ROOT / "prasyarat" / "data" / "catalog.json",
    "kla": ROOT / "kla" / "data" / "catalog.json",
    "kampung_kb": ROOT / "kampung_kb" / "data" / "catalog.json",
}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def catalog(program: str) -> dict:
    return json.loads(CATALOGS[program].read_text(encoding="utf-8"))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def set_value(assessment: Assessment, code: str, value: str) -> None:
    Answer.objects.filter(assessment=assessment, indicator__code=code).update(value=Decimal(value))
    Assessment.objects.filter(pk=assessment.pk).update(version=assessment.version + 1)


# --- /metode/ ---------------------------------------------------------------------------------


def metode_rows(html: str) -> set[tuple[str, int, str, bool]]:
    rows = set()
    for match in re.finditer(
        r'data-rule="([^"]+)" data-program="([^"]+)" data-years="([^"]+)" '
        r'data-provisional="(true|false)"',
        html,
    ):
        code, program, years, provisional = match.groups()
        for year in years.split():
            rows.add((program, int(year), code, provisional == "true"))
    return rows


def test_metode_is_public_and_lists_exactly_the_rules_the_catalogs_mark_provisional(client):
    html = page(client, "/metode/")  # anonymous: no login needed

    shown = metode_rows(html)
    expected = {
        (program, year, rule["code"], rule["provisional"])
        for program in CATALOGS
        for rule in catalog(program)["rules"]
        for year in catalog(program)["years"]
    }
    assert shown == expected
    provisional_shown = {(p, y, c) for p, y, c, flag in shown if flag}
    assert provisional_shown == {(p, y, c) for p, y, c, flag in expected if flag}
    assert ("kla", 2025, "KLA-BOBOT") in provisional_shown
    assert ("ape", 2021, "APE-KATEGORI") in provisional_shown
    assert ("kla", 2025, "KLA-PREDIKAT", False) in shown  # confirmed [C1: S42]


def test_metode_gives_every_rule_an_anchor_value_and_source(client):
    html = page(client, "/metode/")

    for program in CATALOGS:
        for rule in catalog(program)["rules"]:
            assert f'id="{rule["code"]}"' in html
    text = text_of(html)
    assert "KemenPPPA" in text and "BKKBN" in text  # the estimate is not their award
    # values read from the editions: the older APE scale has no Nindya, 2023 on has it
    assert re.search(r"2021–2022 Pratama ≥ 50 · Madya ≥ 60 · Utama ≥ 80 · Mentor ≥ 90", text)
    assert re.search(r"2023–2026 Pratama ≥ 50 · Madya ≥ 60 · Nindya ≥ 70", text)
    assert "Komitmen 15" in text and "(= 1.000)" in text
    assert "0–4,99 %: 40" in text  # KLA-2-01's bands, lower is better
    assert "Permen PPPA 12/2011" in text


def test_metode_follows_an_admin_edit_of_a_rule(client):
    edition = Edition.objects.get(program=Program.KLA, year=2026)
    edition.rules = [
        dict(r, provisional=False) if r["code"] == "KLA-BOBOT" else r for r in edition.rules
    ]
    edition.save()

    rows = metode_rows(page(client, "/metode/"))

    assert ("kla", 2026, "KLA-BOBOT", False) in rows
    assert ("kla", 2025, "KLA-BOBOT", True) in rows


def test_every_rule_a_result_rests_on_is_in_every_catalog_edition():
    codes = {
        "ape": {*CATEGORY_RULES, *STATE_RULES},
        "kla": set(PREDICATE_RULES),
        "kampung_kb": {*CIKAR_RULES, *TARGET_RULES, POTENSIAL_DEFAULT_RULE, *BKKBN_RULES},
    }
    for program, needed in codes.items():
        assert needed == {rule["code"] for rule in catalog(program)["rules"]}
        for edition in Edition.objects.filter(program=program):
            assert needed == {rule["code"] for rule in edition.rules}


def test_rules_are_validated_when_the_admin_edits_them():
    edition = Edition.objects.get(program=Program.KLA, year=2025)
    edition.rules = [{"code": "kla bobot", "name": "x", "provisional": True}]
    with pytest.raises(ValidationError):
        edition.full_clean()
    edition.rules = [{"code": "KLA-X", "name": "x", "provisional": "yes"}]
    with pytest.raises(ValidationError):
        edition.full_clean()


# --- marks on every page, the API and the exports ---------------------------------------------


@pytest.fixture
def kla_2025():
    fill("19.01", Program.KLA, 2025, 0.7, Status.VERIFIED)
    fill("19.01", Program.APE, 2025, 0.7, Status.VERIFIED)
    fill_desa("19.01", 2025, Status.VERIFIED)


MARK = re.compile(r'class="prov-mark" href="/metode/#([A-Z0-9-]+)"')


@pytest.mark.parametrize(
    "url",
    [
        "/?tahun=2025",
        "/wilayah/19.01/?tahun=2025",
        "/wilayah/19.01/cetak/?tahun=2025",
        "/ape/?tahun=2025",
        "/kla/?tahun=2025",
    ],
)
def test_results_on_provisional_rules_carry_a_mark_linking_to_the_rule(
    client, admin_user, kla_2025, url
):
    client.force_login(admin_user)

    html = page(client, url)

    anchors = set(MARK.findall(html))
    assert anchors, url
    assert anchors <= {"APE-KATEGORI", "KLA-BOBOT", "KKB-IR"}
    assert "/metode/" in html


def test_the_public_page_marks_estimates_and_says_they_are_not_an_award(client, kla_2025):
    html = page(client, "/publik/?tahun=2025")

    assert {"APE-KATEGORI", "KLA-BOBOT", "KKB-IR"} <= set(MARK.findall(html))
    text = text_of(html)
    assert "bukan penghargaan KemenPPPA" in text and "BKKBN" in text


def test_a_result_on_confirmed_rules_only_has_no_mark(client, admin_user, kla_2025):
    for edition in Edition.objects.filter(program=Program.KLA, year=2025):
        edition.rules = [dict(rule, provisional=False) for rule in edition.rules]
        edition.save()
    client.force_login(admin_user)

    html = page(client, "/kla/?tahun=2025")

    assert "KLA-BOBOT" not in set(MARK.findall(html))


def test_the_readiness_api_says_which_provisional_rules_a_result_rests_on(client, kla_2025):
    client.force_login(make_user("verif.metode", "verifikator"))

    body = client.get("/api/v1/readiness/?year=2025").json()

    row = next(r for r in body["results"] if r["region"] == "19.01")
    assert row["kla"]["provisional"] is True
    assert row["kla"]["provisional_rules"] == ["KLA-BOBOT", "KLA-SKALA"]
    assert row["ape"]["provisional_rules"] == ["APE-KATEGORI", "APE-BOBOT", "APE-SKALA"]
    assert "KKB-POTENSIAL" in row["kampung_kb"]["provisional_rules"]
    assert row["kampung_kb"]["desa_potensial"] == Desa.objects.filter(region__code="19.01").count()
    empty = next(r for r in body["results"] if r["region"] == "19.02")
    assert (empty["kla"]["provisional"], empty["kla"]["provisional_rules"]) == (False, [])


def test_the_openapi_schema_documents_the_provisional_fields(client):
    schema = client.get("/api/schema/?format=json").json()

    for name in ("ApeScore", "KlaScore", "KampungKbScore"):
        properties = schema["components"]["schemas"][name]["properties"]
        assert properties["provisional"]["type"] == "boolean"
        assert properties["provisional_rules"]["type"] == "array"
        assert "/metode/" in properties["provisional_rules"]["description"]
    award = schema["components"]["schemas"]["Award"]["properties"]
    assert {"published_score", "standing"} <= set(award)


def test_exports_have_a_provisional_rules_column(client, admin_user, kla_2025):
    client.force_login(admin_user)

    def sheet_rows(url: str, title: str):
        response = client.get(url)
        book = load_workbook(BytesIO(response.content))
        rows = list(book[title].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    recap = {r["kode_wilayah"]: r for r in sheet_rows("/ekspor/rekap.xlsx?tahun=2025", "rekap")}
    assert recap["19.01"]["kla_aturan_sementara"] == "KLA-BOBOT, KLA-SKALA"
    assert recap["19.01"]["ape_aturan_sementara"] == "APE-KATEGORI, APE-BOBOT, APE-SKALA"
    assert "KKB-POTENSIAL" in recap["19.01"]["kkb_aturan_sementara"]
    assert recap["19.02"]["kla_aturan_sementara"] is None  # no result, nothing to mark
    kla = {r["kode_wilayah"]: r for r in sheet_rows("/ekspor/kla.xlsx?tahun=2025", "kla")}
    assert kla["19.01"]["kla_aturan_sementara"] == "KLA-BOBOT, KLA-SKALA"


# --- the gap list says what to do --------------------------------------------------------------


def test_the_gap_list_shows_values_in_their_unit_and_targets_in_the_right_direction(
    client, koordinator_bangka
):
    assessment = fill("19.01", Program.KLA, 2025, 1.0)  # full marks: 1000
    set_value(assessment, "KLA-5-04", "71.57")  # 12 of 40
    set_value(assessment, "KLA-3-02", "16")  # malnutrition 16 %, lower is better: 0 of 30
    set_value(assessment, "KLA-2-01", "12")  # child marriage 12 %, lower is better: 20 of 40
    set_value(assessment, "KLA-KL-01", "15")  # a ladder at its second step: 15 of 40
    # 897 points; the top band raised to 981 needs 84: gains 30 + 28 + 25 = 83, then KLA-2-01
    # closes the last point at its easiest band (≤ 9,99 %), not at 0 %.
    Level.objects.filter(edition__program=Program.KLA, edition__year=2025, code="kla").update(
        lower_bound=981
    )
    client.force_login(koordinator_bangka)

    html = page(client, "/wilayah/19.01/?tahun=2025")

    gap = html[html.index('id="gap-kla-h"') :]
    gap = gap[: gap.index("</table>")]
    rows = {
        m.group(1): text_of(m.group(0))
        for m in re.finditer(r"<tr><td><strong>([A-Z0-9-]+)</strong>.*?</tr>", gap, re.S)
    }
    assert list(rows) == ["KLA-3-02", "KLA-5-04", "KLA-KL-01", "KLA-2-01"]
    assert "71,57 %" in rows["KLA-5-04"] and "≥ 90 %" in rows["KLA-5-04"]
    assert "16 %" in rows["KLA-3-02"] and "≤ 4,99 %" in rows["KLA-3-02"]
    assert "12 %" in rows["KLA-2-01"] and "≤ 9,99 %" in rows["KLA-2-01"]
    assert "+10" in rows["KLA-2-01"]
    assert "≥ 0" not in gap
    options = {
        o["points"]: o["label"]
        for o in Indicator.objects.get(edition__year=2025, code="KLA-KL-01").options
    }
    assert options["15"] in rows["KLA-KL-01"] and options["40"] in rows["KLA-KL-01"]
    assert "Bagian Hukum" in rows["KLA-KL-01"]  # the owner OPD
    assert "Dinas Kesehatan" in rows["KLA-3-02"]


# --- awards as the sources say -----------------------------------------------------------------


def test_the_region_page_names_both_sides_of_a_conflict_with_every_source(client, verifikator):
    client.force_login(verifikator)

    html = page(client, "/wilayah/19.01/?tahun=2025")

    row = html[html.index('id="award-kla-2025"') :]
    row = row[: row.index("</tr>")]
    assert "Madya" in row and "Nindya" in row
    assert "bertentangan" in text_of(row).lower()
    urls = {
        u
        for a in AwardResult.objects.filter(region__code="19.01", program="kla", year=2025)
        for u in a.source_urls
    }
    for url in urls:
        assert f'href="{url}"' in row  # the Nindya side's sources too
    assert "babelpos.disway.id/read/677592" in row


def test_inferred_awards_say_so_and_the_published_score_is_shown(client, verifikator):
    client.force_login(verifikator)

    pangkalpinang = page(client, "/wilayah/19.71/?tahun=2023")
    belitung = page(client, "/wilayah/19.02/?tahun=2025")
    bangka_barat = page(client, "/wilayah/19.05/?tahun=2023")

    row = pangkalpinang[pangkalpinang.index('id="award-kla-2023"') :]
    assert "diduga" in text_of(row[: row.index("</tr>")])
    row = bangka_barat[bangka_barat.index('id="award-kla-2023"') :]
    assert "diduga" in text_of(row[: row.index("</tr>")])
    row = belitung[belitung.index('id="award-kla-2019"') :]
    assert "609,93" in text_of(row[: row.index("</tr>")])
    assert AwardResult.objects.get(
        region__code="19.02", program="kla", year=2019
    ).published_score == Decimal("609.93")


def test_the_awards_api_gives_standing_and_published_score(client, verifikator):
    client.force_login(verifikator)

    rows = client.get("/api/v1/awards/?region=19.02&program=kla").json()["results"]
    belitung_2019 = next(r for r in rows if r["year"] == 2019)
    assert belitung_2019["published_score"] == 609.93
    assert belitung_2019["standing"] == "resmi"
    rows = client.get("/api/v1/awards/?region=19.01&program=kla").json()["results"]
    assert {r["standing"] for r in rows if r["year"] == 2025} == {"bertentangan"}


def test_the_dashboard_shows_the_province_awards_to_every_logged_in_user(
    client, koordinator_belitung
):
    client.force_login(koordinator_belitung)

    html = page(client, "/?tahun=2025")

    section = html[html.index('id="province-awards"') :]
    section = text_of(section[: section.index("</section>")])
    assert "Provila" in section and "2020" in section and "Nindya" in section
    assert "diduga" in section  # APE 2020 Madya is inferred


def test_an_award_of_another_year_is_not_compared_with_this_years_result(client, verifikator):
    fill("19.04", Program.KLA, 2024, 0.5, Status.VERIFIED)  # last award: Nindya 2022
    client.force_login(verifikator)

    html = page(client, "/kla/?tahun=2024")
    row = html[html.index("Kabupaten Bangka Tengah") :]
    row = text_of(row[: row.index("</tr>")])

    assert "Nindya (2022)" in row
    assert "≠" not in row


# --- domain corrections ------------------------------------------------------------------------


def test_ape_2021_and_2022_have_no_nindya_and_2023_does():
    names = {
        edition.year: [level.name for level in edition.levels.order_by("order")]
        for edition in Edition.objects.filter(program=Program.APE)
    }
    assert names[2021] == names[2022] == ["Pratama", "Madya", "Utama", "Mentor"]
    assert names[2023] == ["Pratama", "Madya", "Nindya", "Utama", "Mentor"]


def test_a_2022_ape_score_in_the_old_nindya_band_is_madya():
    assessment = fill("19.01", Program.APE, 2022, 0.75, Status.VERIFIED)  # 80 points
    set_value(assessment, "APE-KOM-03", "0")  # a yes/no of 2 points: 78
    from dashboard.readiness import readiness_for_year

    (row,) = readiness_for_year(2022, Region.objects.filter(code="19.01"))
    score = row.ape.result.score
    assert 70 <= score < 80, score  # Nindya's band from 2023 on
    assert row.ape.level_name == "Madya"
    assert row.ape.next_level.name == "Utama"


def test_desa_potensial_is_the_target_base_and_is_admin_editable(client, admin_user):
    fill_desa("19.06", 2025, Status.VERIFIED)
    total = Desa.objects.filter(region__code="19.06").count()
    client.force_login(admin_user)
    body = lambda: client.get("/api/v1/readiness/?year=2025&page_size=50").json()  # noqa: E731
    before = next(r for r in body()["results"] if r["region"] == "19.06")["kampung_kb"]

    response = client.post(
        "/admin/kampung_kb/desapotensial/add/",
        {"region": Region.objects.get(code="19.06").pk, "year": 2025, "jumlah": 20, "source": "SK"},
    )
    assert response.status_code == 302
    cache.clear()
    after = next(r for r in body()["results"] if r["region"] == "19.06")["kampung_kb"]

    assert before["desa_potensial"] == total and "KKB-POTENSIAL" in before["provisional_rules"]
    assert after["desa_potensial"] == 20 and "KKB-POTENSIAL" not in after["provisional_rules"]
    assert after["kampung_kb"] == before["kampung_kb"]  # the same desa, another base
    assert after["persen_kampung_kb"] > before["persen_kampung_kb"]


def test_desa_potensial_cannot_exceed_the_regions_desa():
    region = Region.objects.get(code="19.06")
    row = DesaPotensial(
        region=region, year=2025, jumlah=Desa.objects.filter(region=region).count() + 1
    )
    with pytest.raises(ValidationError):
        row.full_clean()


def test_only_the_admin_role_edits_desa_potensial(client):
    other = DesaPotensial.objects.create(
        region=Region.objects.get(code="19.06"), year=2025, jumlah=5
    )
    user = make_user("staff.bangka", "koordinator", "19.01")
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(codename__endswith="desapotensial"))
    client.force_login(user)

    assert client.get("/admin/kampung_kb/desapotensial/").status_code == 403
    response = client.post(
        f"/admin/kampung_kb/desapotensial/{other.pk}/change/",
        {"region": other.region_id, "year": 2025, "jumlah": 1},
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.jumlah == 5  # nothing changed


# --- scope of what is new ----------------------------------------------------------------------


def test_the_province_awards_show_no_regions_awards(client, koordinator_belitung):
    client.force_login(koordinator_belitung)

    html = page(client, "/?tahun=2025")

    section = html[html.index('id="province-awards"') :]
    section = section[: section.index("</section>")]
    assert "babelpos.disway.id/read/677592" not in section  # Bangka's own KLA 2025 source
    assert "Kabupaten Bangka" not in section


def test_metode_shows_no_region_data(client, kla_2025):
    html = page(client, "/metode/")

    for name in Region.objects.exclude(kind=Region.Kind.PROVINSI).values_list("name", flat=True):
        assert name not in html


def test_another_regions_gap_list_and_target_base_stay_hidden(client, koordinator_belitung):
    fill("19.01", Program.KLA, 2025, 0.3)
    DesaPotensial.objects.create(region=Region.objects.get(code="19.01"), year=2025, jumlah=40)
    client.force_login(koordinator_belitung)

    assert client.get("/wilayah/19.01/?tahun=2025").status_code == 404
    rows = client.get("/api/v1/readiness/?year=2025").json()["results"]
    assert [row["region"] for row in rows] == ["19.02"]


def test_the_kampung_kb_page_names_the_target_base_and_marks_its_default(
    client, koordinator_bangka
):
    fill_desa("19.01", 2025)
    client.force_login(koordinator_bangka)

    defaulted = text_of(page(client, "/penilaian/kampung_kb/19.01/2025/"))
    DesaPotensial.objects.create(region=Region.objects.get(code="19.01"), year=2025, jumlah=40)
    entered = page(client, "/penilaian/kampung_kb/19.01/2025/")

    total = Desa.objects.filter(region__code="19.01").count()
    assert f"dari {total} desa/kelurahan potensial" in defaulted
    assert "dari 40 desa/kelurahan potensial" in text_of(entered)
    assert "/metode/#KKB-IR" in entered  # Standar still rests on the home-industry threshold
