"""The readiness reads use a constant number of queries: not more with more regions, desa,
indicators or years — both when every stored row is fresh and when they are all computed."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboard.models import StoredReadiness
from dashboard.readiness import readiness_for_region, readiness_for_year
from kampung_kb import demo as kampung_kb_demo
from kampung_kb.models import DesaRecord
from penilaian import demo as penilaian_demo
from penilaian.models import Answer, Assessment, Edition, Indicator
from penilaian.versions import bump_catalog_version, desa_regions_changed
from regions.models import Desa, Kecamatan, Region

pytestmark = pytest.mark.django_db

# Stored rows fresh: regions, editions, the stored rows (with the assessments' versions), awards.
YEAR_QUERIES = 4
REGION_QUERIES = 3  # the same without reading the regions
# Nothing stored yet: + 4 catalog queries, 5 assessment queries (assessments, answers, evidence,
# snapshots, owners), desa rows, desa totals, potential desa, and the upsert in its savepoint
# (3 statements).
COMPUTE_QUERIES = 15


@pytest.fixture
def demo():
    penilaian_demo.seed()
    kampung_kb_demo.seed()


def count(read) -> int:
    with CaptureQueriesContext(connection) as queries:
        rows = read()
    assert rows, "the read returned nothing: the count would prove nothing"
    return len(queries)


def forget_stored() -> None:
    StoredReadiness.objects.all().delete()


def counts(read) -> tuple[int, int]:
    """(queries with nothing stored, queries with every row stored and fresh)."""
    forget_stored()
    return count(read), count(read)


def test_one_and_three_regions_read_with_the_same_queries(demo, django_assert_num_queries):
    one = Region.objects.filter(code="19.01")
    three = Region.objects.filter(code__in=["19.01", "19.02", "19.71"])
    stored = (YEAR_QUERIES + COMPUTE_QUERIES, YEAR_QUERIES)
    assert counts(lambda: readiness_for_year(2025, one)) == stored
    assert counts(lambda: readiness_for_year(2025, three)) == stored
    with django_assert_num_queries(YEAR_QUERIES):
        assert len(readiness_for_year(2025, three, verified_only=True)) == 3


def test_one_and_three_years_read_with_the_same_queries(demo):
    bangka = Region.objects.get(code="19.01")
    stored = (REGION_QUERIES + COMPUTE_QUERIES, REGION_QUERIES)
    assert counts(lambda: readiness_for_region(bangka, [2025])) == stored
    assert counts(lambda: readiness_for_region(bangka, [2023, 2024, 2025])) == stored
    assert counts(lambda: readiness_for_region(bangka)) == stored


def add_desa(region, kecamatan, start, stop, assessment):
    desa = Desa.objects.bulk_create(
        Desa(
            code=f"{kecamatan.code}.{2000 + n:04d}",
            name=f"Desa Uji {n}",
            kecamatan=kecamatan,
            region=region,
            jenis="desa",
        )
        for n in range(start, stop)
    )
    DesaRecord.objects.bulk_create(
        DesaRecord(
            assessment=assessment,
            desa=d,
            kampung_kb=n % 2 == 0,
            capaian_kkbpk=True,
            kinerja_patbm=True,
            industri_rumahan="maju",
            akta_kelahiran_persen=D(90),
            program_lintas_sektor=n % 3,
        )
        for n, d in enumerate(desa)
    )
    desa_regions_changed([region.pk])  # bulk writes bump the versions themselves


def test_ten_and_three_hundred_desa_read_with_the_same_queries():
    province = Region.objects.get(code="19")
    region = Region.objects.create(
        code="19.99", name="Kabupaten Uji", kind="kabupaten", parent=province
    )
    kecamatan = Kecamatan.objects.create(code="19.99.01", name="Kecamatan Uji", region=region)
    editions = {e.program: e for e in Edition.objects.filter(year=2025)}
    assessments = {
        program: Assessment.objects.create(edition=edition, region=region)
        for program, edition in editions.items()
    }
    for program in ("ape", "kla"):
        first = Indicator.objects.filter(edition=editions[program], kind="ladder").first()
        Answer.objects.create(
            assessment=assessments[program], indicator=first, value=first.options[-1]["points"]
        )
    regions = Region.objects.filter(code="19.99")

    add_desa(region, kecamatan, 0, 10, assessments["kampung_kb"])
    (row,) = readiness_for_year(2025, regions)
    assert (row.kampung_kb.summary.desa_total, row.kampung_kb.summary.kampung_kb) == (10, 5)
    ten = counts(lambda: readiness_for_year(2025, regions))
    ten_years = counts(lambda: readiness_for_region(region))

    add_desa(region, kecamatan, 10, 300, assessments["kampung_kb"])
    (row,) = readiness_for_year(2025, regions)
    assert (row.kampung_kb.summary.desa_total, row.kampung_kb.summary.kampung_kb) == (300, 150)
    assert counts(lambda: readiness_for_year(2025, regions)) == ten
    assert ten == (YEAR_QUERIES + COMPUTE_QUERIES, YEAR_QUERIES)
    assert counts(lambda: readiness_for_region(region)) == ten_years
    assert ten_years == (REGION_QUERIES + COMPUTE_QUERIES, REGION_QUERIES)


def test_more_indicators_read_with_the_same_queries(demo):
    regions = Region.objects.filter(code__in=["19.01", "19.02", "19.71"])
    before = counts(lambda: readiness_for_year(2025, regions))
    edition = Edition.objects.get(program="ape", year=2025)
    group = edition.groups.get(code="partisipasi_masyarakat")
    Indicator.objects.bulk_create(
        Indicator(
            edition=edition,
            group=group,
            code=f"APE-PAR-{n:02d}",
            text="Indikator uji",
            order=n,
            kind="yesno",
            max_score=1,
        )
        for n in range(10, 40)
    )
    bump_catalog_version([edition.pk])  # a bulk catalog edit bumps the version itself
    rows = readiness_for_year(2025, regions)
    assert rows[0].ape.completeness.total == Indicator.objects.filter(edition=edition).count()
    assert counts(lambda: readiness_for_year(2025, regions)) == before
    assert before == (YEAR_QUERIES + COMPUTE_QUERIES, YEAR_QUERIES)
