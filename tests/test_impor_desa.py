"""Importing desa/kelurahan (the ``desa`` sheet)."""

import pytest

from impor.exports import export_workbook
from regions.models import Desa, Kecamatan
from regions.scoping import scope_for
from tests.impor_files import (  # noqa: F401 (fixtures)
    DESA,
    apply,
    bahasa,
    impor_media,
    preview,
    snapshot,
    xlsx,
)

pytestmark = pytest.mark.django_db


def desa_file(*rows) -> bytes:
    return xlsx([DESA, *map(list, rows)], sheet="desa")


def test_a_new_desa_is_created_in_its_kecamatans_region(admin_user):
    kecamatan = Kecamatan.objects.get(code="19.01.03")
    outcome = apply(
        admin_user, desa_file(("19.01.03.2099", "Desa Baru", "19.01.03", "desa")), "desa"
    )
    assert outcome.plan.new == 1 and outcome.record is not None
    created = Desa.objects.get(code="19.01.03.2099")
    assert (created.name, created.kecamatan, created.region, created.jenis) == (
        "Desa Baru",
        kecamatan,
        kecamatan.region,
        "desa",
    )


def test_a_renamed_desa_is_updated_and_the_others_are_unchanged(admin_user):
    batu_rusa = Desa.objects.get(code="19.01.03.2001")
    kuto_panji = Desa.objects.get(code="19.01.02.1001")
    data = desa_file(
        (batu_rusa.code, "Batu Rusa Baru", "19.01.03", "desa"),
        (kuto_panji.code, kuto_panji.name, "19.01.02", "KELURAHAN"),
    )
    outcome = apply(admin_user, data, "desa")
    assert (outcome.plan.new, outcome.plan.changed, outcome.plan.unchanged) == (0, 1, 1)
    assert Desa.objects.get(code=batu_rusa.code).name == "Batu Rusa Baru"


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (
            ("19.01.03.20", "X", "19.01.03", "desa"),
            "kode_desa",
            "Kode desa berbentuk 19.01.03.2001 (tertulis 19.01.03.20).",
        ),
        (
            ("19.01.03.2098", "X", "19.01.99", "desa"),
            "kode_kecamatan",
            "Kode kecamatan 19.01.99 tidak dikenal.",
        ),
        (
            ("19.01.03.2098", "X", "19.01.02", "desa"),
            "kode_kecamatan",
            "Kode desa 19.01.03.2098 tidak termasuk kecamatan 19.01.02.",
        ),
        (
            ("19.01.03.2098", "X", "19.01.03", "kelurahan"),
            "jenis",
            "Menurut kodenya ini desa: bagian keempat diawali 2 untuk desa dan 1 untuk kelurahan.",
        ),
        (("19.01.03.2098", "X", "19.01.03", "kampung"), "jenis", "Isi dengan desa atau kelurahan."),
        (("19.01.03.2098", "", "19.01.03", "desa"), "nama", "Wajib diisi."),
    ],
)
def test_an_invalid_desa_row_is_reported_and_nothing_is_written(admin_user, row, column, message):
    data = desa_file(("19.01.03.2099", "Desa Baru", "19.01.03", "desa"), row)
    outcome = preview(admin_user, data, "desa")
    assert [(e.row, e.column, e.message) for e in outcome.plan.errors] == [(3, column, message)]
    before = snapshot()
    assert apply(admin_user, data, "desa").record is None
    assert snapshot() == before


def test_every_desa_of_the_province_exports_and_reimports_unchanged(admin_user):
    exported = export_workbook("desa", scope_for(admin_user))
    outcome = preview(admin_user, exported, "desa")
    assert outcome.no_changes
    assert outcome.plan.unchanged == Desa.objects.count() == 393
