"""Importing Kampung KB rows per desa and year (the ``kampung_kb`` sheet)."""

import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from impor import engine
from impor.exports import export_workbook
from kampung_kb.models import DesaRecord
from penilaian.models import Assessment, Edition
from regions.models import Desa
from regions.scoping import scope_for
from tests.impor_files import (  # noqa: F401 (fixtures)
    KAMPUNG_KB,
    apply,
    bahasa,
    impor_media,
    preview,
    snapshot,
    xlsx,
)

pytestmark = pytest.mark.django_db


def kkb(*rows, headers=KAMPUNG_KB) -> bytes:
    return xlsx([headers, *map(list, rows)], sheet="kampung_kb")


@pytest.fixture
def desa_codes(db) -> list[str]:
    return list(
        Desa.objects.filter(region__code="19.01")
        .order_by("code")
        .values_list("code", flat=True)[:3]
    )


def row(code, year=2025, **changes) -> list:
    values = {
        "kampung_kb": "ya",
        "capaian_kkbpk": "Y",
        "kinerja_patbm": 1,
        "industri_rumahan": "berkembang",
        "akta_kelahiran_persen": 90.5,
        "program_lintas_sektor": 2,
        "kelas_bkkbn": "",
        "indeks_input": 3,
        "indeks_proses": 3,
        "indeks_output": 3,
    } | changes
    return [code, year, *(values[column] for column in KAMPUNG_KB[2:])]


def test_good_rows_are_imported_with_history_into_a_new_draft_assessment(admin_user, desa_codes):
    data = kkb(
        row(desa_codes[0]),
        row(desa_codes[1], kampung_kb="tidak", industri_rumahan="Tidak Ada", kelas_bkkbn="mandiri"),
    )
    assert preview(admin_user, data, "kampung_kb").plan.new == 2
    outcome = apply(admin_user, data, "kampung_kb")
    assert outcome.record is not None
    first = DesaRecord.objects.get(desa__code=desa_codes[0])
    assert (first.kampung_kb, first.capaian_kkbpk, first.kinerja_patbm) == (True, True, True)
    assert first.akta_kelahiran_persen == Decimal("90.5")
    assert (first.program_lintas_sektor, first.indeks_output) == (2, 3)
    second = DesaRecord.objects.get(desa__code=desa_codes[1])
    assert (second.kampung_kb, second.industri_rumahan, second.kelas_bkkbn) == (
        False,
        "tidak_ada",
        "Mandiri",
    )
    assert DesaRecord.history.filter(history_type="+").count() == 2
    assessment = Assessment.objects.get(edition__program="kampung_kb", edition__year=2025)
    assert (assessment.region.code, assessment.status) == ("19.01", "draft")


def test_reimport_changes_nothing_and_edits_change_exactly_the_edited_rows(admin_user, desa_codes):
    data = kkb(*(row(code) for code in desa_codes))
    apply(admin_user, data, "kampung_kb")
    assert preview(admin_user, data, "kampung_kb").no_changes
    edited = kkb(
        row(desa_codes[0]), row(desa_codes[1], akta_kelahiran_persen=70), row(desa_codes[2])
    )
    outcome = apply(admin_user, edited, "kampung_kb")
    assert (outcome.plan.new, outcome.plan.changed, outcome.plan.unchanged) == (0, 1, 2)
    assert DesaRecord.history.filter(history_type="~").count() == 1
    assert DesaRecord.objects.get(desa__code=desa_codes[1]).akta_kelahiran_persen == 70


def test_without_the_optional_columns_the_stored_indices_are_kept(admin_user, desa_codes):
    apply(admin_user, kkb(row(desa_codes[0], indeks_input=4)), "kampung_kb")
    short = KAMPUNG_KB[:8]
    data = xlsx([short, row(desa_codes[0], program_lintas_sektor=5)[:8]], sheet="kampung_kb")
    outcome = apply(admin_user, data, "kampung_kb")
    assert outcome.plan.changed == 1
    record = DesaRecord.objects.get(desa__code=desa_codes[0])
    assert (record.program_lintas_sektor, record.indeks_input) == (5, 4)


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [
        (
            {"akta_kelahiran_persen": 120},
            "akta_kelahiran_persen",
            "Persentase akta kelahiran harus antara 0 dan 100.",
        ),
        (
            {"program_lintas_sektor": -1},
            "program_lintas_sektor",
            "Jumlah program lintas sektor tidak boleh negatif.",
        ),
        (
            {"program_lintas_sektor": 1.5},
            "program_lintas_sektor",
            "Jumlah program lintas sektor harus bilangan bulat.",
        ),
        (
            {"industri_rumahan": "hebat"},
            "industri_rumahan",
            "Industri Rumahan harus salah satu dari: tidak_ada, pemula, berkembang, maju.",
        ),
        ({"indeks_output": 5}, "indeks_output", "Indeks harus bilangan bulat 1–4."),
        (
            {"kelas_bkkbn": "Super"},
            "kelas_bkkbn",
            "Kelas BKKBN harus salah satu dari: Dasar, Berkembang, Mandiri, Berkelanjutan.",
        ),
        ({"kampung_kb": ""}, "kampung_kb", "Wajib diisi (ya atau tidak)."),
        ({"capaian_kkbpk": "mungkin"}, "capaian_kkbpk", "Isi dengan ya atau tidak."),
    ],
)
def test_an_invalid_value_is_reported_and_nothing_is_written(
    admin_user, desa_codes, changes, column, message
):
    data = kkb(row(desa_codes[0]), row(desa_codes[1], **changes))
    outcome = preview(admin_user, data, "kampung_kb")
    assert [(e.row, e.column, e.message) for e in outcome.plan.errors] == [(3, column, message)]
    before = snapshot()
    assert apply(admin_user, data, "kampung_kb").record is None
    assert snapshot() == before


def test_unknown_desa_missing_edition_and_duplicates_are_reported(admin_user, desa_codes):
    data = kkb(
        row("19.01.99.2999"),
        row(desa_codes[0], year=2030),
        row(desa_codes[1]),
        row(desa_codes[1]),
    )
    outcome = preview(admin_user, data, "kampung_kb")
    twice = f"Kunci {desa_codes[1]} / 2025 muncul dua kali dalam berkas: baris 4 dan 5."
    assert [(e.row, e.column, e.message) for e in outcome.plan.errors] == [
        (2, "kode_desa", "Kode desa 19.01.99.2999 tidak dikenal."),
        (3, "tahun", "Tidak ada edisi Kampung KB untuk tahun 2030."),
        (4, "", twice),
    ]
    assert outcome.plan.invalid_rows == {2, 3, 4, 5}
    before = snapshot()
    apply(admin_user, data, "kampung_kb")
    assert snapshot() == before


def test_a_verified_kampung_kb_assessment_takes_no_import(admin_user, desa_codes):
    region = Desa.objects.get(code=desa_codes[0]).region
    Assessment.objects.create(
        edition=Edition.objects.get(program="kampung_kb", year=2025),
        region=region,
        status="verified",
    )
    before = snapshot()
    outcome = apply(admin_user, kkb(row(desa_codes[0])), "kampung_kb")
    assert outcome.plan.errors[0].message == (
        "Penilaian Kampung KB 2025 wilayah 19.01 sudah terverifikasi dan terkunci; "
        "tidak dapat diubah."
    )
    assert snapshot() == before


def test_an_export_reimports_unchanged_and_is_scoped(admin_user, koordinator_belitung, desa_codes):
    other = Desa.objects.filter(region__code="19.02").order_by("code").first().code
    apply(
        admin_user,
        kkb(*(row(code) for code in desa_codes), row(other, kelas_bkkbn="Dasar")),
        "kampung_kb",
    )
    exported = export_workbook("kampung_kb", scope_for(admin_user))
    outcome = preview(admin_user, exported, "kampung_kb")
    assert outcome.no_changes and outcome.plan.unchanged == 4
    belitung = export_workbook("kampung_kb", scope_for(koordinator_belitung))
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(belitung))
        .get_sheet_by_name("kampung_kb")
        .to_python()
    )
    assert [r[0] for r in rows[1:]] == [other]
    assert rows[1][2:5] == ["ya", "ya", "ya"]


def test_the_summary_counts_after_apply(admin_user, desa_codes):
    outcome = apply(admin_user, kkb(row(desa_codes[0])), "kampung_kb")
    assert engine.summary(outcome) == "Impor tersimpan: 1 baris baru, 0 diubah, 0 tidak berubah."
