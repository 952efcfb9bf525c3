"""After ``migrate`` every database holds the reference data of contract §3."""

import re
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from penilaian.models import AwardResult, Edition, Group, Indicator, Level
from regions.models import Desa, Kecamatan, Opd, OpdKind, Region

pytestmark = pytest.mark.django_db

EXPECTED_REGIONS = {
    "19.01": ("Kabupaten Bangka", "kabupaten", 8, 81),
    "19.02": ("Kabupaten Belitung", "kabupaten", 5, 49),
    "19.03": ("Kabupaten Bangka Selatan", "kabupaten", 8, 53),
    "19.04": ("Kabupaten Bangka Tengah", "kabupaten", 6, 63),
    "19.05": ("Kabupaten Bangka Barat", "kabupaten", 6, 66),
    "19.06": ("Kabupaten Belitung Timur", "kabupaten", 7, 39),
    "19.71": ("Kota Pangkal Pinang", "kota", 7, 42),
}


def test_the_province_and_its_seven_regions():
    province = Region.objects.get(code="19")
    assert province.kind == "provinsi" and province.parent is None
    regions = Region.objects.exclude(kind="provinsi").annotate(
        n_kec=Count("kecamatan", distinct=True), n_desa=Count("desa", distinct=True)
    )
    got = {r.code: (r.name, r.kind, r.n_kec, r.n_desa) for r in regions}
    assert got == EXPECTED_REGIONS
    assert all(r.parent_id == province.pk for r in regions)


def test_kecamatan_and_desa_counts_and_codes():
    assert Kecamatan.objects.count() == 47
    assert Desa.objects.count() == 393
    assert Desa.objects.filter(jenis="desa").count() == 309
    assert Desa.objects.filter(jenis="kelurahan").count() == 84
    batu_rusa = Desa.objects.get(code="19.01.03.2001")
    assert (batu_rusa.name, batu_rusa.jenis, batu_rusa.region.code) == (
        "Batu Rusa",
        "desa",
        "19.01",
    )
    kuto_panji = Desa.objects.get(code="19.01.02.1001")
    assert (kuto_panji.name, kuto_panji.jenis) == ("Kuto Panji", "kelurahan")
    for desa in Desa.objects.select_related("kecamatan"):
        assert re.fullmatch(r"19\.\d{2}\.\d{2}\.[12]\d{3}", desa.code)
        assert desa.code.startswith(desa.kecamatan.code + ".")
        assert desa.jenis == ("kelurahan" if desa.code[9] == "1" else "desa")
        assert desa.region_id == desa.kecamatan.region_id


def test_every_region_has_the_standard_opd_list():
    kinds = OpdKind.objects.count()
    assert kinds >= 12
    assert Opd.objects.count() == 7 * kinds
    assert set(OpdKind.objects.values_list("code", flat=True)) >= {
        "bappeda", "dinkes", "disdik", "dukcapil", "dinsos", "dp3akb", "bpkad", "bag_hukum",
        "diskominfo", "disperindag", "dpmd",
    }  # fmt: skip


@pytest.mark.parametrize("program", ["ape", "kla", "kampung_kb"])
def test_editions_for_every_year_2021_to_2026(program):
    years = set(Edition.objects.filter(program=program).values_list("year", flat=True))
    assert years >= set(range(2021, 2027))


def test_indicator_codes_follow_the_contract_and_are_unique_across_programmes():
    edition_codes = {}
    for program, _year, code in Indicator.objects.values_list(
        "edition__program", "edition__year", "code"
    ):
        edition_codes.setdefault(code, set()).add(program)
    assert all(len(programs) == 1 for programs in edition_codes.values())
    codes = set(edition_codes)
    patterns = {
        "ape": r"APE-(KOM|KEB|KEL|SDA|DAT|ALA|PAR)-\d{2}",
        "kla": r"KLA-(KL|[1-5])-\d{2}",
        "kampung_kb": r"KKB-(KKBPK|PATBM|IR|AKTA|LINTAS)",
    }
    for code in codes:
        (program,) = edition_codes[code]
        assert re.fullmatch(patterns[program], code), code
    assert {f"KLA-KL-0{i}" for i in range(1, 8)} <= codes
    assert {"KKB-KKBPK", "KKB-PATBM", "KKB-IR", "KKB-AKTA", "KKB-LINTAS"} <= codes


def test_ape_scale_is_the_provisional_one_of_the_contract():
    edition = Edition.objects.get(program="ape", year=2025)
    groups = dict(edition.groups.values_list("code", "max_score"))
    assert groups == {
        "komitmen": 15, "kebijakan": 15, "kelembagaan": 15, "sumber_daya": 15,
        "data_terpilah": 15, "alat_analisis": 15, "partisipasi_masyarakat": 10,
    }  # fmt: skip
    assert edition.provisional
    bounds = list(edition.levels.values_list("name", "lower_bound"))
    assert bounds == [("Pratama", 50), ("Madya", 60), ("Nindya", 70), ("Utama", 80), ("Mentor", 90)]
    assert edition.params["terpenuhi_ratio"] == "0.8"


def test_kla_totals_1000_with_the_predicate_bounds():
    edition = Edition.objects.get(program="kla", year=2025)
    assert [g.code for g in edition.groups.all()] == ["kelembagaan"] + [
        f"klaster_{i}" for i in range(1, 6)
    ]
    assert edition.indicators.aggregate(s=Sum("max_score"))["s"] == Decimal(1000)
    for group in Group.objects.filter(edition__program__in=["ape", "kla"]).annotate(
        s=Sum("indicators__max_score")
    ):
        assert group.s == group.max_score, group
    bounds = list(Level.objects.filter(edition=edition).values_list("name", "lower_bound"))
    assert bounds == [
        ("Pratama", 500),
        ("Madya", 601),
        ("Nindya", 701),
        ("Utama", 801),
        ("KLA", 901),
    ]


def test_kampung_kb_thresholds_are_data_of_the_edition():
    params = Edition.objects.get(program="kampung_kb", year=2025).params
    assert Decimal(params["akta_min_persen"]) == 85
    assert int(params["bkkbn_threshold"]) == 3
    assert Decimal(params["target_persen_kampung_kb"]) == 90


def test_award_history_keeps_sources_and_conflicts():
    assert AwardResult.objects.count() >= 30
    assert not AwardResult.objects.filter(source_urls=[]).exists()
    bangka_2025 = AwardResult.objects.filter(region__code="19.01", program="kla", year=2025)
    assert {a.result for a in bangka_2025} == {"Nindya", "Madya"}
    assert all(a.conflicting for a in bangka_2025)
    belitung_2019 = AwardResult.objects.get(region__code="19.02", program="kla", year=2019)
    assert belitung_2019.result == "Pratama" and "609" in belitung_2019.note
    assert AwardResult.objects.filter(region__code="19", program="provila").exists()


def test_reference_loading_is_idempotent():
    from django.apps import apps

    from penilaian import catalog
    from regions import reference

    before = (Region.objects.count(), Desa.objects.count(), Opd.objects.count(),
              Indicator.objects.count(), AwardResult.objects.count())  # fmt: skip
    reference.load_wilayah(Region, Kecamatan, Desa)
    reference.load_opd(Region, OpdKind, Opd)
    catalog.load_awards(apps)
    catalog.load_catalog(
        apps,
        catalog.read_json(
            catalog.AWARDS_JSON.parent.parent.parent / "kla" / "data" / "catalog.json"
        ),
    )
    after = (Region.objects.count(), Desa.objects.count(), Opd.objects.count(),
             Indicator.objects.count(), AwardResult.objects.count())  # fmt: skip
    assert before == after
