""" "Tugas saya" (/tugas/): the landing page of operators and koordinators — what is open for
them, each item linked to its field on the entry form, the current stage's deadline; scope; the
landing after login; a constant number of queries."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from akuntabilitas.models import Stage
from akuntabilitas.queries import my_tasks
from penilaian import workflow
from penilaian.models import Assessment, Document, EvidenceLink, ProgramYear
from penilaian.services import save_values
from regions.scoping import scope_for
from tests.conftest import start

pytestmark = pytest.mark.django_db

PAGE = "/tugas/"
KLA_FORM = "/penilaian/kla/19.01/2025/"


def fill(assessment, user, values: dict[str, str]) -> None:
    save_values(assessment, values, {}, user=user, scope=scope_for(user))


def returned_kla(koordinator, verifikator, codes=("KLA-3-09",)):
    """Bangka's KLA 2025 with ``codes`` (owned by Dinkes) filled, submitted and returned."""
    assessment = start("kla", "19.01", 2025)
    indicators = {i.code: i for i in assessment.edition.indicators.filter(code__in=codes)}
    fill(assessment, koordinator, {c: str(indicators[c].options[0]["points"]) for c in codes})
    workflow.submit(assessment, user=koordinator, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[
            workflow.ReturnItem(indicator=indicators[c], categories=("tahun_tidak_sesuai",))
            for c in codes
        ],
    )
    return assessment


def links(html: str) -> list[str]:
    return re.findall(r'href="(/penilaian/[^"]*#[^"]*)"', html)


# --- content per role --------------------------------------------------------------------------


def test_an_operator_sees_only_their_opds_indicators_to_fill_each_linked_to_its_field(
    client, operator_dinkes_bangka
):
    start("kla", "19.01", 2025)
    client.force_login(operator_dinkes_bangka)

    response = client.get(PAGE)

    assert response.status_code == 200
    card = response.text.split('id="tugas-kla-2025"')[1].split("</section>")[0]
    hrefs = set(links(card))
    # the 8 KLA indicators Dinkes owns, and no other
    assert {h.split("#")[1] for h in hrefs} == {f"ind-KLA-3-0{n}" for n in (1, 2, 3, 4, 5, 6, 8, 9)}
    assert all(h.startswith(KLA_FORM + "#ind-") for h in hrefs)
    assert "KLA-1-01" not in card and "KLA-2-02" not in card
    # APE: no assessment yet, and the operator cannot start it
    ape = response.text.split('id="tugas-ape-2025"')[1].split("</section>")[0]
    assert "koordinator wilayah Anda yang memulainya" in ape
    assert 'id="start-ape-2025"' not in ape
    # Kampung KB is the koordinator's
    assert 'id="tugas-kampung_kb-2025"' not in response.text
    assert "Dinas Kesehatan" in response.text


def test_every_link_points_at_a_field_anchor_that_the_entry_form_has(
    client, operator_dinkes_bangka
):
    start("kla", "19.01", 2025)
    client.force_login(operator_dinkes_bangka)
    hrefs = links(client.get(PAGE).text)
    form = client.get(KLA_FORM).text

    anchors = {h.split("#")[1] for h in hrefs if h.startswith(KLA_FORM)}

    assert len(anchors) == 8
    assert {a for a in anchors if f'id="{a}"' in form} == anchors


def test_returned_items_show_their_reason_and_evidence_missing_is_listed(
    client, koordinator_bangka, operator_dinkes_bangka, verifikator
):
    assessment = returned_kla(koordinator_bangka, verifikator)
    # KLA-3-08 filled without evidence is not "evidence missing" (not required); KLA-3-09 needs
    # evidence, but it is returned: it is listed once, under "returned".
    fill(assessment, operator_dinkes_bangka, {"KLA-3-08": "50"})
    client.force_login(operator_dinkes_bangka)

    html = client.get(PAGE).text

    card = html.split('id="tugas-kla-2025"')[1].split("</section>")[0]
    returned = card.split("task-returned")[1].split("</ul>")[0]
    assert 'href="/penilaian/kla/19.01/2025/#ind-KLA-3-09"' in returned
    assert "Tahun dokumen tidak sesuai" in returned
    to_fill = card.split("task-fill")[1].split("</ul>")[0]
    assert "KLA-3-09" not in to_fill and "KLA-3-08" not in to_fill and "KLA-3-01" in to_fill
    assert "Dikembalikan" in html


def test_a_returned_item_changed_since_is_marked_and_no_longer_counted(
    client, koordinator_bangka, operator_dinkes_bangka, verifikator
):
    assessment = returned_kla(koordinator_bangka, verifikator, ("KLA-3-09", "KLA-3-01"))
    client.force_login(operator_dinkes_bangka)
    before = client.get(PAGE).context["tasks"].count
    indicator = assessment.edition.indicators.get(code="KLA-3-01")
    fill(assessment, operator_dinkes_bangka, {"KLA-3-01": str(indicator.options[-1]["points"])})

    response = client.get(PAGE)

    assert response.context["tasks"].count == before - 1
    returned = response.text.split("task-returned")[1].split("</ul>")[0]
    changed = returned.split('data-code="KLA-3-01"')[1].split("</li>")[0]
    assert "sudah diubah sejak dikembalikan" in changed
    assert "sudah diubah" not in returned.split('data-code="KLA-3-09"')[1].split("</li>")[0]


def test_a_filled_indicator_without_its_required_evidence_is_listed_as_evidence_missing(
    client, koordinator_bangka, operator_dinkes_bangka
):
    assessment = start("kla", "19.01", 2025)
    indicator = assessment.edition.indicators.get(code="KLA-3-09")
    fill(assessment, operator_dinkes_bangka, {"KLA-3-09": str(indicator.options[0]["points"])})
    client.force_login(operator_dinkes_bangka)

    card = client.get(PAGE).text.split('id="tugas-kla-2025"')[1].split("</section>")[0]

    evidence = card.split("task-evidence")[1].split("</ul>")[0]
    assert 'href="/penilaian/kla/19.01/2025/#ind-KLA-3-09"' in evidence
    document = Document.objects.create(
        region=assessment.region,
        title="Bukti",
        file="evidence/19.01/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    EvidenceLink.objects.create(document=document, assessment=assessment, indicator=indicator)
    fill(assessment, operator_dinkes_bangka, {"KLA-3-08": "50"})  # a save bumps the version
    card = client.get(PAGE).text.split('id="tugas-kla-2025"')[1].split("</section>")[0]
    assert "task-evidence" not in card


def test_a_koordinator_sees_every_opd_grouped_kampung_kb_and_the_start_and_submit_steps(
    client, koordinator_bangka, operator_dinkes_bangka, verifikator
):
    returned_kla(koordinator_bangka, verifikator)
    client.force_login(koordinator_bangka)

    html = client.get(PAGE).text

    kla = html.split('id="tugas-kla-2025"')[1].split("</section>")[0]
    groups = re.findall(r'<details class="task-group" data-opd="(\d+|none)"', kla)
    assert len(groups) > 3  # several OPD, each its own group
    dinkes = kla.split("Dinas Kesehatan")[1].split("</details>")[0]
    assert "#ind-KLA-3-09" in dinkes and "Tahun dokumen tidak sesuai" in dinkes
    assert operator_dinkes_bangka.username in dinkes  # whom to ask
    assert 'id="submit-kla-2025"' in kla and 'href="/penilaian/kla/19.01/2025/#alur"' in kla
    ape = html.split('id="tugas-ape-2025"')[1].split("</section>")[0]
    assert 'id="start-ape-2025"' in ape and 'href="/penilaian/ape/19.01/2025/"' in ape
    assert 'id="start-kampung_kb-2025"' in html
    assert not Assessment.objects.filter(edition__program="ape").exists()  # a GET starts nothing


def test_kampung_kb_lists_missing_villages_and_returned_ones_for_the_koordinator(
    client, koordinator_bangka, verifikator
):
    assessment = start("kampung_kb", "19.01", 2025)
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[workflow.ReturnItem(desa_code="19.01.01.2001", reason="Data desa keliru")],
    )
    client.force_login(koordinator_bangka)

    kkb = client.get(PAGE).text.split('id="tugas-kampung_kb-2025"')[1].split("</section>")[0]

    assert 'href="/penilaian/kampung_kb/19.01/2025/?status=belum_ada_data#desa"' in kkb
    assert 'href="/penilaian/kampung_kb/19.01/2025/?kecamatan=19.01.01#desa-19.01.01.2001"' in kkb
    assert "Data desa keliru" in kkb


def test_a_return_of_the_whole_goes_to_the_koordinator_not_to_an_opd_owning_nothing_there(
    client, koordinator_bangka, operator_dinkes_bangka, verifikator
):
    assessment = start("ape", "19.01", 2025)  # Dinkes owns no APE indicator
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment, user=verifikator, items=[], note="Lengkapi SK gugus tugas"
    )

    client.force_login(koordinator_bangka)
    ape = client.get(PAGE).text.split('id="tugas-ape-2025"')[1].split("</section>")[0]
    client.force_login(operator_dinkes_bangka)
    operator = client.get(PAGE).text.split('id="tugas-ape-2025"')[1].split("</section>")[0]

    assert (
        '<a href="/penilaian/ape/19.01/2025/#returned-general">Lengkapi SK gugus tugas</a>' in ape
    )
    client.force_login(koordinator_bangka)
    assert 'id="returned-general"' in client.get("/penilaian/ape/19.01/2025/").text
    assert "Lengkapi SK gugus tugas" not in operator
    assert "OPD Anda tidak memegang indikator apa pun" in operator


def test_an_operator_with_nothing_open_is_told_so(
    client, koordinator_bangka, operator_dinkes_bangka
):
    assessment = start("kla", "19.01", 2025)
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    client.force_login(operator_dinkes_bangka)

    html = client.get(PAGE).text

    assert 'id="nothing-to-do"' in html and "Tidak ada yang perlu dikerjakan" in html
    assert "menunggu verifikator provinsi" in html
    assert links(html) == []


def test_without_a_current_evaluation_year_the_page_says_no_year_is_open(
    client, operator_dinkes_bangka
):
    ProgramYear.objects.all().delete()
    client.force_login(operator_dinkes_bangka)

    html = client.get(PAGE).text

    assert 'id="nothing-to-do"' in html and "belum menetapkan tahun evaluasi berjalan" in html


def test_an_older_draft_or_returned_year_is_listed_beside_the_current_one(
    client, koordinator_bangka
):
    start("kla", "19.01", 2024)
    client.force_login(koordinator_bangka)

    html = client.get(PAGE).text

    assert 'id="tugas-kla-2024"' in html and 'id="tugas-kla-2025"' in html
    assert html.index('id="tugas-kla-2025"') < html.index('id="tugas-kla-2024"')
    assert 'id="tugas-ape-2024"' not in html  # not started and not current: not offered


def test_the_deadline_of_the_current_stage_and_the_days_left_are_shown(
    client, operator_dinkes_bangka
):
    today = timezone.localdate()
    Stage.objects.create(
        program="kla",
        year=2025,
        code="pengisian",
        name="Pengisian mandiri",
        order=1,
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=20),
        internal_deadline=today + timedelta(days=6),
    )
    client.force_login(operator_dinkes_bangka)

    html = client.get(PAGE).text

    kla = html.split('id="tugas-kla-2025"')[1].split("</section>")[0]
    assert "Pengisian mandiri" in kla and "batas waktu provinsi" in kla
    assert 'data-days="6"' in kla and "6 hari lagi" in kla
    ape = html.split('id="tugas-ape-2025"')[1].split("</section>")[0]
    assert "Tidak ada batas waktu" in ape


# --- scope ---------------------------------------------------------------------------------------


def test_an_operator_of_another_opd_sees_none_of_dinkes_items(
    client, koordinator_bangka, operator_disdik_bangka, verifikator
):
    returned_kla(koordinator_bangka, verifikator)
    client.force_login(operator_disdik_bangka)

    html = client.get(PAGE).text

    assert "KLA-3-09" not in html and "Dinas Kesehatan" not in html
    assert all("#ind-KLA-3-" not in h for h in links(html))


def test_a_koordinator_of_another_region_sees_none_of_it(
    client, koordinator_bangka, koordinator_belitung, verifikator
):
    returned_kla(koordinator_bangka, verifikator)
    client.force_login(koordinator_belitung)

    html = client.get(PAGE).text

    assert "19.01" not in html and "Kabupaten Bangka" not in html
    assert "Tahun dokumen tidak sesuai" not in html
    assert all("/19.02/" in h for h in links(html))


@pytest.mark.parametrize("role", ["admin_user", "verifikator", "pimpinan", "unassigned_user"])
def test_other_roles_are_sent_to_the_dashboard(client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.get(PAGE)

    assert (response.status_code, response["Location"]) == (302, "/")


def test_anonymous_is_sent_to_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_is_get_only_and_changes_nothing(client, koordinator_bangka):
    client.force_login(koordinator_bangka)

    assert client.post(PAGE).status_code == 405
    assert client.get(PAGE).status_code == 200
    assert not Assessment.objects.exists()


# --- landing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("koordinator_bangka", "/tugas/"),
        ("operator_dinkes_bangka", "/tugas/"),
        ("admin_user", "/"),
        ("verifikator", "/"),
        ("pimpinan", "/"),
    ],
)
def test_after_login_operators_and_koordinators_land_on_their_tasks(client, request, role, landing):
    user = request.getfixturevalue(role)

    response = client.post(
        "/accounts/login/",
        {"username": user.username, "password": "Sandi-uji-2026!"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200
    template = "akuntabilitas/tasks.html" if landing == "/tugas/" else "dashboard/home.html"
    assert template in [t.name for t in response.templates]


def test_the_dashboard_stays_at_slash_and_one_click_away_for_a_koordinator(
    client, koordinator_bangka
):
    """Contract §4: "/" is the province dashboard for every logged-in user; "Tugas saya" is
    where operators and koordinators land after login, and the menu links both."""
    client.force_login(koordinator_bangka)

    response = client.get("/")
    assert response.status_code == 200
    assert "dashboard/home.html" in [t.name for t in response.templates]
    html = client.get(PAGE).text
    nav = html.split('id="menu"')[1].split("</nav>")[0]
    assert 'href="/tugas/"' in nav and 'href="/"' in nav


def test_the_nav_of_other_roles_has_no_tasks_link(client, verifikator):
    client.force_login(verifikator)

    nav = client.get("/").text.split('id="menu"')[1].split("</nav>")[0]

    assert 'href="/tugas/"' not in nav and 'href="/"' in nav


def test_the_operators_workflow_card_says_who_moves_the_draft_on(client, operator_dinkes_bangka):
    start("kla", "19.01", 2025)
    client.force_login(operator_dinkes_bangka)

    card = client.get(KLA_FORM).text.split('id="alur"')[1].split("</section>")[0]

    assert 'id="workflow-next"' in card and "oordinator Kabupaten Bangka" in card
    assert 'href="/tugas/"' in card


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("item_count", [1, 3])
def test_the_page_reads_with_a_constant_number_of_queries(
    client, koordinator_bangka, verifikator, django_assert_num_queries, item_count
):
    codes = ("KLA-3-09", "KLA-3-01", "KLA-3-04")[:item_count]
    returned_kla(koordinator_bangka, verifikator, codes)
    start("kampung_kb", "19.01", 2025)
    start("kla", "19.01", 2024)
    for n in range(item_count):
        Stage.objects.create(
            program="kla",
            year=2025,
            code=f"tahap-{n}",
            name=f"Tahap {n}",
            order=n,
            starts_on=date(2025, 1, 1) + timedelta(days=30 * n),
            ends_on=date(2025, 1, 20) + timedelta(days=30 * n),
        )
    client.force_login(koordinator_bangka)
    client.get(PAGE)  # session, scope and the like warm up once

    # session + user, scope, unread notifications (nav), then my_tasks: region, current years,
    # editions, assessments, the OPD accountability (12), stages, reasons, desa and desa rows
    with django_assert_num_queries(24):
        response = client.get(PAGE)

    assert response.context["tasks"].count > item_count


@pytest.mark.parametrize("item_count", [1, 3])
def test_my_tasks_for_an_operator_reads_with_a_constant_number_of_queries(
    koordinator_bangka, operator_dinkes_bangka, verifikator, django_assert_num_queries, item_count
):
    codes = ("KLA-3-09", "KLA-3-01", "KLA-3-04")[:item_count]
    returned_kla(koordinator_bangka, verifikator, codes)
    scope = scope_for(operator_dinkes_bangka)

    # opd+region, current years, editions, assessments, OPD accountability (12), stages, reasons
    with django_assert_num_queries(18):
        tasks = my_tasks(scope, date(2025, 6, 1))

    kla = next(a for a in tasks.assessments if a.program == "kla")
    assert [len(g.returned) for g in kla.groups] == [item_count]
    assert sum(len(g.to_fill) for g in kla.groups) == 8 - item_count
    assert tasks.count == kla.count  # APE: Dinkes owns none of its indicators
