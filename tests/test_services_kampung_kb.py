"""The single write path for Kampung KB desa rows, and the per-desa classification for pages."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from kampung_kb.models import DesaRecord
from kampung_kb.readiness import desa_statuses
from kampung_kb.services import (
    InvalidRows,
    get_or_create_assessment,
    parse_row,
    save_desa_rows,
    validate_desa_rows,
)
from penilaian.models import Assessment, Edition, VerifiedSnapshot
from penilaian.services import StaleAssessment, freeze_snapshot
from regions.models import Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db

BATU_RUSA = "19.01.03.2001"  # a desa of Kabupaten Bangka
CIKAR_ROW = {
    "kampung_kb": "ya",
    "capaian_kkbpk": "y",
    "kinerja_patbm": True,
    "industri_rumahan": "Berkembang",
    "akta_kelahiran_persen": "85,01",
    "program_lintas_sektor": "2",
    "indeks_input": "3",
    "indeks_proses": 2,
    "indeks_output": 4,
}


@pytest.fixture
def kkb_bangka():
    edition = Edition.objects.get(program="kampung_kb", year=2025)
    return get_or_create_assessment(edition, Region.objects.get(code="19.01"))


def test_koordinator_saves_a_row_with_text_values_normalised(kkb_bangka, koordinator_bangka):
    result = save_desa_rows(
        kkb_bangka,
        {BATU_RUSA: CIKAR_ROW},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
        expected_version=1,
    )
    assert result.changed == (BATU_RUSA,) and kkb_bangka.version == 2
    record = DesaRecord.objects.get(assessment=kkb_bangka, desa__code=BATU_RUSA)
    assert record.kampung_kb and record.capaian_kkbpk and record.kinerja_patbm
    assert record.industri_rumahan == "berkembang"
    assert record.akta_kelahiran_persen == D("85.01")
    assert (record.program_lintas_sektor, record.indeks_input, record.indeks_proses) == (2, 3, 2)
    status = next(
        s for s in desa_statuses(kkb_bangka.region, kkb_bangka, {}) if s.code == BATU_RUSA
    )
    assert status.standar and status.cikar and status.kelas.value == "Mandiri"
    assert status.missing == ()


def test_invalid_fields_are_listed_per_desa_and_nothing_is_written(kkb_bangka, koordinator_bangka):
    rows = {
        BATU_RUSA: {"akta_kelahiran_persen": "101", "kampung_kb": "mungkin"},
        "19.01.03.2002": {"indeks_input": 5, "industri_rumahan": "raksasa", "warna": "biru"},
    }
    errors = validate_desa_rows(kkb_bangka, rows, scope_for(koordinator_bangka))
    assert errors[BATU_RUSA] == {
        "kampung_kb": [gettext("Enter yes or no (ya/tidak).")],
        "akta_kelahiran_persen": ["Persentase akta kelahiran harus antara 0 dan 100."],
    }
    assert errors["19.01.03.2002"]["indeks_input"] == ["Indeks harus bilangan bulat 1–4."]
    assert errors["19.01.03.2002"]["warna"] == [gettext("Unknown field.")]
    assert "industri_rumahan" in errors["19.01.03.2002"]
    with pytest.raises(InvalidRows):
        save_desa_rows(
            kkb_bangka,
            {**rows, "19.01.03.2003": CIKAR_ROW},
            user=koordinator_bangka,
            scope=scope_for(koordinator_bangka),
        )
    assert not DesaRecord.objects.filter(assessment=kkb_bangka).exists()


def test_a_desa_of_another_region_or_an_unknown_code_is_refused(kkb_bangka, koordinator_bangka):
    tanjung_pandan = Region.objects.get(code="19.02").desa.first().code
    errors = validate_desa_rows(
        kkb_bangka,
        {tanjung_pandan: CIKAR_ROW, "19.01.99.9999": CIKAR_ROW},
        scope_for(koordinator_bangka),
    )
    assert errors[tanjung_pandan] == {
        "__all__": [gettext("This village is not in %(region)s.") % {"region": "Kabupaten Bangka"}]
    }
    assert errors["19.01.99.9999"] == {"__all__": [gettext("Unknown village code.")]}


def test_officer_of_another_region_is_denied_and_nothing_changes(kkb_bangka, koordinator_belitung):
    scope = scope_for(koordinator_belitung)
    with pytest.raises(PermissionDenied):
        validate_desa_rows(kkb_bangka, {BATU_RUSA: CIKAR_ROW}, scope)
    with pytest.raises(PermissionDenied):
        save_desa_rows(kkb_bangka, {BATU_RUSA: CIKAR_ROW}, user=koordinator_belitung, scope=scope)
    assert not DesaRecord.objects.filter(assessment=kkb_bangka).exists()


def test_operator_changes_only_the_fields_of_criteria_their_opd_owns(
    kkb_bangka, operator_dinkes_bangka, koordinator_bangka
):
    # Dukcapil owns the birth-certificate criterion (KKB-AKTA); Dinkes owns no criterion.
    scope = scope_for(operator_dinkes_bangka)
    with pytest.raises(InvalidRows) as caught:
        save_desa_rows(
            kkb_bangka,
            {BATU_RUSA: {"akta_kelahiran_persen": 90}},
            user=operator_dinkes_bangka,
            scope=scope,
        )
    assert caught.value.forbidden == {(BATU_RUSA, "akta_kelahiran_persen")}
    assert not DesaRecord.objects.filter(assessment=kkb_bangka).exists()


def test_locked_assessment_takes_no_rows(kkb_bangka, koordinator_bangka):
    Assessment.objects.filter(pk=kkb_bangka.pk).update(status="verified")
    kkb_bangka.refresh_from_db()
    errors = validate_desa_rows(kkb_bangka, {BATU_RUSA: CIKAR_ROW}, scope_for(koordinator_bangka))
    assert list(errors) == ["__all__"]


def test_partial_update_keeps_other_fields_and_stale_saves_are_refused(
    kkb_bangka, koordinator_bangka
):
    scope = scope_for(koordinator_bangka)
    save_desa_rows(kkb_bangka, {BATU_RUSA: CIKAR_ROW}, user=koordinator_bangka, scope=scope)
    DesaRecord.objects.filter(assessment=kkb_bangka).update(carried_over=True)
    save_desa_rows(
        kkb_bangka,
        {BATU_RUSA: {"program_lintas_sektor": 0}},
        user=koordinator_bangka,
        scope=scope,
        expected_version=2,
        reason="Koreksi",
    )
    record = DesaRecord.objects.get(assessment=kkb_bangka, desa__code=BATU_RUSA)
    assert record.program_lintas_sektor == 0 and record.akta_kelahiran_persen == D("85.01")
    assert not record.carried_over
    latest = record.history.order_by("-history_id").first()
    assert latest.history_user == koordinator_bangka and latest.history_change_reason == "Koreksi"
    with pytest.raises(StaleAssessment):
        save_desa_rows(
            kkb_bangka,
            {BATU_RUSA: {"program_lintas_sektor": 3}},
            user=koordinator_bangka,
            scope=scope,
            expected_version=2,
        )
    assert DesaRecord.objects.get(pk=record.pk).program_lintas_sektor == 0
    again = save_desa_rows(
        kkb_bangka,
        {BATU_RUSA: {"program_lintas_sektor": "0"}},
        user=koordinator_bangka,
        scope=scope,
    )
    assert again.changed == () and Assessment.objects.get(pk=kkb_bangka.pk).version == 3


def test_parse_row_accepts_blank_optional_indices_and_class_case_insensitively():
    parsed, errors = parse_row({"kelas_bkkbn": "mandiri", "indeks_output": "", "note": " ok "})
    assert errors == {}
    assert parsed == {"kelas_bkkbn": "Mandiri", "indeks_output": None, "note": "ok"}
    _parsed, errors = parse_row({"program_lintas_sektor": "-1", "industri_rumahan": ""})
    assert errors == {
        "program_lintas_sektor": ["Jumlah program lintas sektor tidak boleh negatif."],
        "industri_rumahan": ["Wajib diisi."],
    }


def test_the_kampung_kb_snapshot_freezes_the_region_summary(
    kkb_bangka, koordinator_bangka, verifikator
):
    save_desa_rows(
        kkb_bangka,
        {BATU_RUSA: CIKAR_ROW, "19.01.03.2002": {"kampung_kb": "ya"}},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )
    snapshot = VerifiedSnapshot.objects.get(pk=freeze_snapshot(kkb_bangka, verifikator).pk)
    total = Region.objects.get(code="19.01").desa.count()
    summary = snapshot.data["summary"]
    assert summary["desa_total"] == total
    assert (summary["kampung_kb"], summary["standar"], summary["cikar"]) == (2, 1, 1)
    assert snapshot.score == (D(200) / total).quantize(D("0.01"))
    assert snapshot.data["desa"][BATU_RUSA] == {
        "kampung_kb": True,
        "standar": True,
        "cikar": True,
        "kelas_bkkbn": "Mandiri",
    }
