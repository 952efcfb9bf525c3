"""Importing indicator values (the ``nilai`` sheet): preview, all or nothing, every error kind,
history, the import record, scoping and the export round trip."""

import hashlib
import io
from decimal import Decimal

import pytest
import tablib
from django.core.exceptions import PermissionDenied
from python_calamine import CalamineWorkbook

from impor import engine
from impor.exports import export_workbook
from impor.models import ImportRecord
from impor.resources import NaturalKeyInstanceLoader, NilaiResource
from penilaian.models import Answer, Assessment, Edition, Indicator
from regions.models import Region
from regions.scoping import scope_for
from tests.impor_files import (  # noqa: F401 (fixtures)
    NILAI,
    Formula,
    apply,
    bahasa,
    csv_bytes,
    impor_media,
    preview,
    snapshot,
    xlsx,
)

pytestmark = pytest.mark.django_db


def nilai(*rows) -> bytes:
    return xlsx([NILAI, *map(list, rows)])


def answer(region: str, year: int, code: str) -> Answer:
    return Answer.objects.select_related("assessment").get(
        assessment__region__code=region, assessment__edition__year=year, indicator__code=code
    )


GOOD = [
    ("19.01", 2025, "APE-KOM-01", 3, "Perkada 2024"),
    ("19.01", 2025, "APE-KOM-03", "ya", ""),
    ("19.01", 2025, "KLA-KL-01", 25, ""),
]


def test_a_good_file_is_previewed_with_counts_and_nothing_is_written(admin_user):
    before = snapshot()
    outcome = preview(admin_user, nilai(*GOOD))
    assert outcome.ok and outcome.can_apply
    assert (outcome.plan.new, outcome.plan.changed, outcome.plan.unchanged) == (3, 0, 0)
    assert [c.key for c in outcome.plan.preview] == [
        "19.01 / 2025 / APE-KOM-01",
        "19.01 / 2025 / APE-KOM-03",
        "19.01 / 2025 / KLA-KL-01",
    ]
    assert snapshot() == before


def test_confirming_writes_every_row_with_history_and_records_the_import(admin_user):
    data = nilai(*GOOD)
    outcome = apply(admin_user, data, name="nilai_2025.xlsx")
    assert engine.summary(outcome) == ("Impor tersimpan: 3 baris baru, 0 diubah, 0 tidak berubah.")
    assert answer("19.01", 2025, "APE-KOM-01").value == Decimal("3")
    assert answer("19.01", 2025, "APE-KOM-01").note == "Perkada 2024"
    assert answer("19.01", 2025, "APE-KOM-03").value == Decimal("1")
    assert answer("19.01", 2025, "KLA-KL-01").value == Decimal("25")
    history = Answer.history.filter(history_type="+")
    assert history.count() == 3
    assert {h.history_user_id for h in history} == {admin_user.pk}
    assert {h.history_change_reason for h in history} == {"Impor Excel: nilai_2025.xlsx"}
    # The missing APE and KLA assessments were created in draft, with their own history.
    created = Assessment.objects.filter(region__code="19.01", edition__year=2025)
    assert sorted(created.values_list("edition__program", "status")) == [
        ("ape", "draft"),
        ("kla", "draft"),
    ]
    assert Assessment.history.filter(history_type="+").count() == 2
    record = ImportRecord.objects.get()
    assert record.user == admin_user
    assert record.file_name == "nilai_2025.xlsx"
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.size == len(data)
    assert (record.rows_total, record.rows_new, record.rows_changed, record.rows_unchanged) == (
        3,
        3,
        0,
        0,
    )
    assert record.region is None  # an admin imports for every region


def test_reimporting_the_same_file_changes_nothing_and_says_so(admin_user):
    data = nilai(*GOOD)
    apply(admin_user, data)
    history = Answer.history.count()
    versions = list(Assessment.objects.values_list("pk", "version"))
    again = preview(admin_user, data)
    assert again.no_changes and not again.can_apply
    assert engine.summary(again) == (
        "Tidak ada perubahan: isi berkas sama dengan data yang tersimpan (3 baris)."
    )
    applied = apply(admin_user, data)
    assert (applied.plan.new, applied.plan.changed, applied.plan.unchanged) == (0, 0, 3)
    assert Answer.history.count() == history
    assert list(Assessment.objects.values_list("pk", "version")) == versions


def test_changed_values_update_exactly_the_changed_rows(admin_user):
    codes = [i.code for i in Indicator.objects.filter(edition__program="kla", edition__year=2024)]
    ladder = {
        i.code: sorted({Decimal(str(o["points"])) for o in i.options})
        for i in Indicator.objects.filter(edition__program="kla", edition__year=2024, kind="ladder")
    }
    rows = [("19.02", 2024, code, ladder[code][0], "") for code in codes if code in ladder]
    apply(admin_user, nilai(*rows))
    untouched = {a.pk: a.updated_at for a in Answer.objects.all()}
    changed_codes = [row[2] for row in rows[:3]]
    edited = [(r, y, c, ladder[c][1] if c in changed_codes else v, n) for r, y, c, v, n in rows]
    outcome = apply(admin_user, nilai(*edited))
    assert (outcome.plan.new, outcome.plan.changed, outcome.plan.unchanged) == (
        0,
        3,
        len(rows) - 3,
    )
    changes = Answer.history.filter(history_type="~")
    assert sorted(h.indicator.code for h in changes) == sorted(changed_codes)
    for row in Answer.objects.select_related("indicator"):
        if row.indicator.code in changed_codes:
            assert row.value == ladder[row.indicator.code][1]
        else:
            assert row.updated_at == untouched[row.pk]
    kla = Assessment.objects.get(region__code="19.02", edition__program="kla", edition__year=2024)
    assert kla.version == 2  # the import bumped the version: stale forms are refused


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        (("19.99", 2025, "APE-KOM-02", 2, ""), "kode_wilayah", "Kode wilayah 19.99 tidak dikenal."),
        (
            ("19", 2025, "APE-KOM-02", 2, ""),
            "kode_wilayah",
            "19 adalah provinsi; nilai diisi per kabupaten/kota.",
        ),
        (
            ("19.01", 2025, "APE-XYZ-99", 2, ""),
            "kode_indikator",
            "Kode indikator APE-XYZ-99 tidak dikenal.",
        ),
        (
            ("19.01", 2025, "APE-KOM-02", 3, ""),
            "nilai",
            "Nilai 3 tidak ada dalam pilihan (0, 2, 4, 5).",
        ),
        (("19.01", 2025, "APE-KEB-02", 120, ""), "nilai", "Persentase harus antara 0 dan 100."),
        (("19.01", 2025, "APE-KOM-03", "mungkin", ""), "nilai", "Isi dengan ya atau tidak."),
        (("19.01", 2025, "APE-KOM-02", "dua", ""), "nilai", "Nilai harus berupa angka."),
        (
            ("19.01", 2025, "APE-KOM-02", 2.555, ""),
            "nilai",
            "Gunakan paling banyak 2 angka di belakang koma.",
        ),
        (("19.01", 2030, "APE-KOM-02", 2, ""), "tahun", "Tidak ada edisi APE untuk tahun 2030."),
        (
            ("19.01", "dua ribu", "APE-KOM-02", 2, ""),
            "tahun",
            "Tahun harus bilangan bulat seperti 2025.",
        ),
        (("", 2025, "APE-KOM-02", 2, ""), "kode_wilayah", "Wajib diisi."),
        (
            ("19.01", 2025, "KKB-PATBM", 1, ""),
            "kode_indikator",
            "Data Kampung KB diimpor per desa melalui lembar kampung_kb.",
        ),
        (
            ("19.01", 2025, "APE-KOM-02", Formula("=2+2"), ""),
            "nilai",
            "Sel berisi rumus tanpa hasil tersimpan. Buka berkas di program lembar kerja, "
            "simpan, lalu unggah ulang.",
        ),
    ],
)
def test_one_invalid_row_is_reported_and_nothing_is_written(admin_user, row, column, message):
    data = nilai(GOOD[0], row, GOOD[2])
    outcome = preview(admin_user, data)
    assert not outcome.ok
    assert [(e.row, e.column, e.message) for e in outcome.plan.errors] == [(3, column, message)]
    assert outcome.plan.invalid == 1
    before = snapshot()
    applied = apply(admin_user, data)
    assert applied.record is None
    assert engine.summary(applied) == "Tidak ada yang diimpor: 1 baris berisi kesalahan."
    assert snapshot() == before


def test_a_key_twice_in_the_file_names_both_rows(admin_user):
    data = nilai(GOOD[0], GOOD[1], ("19.01", 2025.0, "ape-kom-01", 4, ""))
    outcome = preview(admin_user, data)
    message = "Kunci 19.01 / 2025 / APE-KOM-01 muncul dua kali dalam berkas: baris 2 dan 4."
    assert [(e.row, e.message) for e in outcome.plan.errors] == [(2, message)]  # once
    assert outcome.plan.invalid_rows == {2, 4}
    before = snapshot()
    apply(admin_user, data)
    assert snapshot() == before


def test_every_error_of_a_file_is_listed_with_its_row_and_column(admin_user):
    data = nilai(
        ("19.99", 2025, "APE-KOM-01", 3, ""),
        ("19.01", 2030, "APE-KOM-01", 3, ""),
        ("19.01", 2025, "APE-KOM-01", 7, ""),
    )
    outcome = preview(admin_user, data)
    assert [(e.row, e.column) for e in outcome.plan.errors] == [
        (2, "kode_wilayah"),
        (3, "tahun"),
        (4, "nilai"),
    ]
    assert outcome.plan.invalid == 3


@pytest.mark.parametrize(
    ("status", "word"), [("submitted", "diajukan"), ("verified", "terverifikasi")]
)
def test_writes_into_a_locked_assessment_are_refused(admin_user, status, word):
    Assessment.objects.create(
        edition=Edition.objects.get(program="ape", year=2025),
        region=Region.objects.get(code="19.01"),
        status=status,
    )
    before = snapshot()
    outcome = apply(admin_user, nilai(*GOOD))
    assert [(e.row, e.message) for e in outcome.plan.errors] == [
        (2, f"Penilaian APE 2025 wilayah 19.01 sudah {word} dan terkunci; tidak dapat diubah."),
        (3, f"Penilaian APE 2025 wilayah 19.01 sudah {word} dan terkunci; tidak dapat diubah."),
    ]
    assert snapshot() == before


def test_an_assessment_locked_after_the_preview_is_still_refused_on_confirm(admin_user):
    data = nilai(*GOOD)
    apply(admin_user, nilai(GOOD[0]))
    assert preview(admin_user, data).can_apply
    Assessment.objects.filter(edition__program="ape").update(status="submitted")
    before = snapshot()
    assert apply(admin_user, data).record is None
    assert snapshot() == before


def test_codes_and_years_typed_as_numbers_are_understood(admin_user):
    data = nilai(
        (19.01, 2025.0, "APE-KOM-01", 3.0, None), (1902.0, "2025", "ape-kom-03", "Y", None)
    )
    outcome = apply(admin_user, data)
    assert outcome.record is not None
    assert answer("19.01", 2025, "APE-KOM-01").value == 3
    assert answer("19.02", 2025, "APE-KOM-03").value == 1


def test_a_utf8_csv_file_is_imported(admin_user):
    data = csv_bytes([NILAI, *map(list, GOOD)])
    outcome = apply(admin_user, data, name="nilai.csv")
    assert outcome.record is not None and outcome.plan.new == 3


def test_the_leading_apostrophe_of_the_export_guard_is_removed_exactly_once(admin_user):
    apply(admin_user, nilai(("19.01", 2025, "APE-KOM-01", 3, "'=SUM(A1)"), GOOD[1]))
    assert answer("19.01", 2025, "APE-KOM-01").note == "=SUM(A1)"


def test_without_a_catatan_column_the_stored_notes_are_kept(admin_user):
    apply(admin_user, nilai(*GOOD))
    data = xlsx([NILAI[:4], ["19.01", 2025, "APE-KOM-01", 4]])
    outcome = apply(admin_user, data)
    assert outcome.plan.changed == 1
    kept = answer("19.01", 2025, "APE-KOM-01")
    assert (kept.value, kept.note) == (4, "Perkada 2024")


def test_wrong_headers_are_refused_and_name_the_expected_columns(admin_user):
    data = xlsx([["wilayah", "tahun", "kode_indikator", "nilai"], ["19.01", 2025, "APE-KOM-01", 3]])
    outcome = preview(admin_user, data)
    assert outcome.refused == (
        "Kolom yang tidak ada: kode_wilayah. Kolom tidak dikenal: wilayah. Baris 1 harus berisi "
        "kolom kode_wilayah, tahun, kode_indikator, nilai, catatan."
    )
    before = snapshot()
    assert apply(admin_user, data).record is None
    assert snapshot() == before


def test_the_error_file_holds_the_failing_rows_and_their_messages(admin_user):
    data = nilai(GOOD[0], ("19.99", 2025, "APE-KOM-01", 3, "'=cmd"), GOOD[2])
    outcome = preview(admin_user, data)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(engine.load(outcome.error_token, ".xlsx")))
    rows = workbook.get_sheet_by_name("nilai").to_python()
    assert rows[0] == [*NILAI, "pesan_kesalahan"]
    assert len(rows) == 2
    assert rows[1][:3] == ["19.99", 2025.0, "APE-KOM-01"]
    assert rows[1][4] == "'=cmd"  # what was read, still guarded against formula injection
    assert rows[1][5] == "[3] kode_wilayah: Kode wilayah 19.99 tidak dikenal."


# --- permissions and scope ---


def test_a_koordinator_importing_another_regions_rows_is_refused_and_nothing_changes(
    koordinator_belitung,
):
    data = nilai(*GOOD)
    outcome = preview(koordinator_belitung, data)
    assert {(e.row, e.column) for e in outcome.plan.errors} == {
        (2, "kode_wilayah"),
        (3, "kode_wilayah"),
        (4, "kode_wilayah"),
    }
    assert outcome.plan.errors[0].message == (
        "Anda hanya boleh mengimpor data wilayah Anda sendiri; 19.01 bukan wilayah Anda."
    )
    before = snapshot()
    assert apply(koordinator_belitung, data).record is None
    assert snapshot() == before


def test_one_foreign_row_refuses_a_koordinators_whole_file(koordinator_belitung):
    data = nilai(("19.02", 2025, "APE-KOM-01", 3, ""), ("19.01", 2025, "APE-KOM-01", 3, ""))
    before = snapshot()
    outcome = apply(koordinator_belitung, data)
    assert [(e.row, e.column) for e in outcome.plan.errors] == [(3, "kode_wilayah")]
    assert snapshot() == before


def test_a_koordinator_imports_their_own_regions_values(koordinator_bangka):
    outcome = apply(koordinator_bangka, nilai(*GOOD))
    assert outcome.record.region.code == "19.01"
    assert outcome.record.user == koordinator_bangka
    assert Answer.objects.count() == 3


@pytest.mark.parametrize("resource", ["kampung_kb", "desa"])
def test_a_koordinator_may_not_import_other_resources(koordinator_bangka, resource):
    with pytest.raises(PermissionDenied):
        preview(koordinator_bangka, nilai(*GOOD), resource=resource)


@pytest.mark.parametrize("who", ["operator_dinkes_bangka", "verifikator", "pimpinan"])
def test_only_admins_and_koordinators_may_import_values(request, who):
    user = request.getfixturevalue(who)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        apply(user, nilai(*GOOD))
    assert snapshot() == before


def test_an_export_holds_only_what_the_user_may_see(admin_user, koordinator_bangka):
    apply(
        admin_user,
        nilai(*GOOD, ("19.02", 2025, "APE-KOM-01", 1, ""), ("19.71", 2024, "KLA-KL-01", 15, "")),
    )
    rows = _export_rows(koordinator_bangka)
    assert {row[0] for row in rows[1:]} == {"19.01"}
    assert len(rows) == 4
    assert {row[0] for row in _export_rows(admin_user)[1:]} == {"19.01", "19.02", "19.71"}


def _export_rows(user) -> list[list]:
    data = export_workbook("nilai", scope_for(user))
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("nilai").to_python()


# --- round trip and the natural key ---


def test_an_export_reimports_unchanged_and_edited_values_update_exactly_those_rows(admin_user):
    rows = [
        ("19.01", 2025, "APE-KOM-01", 3, ""),
        ("19.01", 2025, "APE-KOM-02", 4, "+62 812"),
        ("19.01", 2025, "APE-KEB-02", 87.55, "-"),
        ("19.01", 2025, "APE-KOM-03", 0, "@rapat"),
        ("19.02", 2024, "KLA-KL-01", 32, ""),
        ("19.02", 2024, "KLA-1-01", None, ""),
    ]
    apply(admin_user, nilai(*rows))
    # Notes typed in the forms may hold what a spreadsheet would run or trim.
    tricky = {"APE-KOM-01": "=HYPERLINK(x)", "KLA-KL-01": " spasi ", "KLA-1-01": "'kutip\tx"}
    for code, note in tricky.items():
        Answer.objects.filter(indicator__code=code).update(note=note)
    exported = export_workbook("nilai", scope_for(admin_user))
    back = preview(admin_user, exported, name="ekspor.xlsx")
    assert back.no_changes, [e.message for e in back.plan.errors]
    assert back.plan.unchanged == len(rows)
    cells = CalamineWorkbook.from_filelike(io.BytesIO(exported)).get_sheet_by_name("nilai")
    cells = cells.to_python()
    assert "'=HYPERLINK(x)" in [row[4] for row in cells]
    edited = [list(row) for row in cells]
    for row in edited[1:]:
        if row[2] in ("APE-KOM-01", "KLA-KL-01"):
            row[3] = {"APE-KOM-01": 5, "KLA-KL-01": 40}[row[2]]
    outcome = apply(admin_user, xlsx(edited))
    assert (outcome.plan.new, outcome.plan.changed, outcome.plan.unchanged) == (0, 2, 4)
    assert Answer.history.filter(history_type="~").count() == 2
    assert answer("19.01", 2025, "APE-KOM-01").value == 5
    for code, note in tricky.items():
        assert Answer.objects.get(indicator__code=code).note == note


def test_the_instance_loader_matches_the_whole_natural_key(admin_user):
    apply(
        admin_user,
        nilai(
            ("19.01", 2025, "APE-KOM-01", 1, ""),
            ("19.01", 2025, "APE-KOM-02", 2, ""),
            ("19.01", 2024, "APE-KOM-01", 3, ""),
            ("19.02", 2025, "APE-KOM-01", 4, ""),
        ),
    )
    dataset = tablib.Dataset(headers=NILAI)
    dataset.append(["19.02", 2025, "APE-KOM-01", 0, ""])
    dataset.append(["19.01", 2024, "APE-KOM-01", 0, ""])
    dataset.append(["19.01", 2025, "APE-KOM-02", 0, ""])
    dataset.append(["19.03", 2025, "APE-KOM-02", 0, ""])
    resource = NilaiResource(user=admin_user)
    loader = NaturalKeyInstanceLoader(resource, dataset)
    found = [loader.get_instance(row) for row in dataset.dict]
    assert [a.value if a else None for a in found] == [4, 3, 2, None]


def test_the_resource_queryset_is_scoped_to_the_user(admin_user, koordinator_belitung):
    apply(admin_user, nilai(*GOOD))
    assert NilaiResource(user=admin_user).get_queryset().count() == 3
    assert NilaiResource(user=koordinator_belitung).get_queryset().count() == 0


def test_checking_and_applying_take_as_many_queries_for_40_rows_as_for_2(admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = [("19.03", 2025, "APE-KOM-01", 1, ""), ("19.04", 2024, "KLA-KL-01", 15, "")]
    many = [
        (region, year, code, value, "")
        for region in ("19.01", "19.02", "19.05", "19.06")
        for year in (2024, 2025)
        for code, value in (("APE-KOM-01", 3), ("APE-KOM-02", 4), ("KLA-KL-01", 25))
        for _ in [0]
    ] + [("19.71", 2025, f"APE-KEB-0{i}", 50 if i == 2 else 2, "") for i in (1, 2)]
    many += [("19.71", 2024, "KLA-KL-03", 10, ""), ("19.71", 2024, "KLA-KL-04", 10, "")]
    many += [("19.71", 2023, "KLA-KL-05", 10, ""), ("19.71", 2023, "KLA-KL-06", 10, "")]
    assert len(many) == 30
    counts = []
    for rows in (few, many):
        with CaptureQueriesContext(connection) as checked:
            assert preview(admin_user, nilai(*rows)).ok
        with CaptureQueriesContext(connection) as applied:
            assert apply(admin_user, nilai(*rows)).record is not None
        counts.append((len(checked), len(applied)))
    assert counts[0][0] == counts[1][0]
    assert counts[0][1] == counts[1][1]


def test_a_conflicting_concurrent_write_is_reported_and_rolled_back(admin_user, monkeypatch):
    from django.db import IntegrityError

    from impor import writers

    original = writers.write_plan

    def conflicting(plan, user, reason, now, **options):
        original(plan, user, reason, now, **options)  # rows written, then a unique key collides
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(engine, "write_plan", conflicting)
    before = snapshot()
    outcome = apply(admin_user, nilai(*GOOD))
    assert outcome.record is None
    assert outcome.refused == (
        "Data berubah saat berkas sedang diimpor; tidak ada yang disimpan. Unggah ulang berkasnya."
    )
    assert snapshot() == before
