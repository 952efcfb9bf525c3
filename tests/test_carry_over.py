"""Editions over years: a new year's assessment starts from last year's verified values."""

from decimal import Decimal as D

import pytest

from kampung_kb.models import DesaRecord
from kampung_kb.services import save_desa_rows
from penilaian.carry import AssessmentExists, start_assessment
from penilaian.models import Answer, Assessment, Edition, Indicator
from penilaian.services import get_or_create_assessment, save_values
from regions.models import Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db

VALUES_2024 = {
    "APE-KOM-01": 4,  # a ladder step that the 2025 edition removes in one test
    "APE-KOM-02": 5,
    "APE-KOM-03": 1,
    "APE-KEB-02": "77.5",
    "APE-PAR-03": 2,  # an indicator the 2025 edition drops in one test
}


@pytest.fixture
def bangka():
    return Region.objects.get(code="19.01")


def verified_2024(program, region, admin_user, values=None, rows=None):
    edition = Edition.objects.get(program=program, year=2024)
    assessment = get_or_create_assessment(edition, region, user=admin_user)
    scope = scope_for(admin_user)
    if values:
        save_values(assessment, values, user=admin_user, scope=scope)
    if rows:
        save_desa_rows(assessment, rows, user=admin_user, scope=scope)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.VERIFIED)
    return assessment


def answers(assessment):
    return {
        code: (value, carried)
        for code, value, carried in Answer.objects.filter(assessment=assessment).values_list(
            "indicator__code", "value", "carried_over"
        )
    }


def test_verified_values_are_carried_and_marked_as_carried_over(bangka, admin_user):
    verified_2024("ape", bangka, admin_user, VALUES_2024)
    report = start_assessment(
        Edition.objects.get(program="ape", year=2025), bangka, user=admin_user
    )
    assert report.source is not None and report.source.edition.year == 2024
    assert set(report.carried) == set(VALUES_2024)
    assert report.dropped == () and report.added == () and report.needs_reentry == {}
    assert answers(report.assessment) == {
        "APE-KOM-01": (D(4), True),
        "APE-KOM-02": (D(5), True),
        "APE-KOM-03": (D(1), True),
        "APE-KEB-02": (D("77.5"), True),
        "APE-PAR-03": (D(2), True),
    }
    assert not report.assessment.evidence_links.exists()
    history = Answer.history.filter(assessment_id=report.assessment.pk).first()
    assert history.history_user == admin_user and "2024" in history.history_change_reason


def test_a_ladder_change_dropped_and_added_indicators_are_reported(bangka, admin_user):
    verified_2024("ape", bangka, admin_user, VALUES_2024)
    edition = Edition.objects.get(program="ape", year=2025)
    kom01 = Indicator.objects.get(edition=edition, code="APE-KOM-01")
    kom01.options = [o for o in kom01.options if str(o["points"]) != "4"]
    kom01.save()
    par03 = Indicator.objects.get(edition=edition, code="APE-PAR-03")
    Indicator.objects.create(
        edition=edition,
        group=par03.group,
        code="APE-PAR-04",
        text="Forum anak dilibatkan dalam musrenbang",
        order=4,
        kind="yesno",
        max_score=D(3),
    )
    par03.delete()

    report = start_assessment(edition, bangka, user=admin_user)
    assert set(report.carried) == {"APE-KOM-02", "APE-KOM-03", "APE-KEB-02"}
    assert report.needs_reentry == {"APE-KOM-01": "Nilai 4 tidak ada dalam pilihan (0, 1, 3, 5)."}
    assert report.dropped == ("APE-PAR-03",)
    assert report.added == ("APE-PAR-04",)
    stored = answers(report.assessment)
    assert "APE-KOM-01" not in stored and "APE-PAR-04" not in stored


def test_nothing_is_carried_from_an_unverified_year(bangka, admin_user):
    edition_2024 = Edition.objects.get(program="kla", year=2024)
    draft = get_or_create_assessment(edition_2024, bangka, user=admin_user)
    save_values(draft, {"KLA-KL-01": 40}, user=admin_user, scope=scope_for(admin_user))
    report = start_assessment(
        Edition.objects.get(program="kla", year=2025), bangka, user=admin_user
    )
    assert report.source is None and report.carried == ()
    assert not Answer.objects.filter(assessment=report.assessment).exists()


def test_starting_twice_is_refused_and_get_or_create_returns_the_first(bangka, admin_user):
    edition = Edition.objects.get(program="kla", year=2025)
    first = start_assessment(edition, bangka, user=admin_user).assessment
    with pytest.raises(AssessmentExists):
        start_assessment(edition, bangka, user=admin_user)
    assert get_or_create_assessment(edition, bangka) == first


def test_get_or_create_assessment_carries_too(bangka, admin_user):
    verified_2024("kla", bangka, admin_user, {"KLA-KL-01": 32})
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), bangka, user=admin_user
    )
    assert answers(assessment) == {"KLA-KL-01": (D(32), True)}


def test_kampung_kb_rows_of_the_verified_year_are_carried(bangka, admin_user):
    rows = {
        "19.01.03.2001": {"kampung_kb": True, "akta_kelahiran_persen": 91, "indeks_input": 3},
        "19.01.03.2002": {"kampung_kb": False, "industri_rumahan": "pemula"},
    }
    verified_2024("kampung_kb", bangka, admin_user, rows=rows)
    report = start_assessment(
        Edition.objects.get(program="kampung_kb", year=2025), bangka, user=admin_user
    )
    assert report.extra.carried == ("19.01.03.2001", "19.01.03.2002")
    assert len(report.extra.without_row) == bangka.desa.count() - 2
    carried = {
        r.desa.code: r
        for r in DesaRecord.objects.filter(assessment=report.assessment).select_related("desa")
    }
    assert set(carried) == set(rows)
    assert all(r.carried_over for r in carried.values())
    assert carried["19.01.03.2001"].akta_kelahiran_persen == 91
    assert carried["19.01.03.2001"].indeks_input == 3
    assert carried["19.01.03.2002"].industri_rumahan == "pemula"
