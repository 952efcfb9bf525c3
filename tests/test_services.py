"""The single write path for APE/KLA values: validation, scope, locking, concurrency, history."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from penilaian.models import Answer, Assessment, Edition, IndicatorOwner, VerifiedSnapshot
from penilaian.services import (
    InvalidValues,
    StaleAssessment,
    freeze_snapshot,
    get_or_create_assessment,
    parse_value,
    save_values,
    validate_values,
)
from regions.models import OpdKind, Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def kla_bangka():
    edition = Edition.objects.get(program="kla", year=2025)
    return get_or_create_assessment(edition, Region.objects.get(code="19.01"))


@pytest.fixture
def ape_bangka():
    edition = Edition.objects.get(program="ape", year=2025)
    return get_or_create_assessment(edition, Region.objects.get(code="19.01"))


def stored(assessment):
    return dict(
        Answer.objects.filter(assessment=assessment).values_list("indicator__code", "value")
    )


def test_koordinator_saves_values_and_the_version_goes_up(kla_bangka, koordinator_bangka):
    scope = scope_for(koordinator_bangka)
    result = save_values(
        kla_bangka,
        {"KLA-KL-01": "32", "KLA-1-01": 92.5, "KLA-3-01": D(16)},
        user=koordinator_bangka,
        scope=scope,
        expected_version=1,
    )
    assert result.changed == ("KLA-KL-01", "KLA-1-01", "KLA-3-01")
    assert result.version == 2 and kla_bangka.version == 2
    assert stored(kla_bangka) == {"KLA-KL-01": D(32), "KLA-1-01": D("92.5"), "KLA-3-01": D(16)}


def test_out_of_range_value_refused_with_the_contract_message_and_nothing_written(
    kla_bangka, koordinator_bangka
):
    scope = scope_for(koordinator_bangka)
    spec_values = {"KLA-KL-01": "40", "KLA-3-02": "101"}
    errors = validate_values(kla_bangka, spec_values, scope)
    assert errors == {"KLA-3-02": ["Persentase harus antara 0 dan 100."]}
    with pytest.raises(InvalidValues) as caught:
        save_values(kla_bangka, spec_values, user=koordinator_bangka, scope=scope)
    assert caught.value.errors == errors
    assert stored(kla_bangka) == {}
    assert Assessment.objects.get(pk=kla_bangka.pk).version == 1


def test_a_direct_score_above_its_maximum_reads_the_contract_message():
    from penilaian.scoring import IndicatorSpec, Kind

    spec = IndicatorSpec("KLA-1-01", "klaster_1", 1, Kind.SCORE, D(40))
    assert parse_value(spec, "41") == (None, "Nilai di luar rentang 0–40.")
    assert parse_value(spec, "12,5") == (D("12.5"), None)
    assert parse_value(spec, "") == (None, None)
    assert parse_value(spec, "1.234")[1] == gettext("Use at most 2 decimal places.")
    assert parse_value(spec, "abc") == (None, "Nilai harus berupa angka.")


def test_raw_values_of_every_kind_are_parsed(ape_bangka, koordinator_bangka):
    scope = scope_for(koordinator_bangka)
    values = {"APE-KOM-03": "ya", "APE-SDA-04": "tidak", "APE-KEB-02": "80%", "APE-KOM-01": 4}
    assert validate_values(ape_bangka, values, scope) == {}
    save_values(ape_bangka, values, user=koordinator_bangka, scope=scope)
    assert stored(ape_bangka) == {
        "APE-KOM-03": D(1),
        "APE-SDA-04": D(0),
        "APE-KEB-02": D(80),
        "APE-KOM-01": D(4),
    }


def test_value_not_on_the_ladder_and_unknown_code_have_distinct_messages(
    ape_bangka, koordinator_bangka
):
    errors = validate_values(
        ape_bangka, {"APE-KOM-01": 2, "KLA-1-01": 10}, scope_for(koordinator_bangka)
    )
    assert errors["APE-KOM-01"] == ["Nilai 2 tidak ada dalam pilihan (0, 1, 3, 4, 5)."]
    assert errors["KLA-1-01"] == [
        gettext("Unknown indicator code for %(program)s %(year)s.")
        % {"program": "APE", "year": 2025}
    ]


def test_operator_changes_only_the_indicators_of_their_own_opd(kla_bangka, operator_dinkes_bangka):
    scope = scope_for(operator_dinkes_bangka)
    save_values(kla_bangka, {"KLA-3-01": 25}, user=operator_dinkes_bangka, scope=scope)
    with pytest.raises(InvalidValues) as caught:
        save_values(
            kla_bangka,
            {"KLA-3-01": 16, "KLA-4-01": 90},
            user=operator_dinkes_bangka,
            scope=scope,
        )
    assert caught.value.forbidden == {"KLA-4-01"}
    assert caught.value.errors == {
        "KLA-4-01": [
            gettext("This indicator belongs to another agency (OPD); you cannot change it.")
        ]
    }
    assert stored(kla_bangka) == {"KLA-3-01": D(25)}


def test_a_region_owner_override_moves_the_right_to_change(
    kla_bangka, operator_dinkes_bangka, operator_disdik_bangka
):
    IndicatorOwner.objects.create(
        region=kla_bangka.region,
        indicator_code="KLA-3-01",
        owner_kind=OpdKind.objects.get(code="disdik"),
    )
    dinkes, disdik = scope_for(operator_dinkes_bangka), scope_for(operator_disdik_bangka)
    assert "KLA-3-01" in validate_values(kla_bangka, {"KLA-3-01": 8}, dinkes)
    assert validate_values(kla_bangka, {"KLA-3-01": 8}, disdik) == {}


def test_officer_of_another_region_is_denied_and_nothing_changes(
    kla_bangka, koordinator_belitung, verifikator, pimpinan
):
    for user in (koordinator_belitung, verifikator, pimpinan):
        scope = scope_for(user)
        with pytest.raises(PermissionDenied):
            validate_values(kla_bangka, {"KLA-KL-01": 40}, scope)
        with pytest.raises(PermissionDenied):
            save_values(kla_bangka, {"KLA-KL-01": 40}, user=user, scope=scope)
    assert stored(kla_bangka) == {}
    assert Assessment.objects.get(pk=kla_bangka.pk).version == 1


@pytest.mark.parametrize("status", ["submitted", "verified"])
def test_a_submitted_or_verified_assessment_takes_no_edits(kla_bangka, koordinator_bangka, status):
    Assessment.objects.filter(pk=kla_bangka.pk).update(status=status)
    kla_bangka.refresh_from_db()
    scope = scope_for(koordinator_bangka)
    errors = validate_values(kla_bangka, {"KLA-KL-01": 40}, scope)
    assert list(errors) == ["__all__"]
    with pytest.raises(InvalidValues):
        save_values(kla_bangka, {"KLA-KL-01": 40}, user=koordinator_bangka, scope=scope)
    assert stored(kla_bangka) == {}


def test_returned_assessment_can_be_corrected(kla_bangka, koordinator_bangka):
    Assessment.objects.filter(pk=kla_bangka.pk).update(status="returned")
    kla_bangka.refresh_from_db()
    scope = scope_for(koordinator_bangka)
    save_values(kla_bangka, {"KLA-KL-01": 40}, user=koordinator_bangka, scope=scope)
    assert stored(kla_bangka) == {"KLA-KL-01": D(40)}


def test_the_second_save_of_stale_data_is_refused(kla_bangka, koordinator_bangka):
    scope = scope_for(koordinator_bangka)
    first_reader = Assessment.objects.get(pk=kla_bangka.pk)
    second_reader = Assessment.objects.get(pk=kla_bangka.pk)
    save_values(
        first_reader,
        {"KLA-KL-01": 40},
        user=koordinator_bangka,
        scope=scope,
        expected_version=first_reader.version,
    )
    with pytest.raises(StaleAssessment) as caught:
        save_values(
            second_reader,
            {"KLA-KL-01": 15},
            user=koordinator_bangka,
            scope=scope,
            expected_version=second_reader.version,
        )
    assert (caught.value.expected, caught.value.current) == (1, 2)
    assert stored(kla_bangka) == {"KLA-KL-01": D(40)}


def test_history_records_user_and_reason_and_a_change_clears_carried_over(
    kla_bangka, koordinator_bangka
):
    scope = scope_for(koordinator_bangka)
    save_values(kla_bangka, {"KLA-KL-01": 25}, user=koordinator_bangka, scope=scope)
    Answer.objects.filter(assessment=kla_bangka).update(carried_over=True)
    save_values(
        kla_bangka,
        {"KLA-KL-01": 40},
        {"KLA-KL-01": "SK Bupati 2025"},
        user=koordinator_bangka,
        scope=scope,
        reason="Revisi dokumen",
    )
    answer = Answer.objects.get(assessment=kla_bangka, indicator__code="KLA-KL-01")
    assert answer.value == 40 and answer.note == "SK Bupati 2025" and not answer.carried_over
    latest = answer.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == koordinator_bangka
    assert latest.history_change_reason == "Revisi dokumen"
    assert latest.value == 40
    assert answer.history.count() == 2
    assessment_history = Assessment.history.filter(id=kla_bangka.pk).order_by("-history_id")
    assert assessment_history.first().history_user == koordinator_bangka
    assert assessment_history.first().version == 3


def test_saving_the_same_values_again_changes_nothing(kla_bangka, koordinator_bangka):
    scope = scope_for(koordinator_bangka)
    save_values(
        kla_bangka, {"KLA-KL-01": "40", "KLA-1-01": None}, user=koordinator_bangka, scope=scope
    )
    again = save_values(
        kla_bangka, {"KLA-KL-01": D("40.00"), "KLA-1-01": ""}, user=koordinator_bangka, scope=scope
    )
    assert again.changed == ()
    assert Assessment.objects.get(pk=kla_bangka.pk).version == 2
    assert Answer.history.filter(assessment_id=kla_bangka.pk).count() == 1


def test_kampung_kb_editions_are_not_saved_through_the_indicator_path(koordinator_bangka):
    edition = Edition.objects.get(program="kampung_kb", year=2025)
    assessment = get_or_create_assessment(edition, Region.objects.get(code="19.01"))
    with pytest.raises(ValueError):
        save_values(
            assessment,
            {"KKB-KKBPK": 1},
            user=koordinator_bangka,
            scope=scope_for(koordinator_bangka),
        )


def test_get_or_create_assessment_is_idempotent_and_respects_scope(koordinator_belitung):
    edition = Edition.objects.get(program="ape", year=2024)
    bangka = Region.objects.get(code="19.01")
    with pytest.raises(PermissionDenied):
        get_or_create_assessment(edition, bangka, scope=scope_for(koordinator_belitung))
    assert not Assessment.objects.filter(edition=edition, region=bangka).exists()
    first = get_or_create_assessment(edition, bangka)
    assert get_or_create_assessment(edition, bangka) == first
    assert Assessment.objects.filter(edition=edition, region=bangka).count() == 1
    with pytest.raises(ValueError):
        get_or_create_assessment(edition, Region.objects.get(code="19"))


def test_freeze_snapshot_stores_score_level_and_the_gap_list(
    kla_bangka, koordinator_bangka, verifikator
):
    scope = scope_for(koordinator_bangka)
    # 200 (kelembagaan full; KLA-KL-02 at 25 % is in the 35-point band) + 300 elsewhere = 500:
    # exactly Pratama, 101 short of Madya (601).
    full_kl = {"KLA-KL-01": 40, "KLA-KL-02": 25, "KLA-KL-03": 25, "KLA-KL-04": 25}
    full_kl |= {"KLA-KL-05": 30, "KLA-KL-06": 25, "KLA-KL-07": 20}
    others = {"KLA-1-02": 40, "KLA-1-03": 40, "KLA-2-02": 40, "KLA-2-03": 40, "KLA-4-05": 35}
    others |= {"KLA-5-03": 35, "KLA-3-01": 16, "KLA-3-04": 20, "KLA-3-06": 20, "KLA-3-07": 14}
    save_values(kla_bangka, full_kl | others, user=koordinator_bangka, scope=scope)
    snapshot = freeze_snapshot(kla_bangka, verifikator)
    snapshot = VerifiedSnapshot.objects.get(pk=snapshot.pk)
    assert snapshot.verified_by == verifikator
    assert snapshot.score == D(500) and snapshot.level_name == "Pratama"
    data = snapshot.data
    assert data["score"] == "500" and data["max_score"] == "1000"
    assert data["level"]["name"] == "Pratama" and data["next_level"]["name"] == "Madya"
    assert data["points_to_next"] == "101"
    assert data["gap"]["needed"] == "101" and data["gap"]["reachable"] is True
    gains = [D(item["gain"]) for item in data["gap"]["items"]]
    assert sum(gains) >= 101 and gains == sorted(gains, reverse=True)
    assert sum(gains[:-1]) < 101
    assert data["gap"]["items"][0]["owner"]
    assert {g["code"]: g["score"] for g in data["groups"]}["kelembagaan"] == "200"
    assert data["values"]["KLA-KL-01"] == "40"
    # a later change does not touch the frozen snapshot
    save_values(kla_bangka, {"KLA-KL-01": 15}, user=koordinator_bangka, scope=scope)
    assert VerifiedSnapshot.objects.get(pk=snapshot.pk).data["values"]["KLA-KL-01"] == "40"
