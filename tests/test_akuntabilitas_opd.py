"""OPD accountability (/wilayah/<kode>/opd/, /opd/): who owes what per OPD, in a constant number
of queries; the handover (serah terima) of a leaving officer's assignment, with scope checks."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from akuntabilitas.models import Handover
from akuntabilitas.queries import opd_accountability
from penilaian import workflow
from penilaian.models import Answer, Edition, Indicator
from penilaian.services import get_or_create_assessment
from regions.models import Assignment, Opd, OpdKind, Region
from regions.scoping import scope_for
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PAGE = "/wilayah/19.01/opd/"


def kla(code: str):
    return get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code=code)
    )


def row_of(html: str, kind: str) -> str:
    return html.split(f'data-opd="{kind}"')[1].split("</tr>")[0]


def test_returned_indicator_shows_under_its_opd_with_counts_and_contacts(
    client, koordinator_bangka, operator_dinkes_bangka, verifikator
):
    assessment = kla("19.01")
    indicator = assessment.edition.indicators.get(code="KLA-3-09")
    Answer.objects.create(assessment=assessment, indicator=indicator, value=Decimal(8))
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[workflow.ReturnItem(indicator=indicator, categories=("tahun_tidak_sesuai",))],
    )

    client.force_login(koordinator_bangka)
    response = client.get(PAGE + "?tahun=2025")

    assert response.status_code == 200
    dinkes = row_of(response.text, "dinkes")
    assert 'data-code="KLA-3-09"' in dinkes and "Tahun dokumen tidak sesuai" in dinkes
    assert operator_dinkes_bangka.username in dinkes or "opd.dinkes" in dinkes
    assert '<td class="error" data-col="returned">1</td>' in dinkes
    data = opd_accountability(Region.objects.filter(code="19.01"), 2025)[0]
    row = next(r for r in data.rows if r.kind_code == "dinkes")
    assert (row.filled, row.returned, row.verified) == (1, 1, 0)
    assert row.owned == len(row.items) > 1
    assert [c.username for c in row.contacts] == [operator_dinkes_bangka.username]
    assert [c.username for c in data.koordinators] == [koordinator_bangka.username]
    assert 'data-code="KLA-3-09"' not in row_of(response.text, "disdik")


def test_every_owned_indicator_is_counted_once_and_gap_points_belong_to_an_opd():
    data = opd_accountability(Region.objects.filter(code="19.01"), 2025)[0]
    owned = sum(r.owned for r in data.rows)
    assert (
        owned
        == Indicator.objects.filter(edition__year=2025, edition__program__in=["ape", "kla"]).count()
    )
    assert sum(r.points_at_stake for r in data.rows) > 0


def test_an_owner_override_moves_the_indicator_to_the_other_opd():
    from penilaian.models import IndicatorOwner

    region = Region.objects.get(code="19.01")
    IndicatorOwner.objects.create(
        region=region, indicator_code="KLA-3-09", owner_kind=OpdKind.objects.get(code="disdik")
    )
    rows = {
        r.kind_code: r
        for r in opd_accountability(Region.objects.filter(pk=region.pk), 2025)[0].rows
    }
    assert "KLA-3-09" in {i.code for i in rows["disdik"].items}
    assert "KLA-3-09" not in {i.code for i in rows["dinkes"].items}


def _queries(regions) -> int:
    with CaptureQueriesContext(connection) as ctx:
        opd_accountability(regions, 2025)
    return len(ctx)


def test_query_count_is_constant_for_regions_opd_and_indicators(koordinator_bangka):
    kla("19.01")
    one = _queries(Region.objects.filter(code="19.01"))
    # Three regions with assessments and answers, more OPD kinds and more indicators.
    for code in ("19.02", "19.03"):
        assessment = kla(code)
        for indicator in assessment.edition.indicators.all()[:5]:
            Answer.objects.create(assessment=assessment, indicator=indicator, value=None)
    edition = Edition.objects.get(program="kla", year=2025)
    group = edition.groups.first()
    for n in range(5):
        kind = OpdKind.objects.create(code=f"uji{n}", name=f"Dinas Uji {n}", short=f"Uji {n}")
        for region in Region.objects.filter(code__in=["19.01", "19.02", "19.03"]):
            Opd.objects.create(region=region, kind=kind, name=f"Dinas Uji {n} {region.code}")
        for m in range(4):
            Indicator.objects.create(
                edition=edition,
                group=group,
                code=f"KLA-U{n}-{m}",
                text="uji",
                order=100 + n * 10 + m,
                kind="yesno",
                max_score=Decimal(0),
                owner_kind=kind,
            )
    make_user("opd.uji0", "operator", "19.02", "uji0")
    three = _queries(Region.objects.filter(code__in=["19.01", "19.02", "19.03"]))
    assert one == three <= 13


def test_another_regions_koordinator_gets_404_and_an_operator_sees_no_handover(
    client, koordinator_belitung, operator_dinkes_bangka
):
    client.force_login(koordinator_belitung)
    assert client.get(PAGE).status_code == 404
    client.force_login(operator_dinkes_bangka)
    response = client.get(PAGE)
    assert response.status_code == 200 and 'id="serah-terima"' not in response.text


def test_province_view_for_provincial_roles_others_go_to_their_region(
    client, verifikator, koordinator_bangka, unassigned_user
):
    client.force_login(verifikator)
    response = client.get("/opd/?tahun=2025")
    assert response.status_code == 200
    assert response.text.count('class="table opd-table"') == 7
    client.force_login(koordinator_bangka)
    assert client.get("/opd/")["Location"] == PAGE
    client.force_login(unassigned_user)
    assert client.get("/opd/").status_code == 404


# --- handover ---------------------------------------------------------------------------------


@pytest.fixture
def successor(db):
    return get_user_model().objects.create_user("pengganti.dinkes", password="Sandi-uji-2026!")


def post_handover(client, user, leaving, to="pengganti.dinkes", reason="Mutasi, SK 821/45/2026"):
    client.force_login(user)
    return client.post(PAGE, {"from_user": leaving.pk, "to_username": to, "reason": reason})


def test_koordinator_hands_an_operators_assignment_to_the_successor_with_history(
    client, koordinator_bangka, operator_dinkes_bangka, successor
):
    response = post_handover(client, koordinator_bangka, operator_dinkes_bangka)

    assert response.status_code == 302
    assignment = Assignment.objects.get(user=successor)
    assert (assignment.role, assignment.opd.kind.code) == ("operator", "dinkes")
    assert not Assignment.objects.filter(user=operator_dinkes_bangka).exists()
    latest = assignment.history.first()
    assert "Mutasi, SK 821/45/2026" in latest.history_change_reason
    assert latest.history_user == koordinator_bangka
    handover = Handover.objects.get()
    assert (handover.from_user, handover.to_user, handover.done_by) == (
        operator_dinkes_bangka,
        successor,
        koordinator_bangka,
    )
    successor = get_user_model().objects.get(pk=successor.pk)
    assert scope_for(successor).opd_kind_code == "dinkes"
    page = client.get(PAGE).text
    assert "Mutasi, SK 821/45/2026" in page


@pytest.mark.parametrize(
    ("to", "reason"),
    [("pengganti.dinkes", ""), ("tidak.ada", "Mutasi"), ("koordinator.bangka.uji", "Mutasi")],
)
def test_a_bad_handover_is_refused_and_changes_nothing(
    client, koordinator_bangka, operator_dinkes_bangka, successor, to, reason
):
    response = post_handover(client, koordinator_bangka, operator_dinkes_bangka, to, reason)

    assert response.status_code == 400
    assert Assignment.objects.get(user=operator_dinkes_bangka).opd.kind.code == "dinkes"
    assert not Assignment.objects.filter(user=successor).exists()
    assert not Handover.objects.exists()


def test_only_the_regions_koordinator_or_admin_hands_over(
    client,
    koordinator_belitung,
    operator_dinkes_bangka,
    operator_disdik_bangka,
    verifikator,
    admin_user,
    successor,
):
    assert post_handover(client, koordinator_belitung, operator_dinkes_bangka).status_code == 404
    assert post_handover(client, operator_disdik_bangka, operator_dinkes_bangka).status_code == 403
    assert post_handover(client, verifikator, operator_dinkes_bangka).status_code == 403
    assert not Handover.objects.exists()
    assert Assignment.objects.get(user=operator_dinkes_bangka).region.code == "19.01"
    assert post_handover(client, admin_user, operator_dinkes_bangka).status_code == 302


def test_a_user_of_another_region_cannot_be_handed_over_from_here(
    client, koordinator_bangka, koordinator_belitung, successor
):
    response = post_handover(client, koordinator_bangka, koordinator_belitung)
    assert response.status_code == 400
    assert Assignment.objects.get(user=koordinator_belitung).region.code == "19.02"
