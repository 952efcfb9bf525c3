"""Return notices (#15): the count names returned indicators (the general note is no indicator),
the top of the form lists every returned indicator with a link to its field and its reasons, the
koordinator of the region is told once when every returned indicator has been changed, and the
verifier's return page shows each indicator's evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from penilaian import workflow
from penilaian.models import (
    Assessment,
    Document,
    Edition,
    EvidenceLink,
    Indicator,
    Notification,
    ReturnReason,
    WorkflowEvent,
)
from penilaian.scoring import completes_round, fix_progress
from penilaian.services import get_or_create_assessment, save_values
from regions.models import Preference, Region
from regions.scoping import scope_for

URL = "/penilaian/kla/19.01/2025/"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


# --- the rule, without a database -----------------------------------------------------------


def test_a_round_is_fixed_when_every_returned_item_is_changed():
    assert fix_progress({"A", "B"}, {"A", "X"}).done == 1  # X was not returned
    assert not fix_progress({"A", "B"}, {"A"}).all_changed
    assert fix_progress({"A", "B"}, {"B", "A", "C"}).all_changed
    assert not fix_progress(set(), {"A"}).all_changed  # a general note alone is never "fixed"


def test_only_the_change_of_the_last_unchanged_item_completes_the_round():
    assert not completes_round({"A", "B"}, set(), {"A"})  # not before the last
    assert completes_round({"A", "B"}, {"A"}, {"B"})  # the last one
    assert completes_round({"A", "B"}, set(), {"A", "B"})  # both in one save
    assert not completes_round({"A", "B"}, {"A", "B"}, {"A"})  # not again on a further edit
    assert not completes_round({"A", "B"}, {"A"}, {"C"})  # another indicator does not count
    assert not completes_round(set(), set(), {"A"})


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def kla_bangka(koordinator_bangka):
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    return assessment


def dinkes_codes(assessment, count: int) -> list[str]:
    """Codes of indicators the Dinas Kesehatan owns (its operator may change them)."""
    return list(
        Indicator.objects.filter(edition=assessment.edition, owner_kind__code="dinkes")
        .order_by("group__order", "order")
        .values_list("code", flat=True)[:count]
    )


def return_codes(assessment, verifikator, codes, note=""):
    indicators = {i.code: i for i in assessment.edition.indicators.all()}
    return workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[
            workflow.ReturnItem(
                reason=f"Perbaiki {code}",
                indicator=indicators[code],
                categories=("tahun_tidak_sesuai",),
            )
            for code in codes
        ],
        note=note,
    )


def change_value(assessment, user, code, step=-1):
    """Save a valid value for ``code`` (another ``step`` gives another value)."""
    assessment.refresh_from_db()
    indicator = assessment.edition.indicators.get(code=code)
    if indicator.kind == "ladder":
        value = str(indicator.options[step]["points"])
    elif indicator.kind == "percent":
        value = str(50 + step)
    else:
        value = "1" if step % 2 else "0"
    return save_values(assessment, {code: value}, user=user, scope=scope_for(user))


def messages_of(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("message", flat=True))


# --- the count --------------------------------------------------------------------------------


def test_one_indicator_and_a_general_note_count_as_one_indicator(
    kla_bangka, verifikator, operator_dinkes_bangka
):
    code = dinkes_codes(kla_bangka, 1)[0]
    Notification.objects.all().delete()

    return_codes(kla_bangka, verifikator, [code], note="Lengkapi semua tanda tangan")

    [message] = messages_of(operator_dinkes_bangka)
    assert "1 indikator perlu diperbaiki, dengan catatan umum" in message
    assert "2 " not in message.split("verifikator.uji")[1]
    assert "alasan" not in message


def test_two_indicators_count_as_two_and_a_note_alone_counts_none(
    kla_bangka, verifikator, koordinator_bangka, operator_dinkes_bangka
):
    Notification.objects.all().delete()
    return_codes(kla_bangka, verifikator, dinkes_codes(kla_bangka, 2))
    [message] = messages_of(operator_dinkes_bangka)
    assert message.endswith(": 2 indikator perlu diperbaiki.")

    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")
    Notification.objects.all().delete()
    workflow.return_assessment(kla_bangka, user=verifikator, items=[], note="Lengkapi")
    [message] = messages_of(operator_dinkes_bangka)
    assert message.endswith("dikembalikan oleh verifikator.uji dengan catatan umum.")


# --- the top of the form ------------------------------------------------------------------------


def test_the_top_of_the_form_lists_returned_indicators_with_links_reasons_and_the_note(
    client, kla_bangka, verifikator, koordinator_bangka
):
    codes = dinkes_codes(kla_bangka, 2)
    return_codes(kla_bangka, verifikator, codes, note="Semua SK harus bertanda tangan")
    client.force_login(koordinator_bangka)

    page = client.get(URL).text
    top = page.split('id="dikembalikan"')[1].split("</section>")[0]

    assert page.index('id="dikembalikan"') < page.index('id="indikator"')
    for code in codes:
        item = top.split(f'data-code="{code}"')[1].split("</li>\n")[0]
        assert f'href="#ind-{code}"' in item
        assert 'data-code="tahun_tidak_sesuai"' in item and "Tahun dokumen tidak sesuai" in item
        assert f"Perbaiki {code}" in item
        assert "belum diubah" in item
        assert f'id="ind-{code}"' in page  # the anchor exists
    assert "0 dari 2 item yang dikembalikan sudah diubah" in top
    assert "Semua SK harus bertanda tangan" in top.split('id="returned-general"')[1]
    assert "Dikembalikan oleh verifikator.uji" in top


def test_an_operator_sees_the_returned_indicators_of_their_own_opd_and_a_count_of_the_rest(
    client, kla_bangka, verifikator, operator_dinkes_bangka
):
    own = dinkes_codes(kla_bangka, 1)[0]
    other = (
        Indicator.objects.filter(edition=kla_bangka.edition)
        .exclude(owner_kind__code="dinkes")
        .values_list("code", flat=True)
        .first()
    )
    return_codes(kla_bangka, verifikator, [own, other])
    client.force_login(operator_dinkes_bangka)

    top = client.get(URL).text.split('id="dikembalikan"')[1].split("</section>")[0]

    assert f'href="#ind-{own}"' in top and f'href="#ind-{other}"' not in top
    assert "1 indikator lain yang dikembalikan dipegang perangkat daerah (OPD) lain" in top


def test_nothing_returned_shows_no_notice(client, kla_bangka, koordinator_bangka):
    client.force_login(koordinator_bangka)
    assert 'id="dikembalikan"' not in client.get(URL).text


@pytest.mark.parametrize("count", [1, 3])
def test_the_form_with_returned_indicators_reads_with_a_constant_number_of_queries(
    client, kla_bangka, verifikator, koordinator_bangka, count, django_assert_num_queries
):
    return_codes(kla_bangka, verifikator, dinkes_codes(kla_bangka, count), note="Catatan")
    client.force_login(koordinator_bangka)
    client.get(URL)

    # as tests/test_entry_pages.py (30): the notice uses the reasons the page loads anyway
    with django_assert_num_queries(30):
        response = client.get(URL)
    assert len(response.context["returned"].items) == count


# --- "all returned items changed" -------------------------------------------------------------


def test_the_koordinator_is_told_once_when_the_last_returned_indicator_is_changed(
    client,
    kla_bangka,
    verifikator,
    koordinator_bangka,
    koordinator_belitung,
    operator_dinkes_bangka,
    operator_disdik_bangka,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    for user in (koordinator_bangka, koordinator_belitung, operator_dinkes_bangka):
        user.email = f"{user.username}@example.go.id"
        user.save(update_fields=["email"])
    first, last = dinkes_codes(kla_bangka, 2)
    return_codes(kla_bangka, verifikator, [first, last], note="Catatan umum")
    Notification.objects.all().delete()
    mailoutbox.clear()

    # the first of two: nobody is told yet
    with django_capture_on_commit_callbacks(execute=True):
        change_value(kla_bangka, operator_dinkes_bangka, first)
    assert not Notification.objects.exists() and mailoutbox == []
    assert not WorkflowEvent.objects.filter(action="fixed").exists()
    # the last one, by linking evidence on the form
    client.force_login(operator_dinkes_bangka)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL + "bukti/",
            {"file": SimpleUploadedFile("sk.pdf", PDF), "title": "SK", "indicators": [last]},
        )
    assert response.status_code == 302

    [message] = messages_of(koordinator_bangka)
    assert "semua 2 indikator yang dikembalikan sudah diubah" in message
    assert "opd.dinkes.bangka.uji" in message
    assert messages_of(koordinator_belitung) == []  # another region's koordinator: nothing
    assert messages_of(operator_disdik_bangka) == []  # operators are not told
    assert [m.to for m in mailoutbox] == [[koordinator_bangka.email]]
    assert mailoutbox[0].subject == (
        "Semua item yang dikembalikan sudah diubah: KLA 2025 — Kabupaten Bangka"
    )
    assert first in mailoutbox[0].body and last in mailoutbox[0].body
    assert "Catatan umum" not in mailoutbox[0].body  # the note is no item
    event = WorkflowEvent.objects.get(action="fixed")
    assert (event.from_status, event.to_status, event.user) == (
        "returned",
        "returned",
        operator_dinkes_bangka,
    )
    assert Assessment.objects.get(pk=kla_bangka.pk).status == "returned"
    assert set(
        ReturnReason.objects.filter(indicator__isnull=False).values_list("changed_by", flat=True)
    ) == {operator_dinkes_bangka.pk}

    # a further edit, and removing the evidence again: not again
    with django_capture_on_commit_callbacks(execute=True):
        change_value(kla_bangka, operator_dinkes_bangka, last)
        client.post(URL + f"bukti/{EvidenceLink.objects.get().pk}/hapus/")
    assert len(messages_of(koordinator_bangka)) == 1
    assert len(mailoutbox) == 1
    assert WorkflowEvent.objects.filter(action="fixed").count() == 1
    # the form says so, and the history keeps the moment
    client.force_login(koordinator_bangka)
    page = client.get(URL).text
    assert "2 dari 2 item yang dikembalikan sudah diubah" in page
    assert "Semua item yang dikembalikan sudah diubah" in page.split('id="riwayat"')[-1]


def test_a_new_return_round_is_told_again(
    kla_bangka, verifikator, koordinator_bangka, operator_dinkes_bangka
):
    code = dinkes_codes(kla_bangka, 1)[0]
    for step in range(2):
        return_codes(kla_bangka, verifikator, [code])
        change_value(kla_bangka, operator_dinkes_bangka, code, step)
        workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji")

    assert WorkflowEvent.objects.filter(action="fixed").count() == 2
    assert len([m for m in messages_of(koordinator_bangka) if "sudah diubah" in m]) == 2


def test_saving_the_same_value_or_another_indicator_is_no_change(
    verifikator, koordinator_bangka, operator_dinkes_bangka
):
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    first, second, other = dinkes_codes(assessment, 3)
    change_value(assessment, koordinator_bangka, first)  # a value before the return
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji")
    return_codes(assessment, verifikator, [first, second])

    change_value(assessment, operator_dinkes_bangka, first)  # the same value again
    change_value(assessment, operator_dinkes_bangka, other)  # not returned
    save_values(  # an empty value for an unanswered indicator
        assessment,
        {second: ""},
        user=operator_dinkes_bangka,
        scope=scope_for(operator_dinkes_bangka),
    )

    assert list(ReturnReason.objects.values_list("changed_at", flat=True)) == [None, None]
    assert not WorkflowEvent.objects.filter(action="fixed").exists()


def test_a_koordinator_who_turned_e_mail_off_is_told_in_the_app_only(
    client,
    kla_bangka,
    verifikator,
    koordinator_bangka,
    operator_dinkes_bangka,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    koordinator_bangka.email = "koordinator@example.go.id"
    koordinator_bangka.save(update_fields=["email"])
    Preference.objects.create(user=koordinator_bangka, email_notifications=False)
    code = dinkes_codes(kla_bangka, 1)[0]
    return_codes(kla_bangka, verifikator, [code])
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_value(kla_bangka, operator_dinkes_bangka, code)

    assert mailoutbox == []
    assert any("sudah diubah" in m for m in messages_of(koordinator_bangka))


def test_the_koordinator_making_the_last_change_is_not_told_of_it(
    kla_bangka, verifikator, koordinator_bangka, mailoutbox, django_capture_on_commit_callbacks
):
    koordinator_bangka.email = "koordinator@example.go.id"
    koordinator_bangka.save(update_fields=["email"])
    code = dinkes_codes(kla_bangka, 1)[0]
    return_codes(kla_bangka, verifikator, [code])
    Notification.objects.all().delete()
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        change_value(kla_bangka, koordinator_bangka, code)

    assert WorkflowEvent.objects.filter(action="fixed").count() == 1  # recorded all the same
    assert messages_of(koordinator_bangka) == [] and mailoutbox == []


# --- the verifier's return page -----------------------------------------------------------------


def link_document(assessment, codes, title="SK Gugus Tugas"):
    document = Document.objects.create(
        region=assessment.region,
        title=title,
        file="evidence/19.01/x.pdf",
        original_name="sk-gugus.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    for code in codes:
        EvidenceLink.objects.create(
            document=document,
            assessment=assessment,
            indicator=assessment.edition.indicators.get(code=code),
        )
    return document


def test_the_return_page_shows_each_indicators_evidence_with_a_download_link(
    client, kla_bangka, verifikator
):
    document = link_document(kla_bangka, ["KLA-KL-01"])
    client.force_login(verifikator)

    page = client.get(URL + "kembalikan/").text

    cell = page.split('id="evidence-KLA-KL-01"')[1].split("</td>")[0]
    assert f'href="/penilaian/dokumen/{document.pk}/"' in cell
    assert "SK Gugus Tugas" in cell and "sk-gugus.pdf" in cell
    assert "—" in page.split('id="evidence-KLA-KL-02"')[1].split("</td>")[0]


def test_a_koordinator_of_another_region_gets_404_on_the_return_page_and_changes_nothing(
    client, kla_bangka, koordinator_belitung
):
    link_document(kla_bangka, ["KLA-KL-01"])
    client.force_login(koordinator_belitung)

    assert client.get(URL + "kembalikan/").status_code == 404
    assert client.get(URL + "verifikasi/").status_code == 404  # the verify check list too
    assert client.post(URL + "kembalikan/", {"note": "x"}).status_code == 404
    assert Assessment.objects.get(pk=kla_bangka.pk).status == "submitted"
    assert not ReturnReason.objects.exists()


@pytest.mark.parametrize("count", [1, 3])
def test_the_return_page_reads_with_a_constant_number_of_queries(
    client, kla_bangka, verifikator, count, django_assert_num_queries
):
    link_document(kla_bangka, ["KLA-KL-01", "KLA-KL-02", "KLA-KL-03"][:count])
    client.force_login(verifikator)
    client.get(URL + "kembalikan/")

    # session, user, assignment; region, edition, assessment; submitter; indicators, answers,
    # evidence links with their documents; return categories; unread notifications
    with django_assert_num_queries(12):
        response = client.get(URL + "kembalikan/")
    assert response.status_code == 200


# --- the other write paths: Kampung KB desa rows, meeting documents ---------------------------

BATU_RUSA = "19.01.03.2001"
KKB_URL = "/penilaian/kampung_kb/19.01/2025/"


def test_a_returned_desa_is_listed_at_the_top_and_its_change_tells_the_koordinator(
    client, koordinator_bangka, verifikator, admin_user
):
    from kampung_kb.services import save_desa_rows

    assessment = get_or_create_assessment(
        Edition.objects.get(program="kampung_kb", year=2025), Region.objects.get(code="19.01")
    )
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji")
    workflow.return_assessment(
        assessment,
        user=verifikator,
        items=[workflow.ReturnItem(reason="SK penetapan belum ada.", desa_code=BATU_RUSA)],
        note="Catatan umum",
    )
    assert (
        "1 desa/kelurahan perlu diperbaiki, dengan catatan umum"
        in messages_of(koordinator_bangka)[0]
    )
    client.force_login(koordinator_bangka)
    top = client.get(KKB_URL).text.split('id="dikembalikan"')[1].split("</section>")[0]
    assert f'href="?kecamatan=19.01.03#desa-{BATU_RUSA}"' in top
    assert "SK penetapan belum ada." in top and "Catatan umum" in top

    assessment.refresh_from_db()
    save_desa_rows(
        assessment,
        {BATU_RUSA: {"kampung_kb": "ya"}},
        user=admin_user,
        scope=scope_for(admin_user),
    )

    assert WorkflowEvent.objects.filter(assessment=assessment, action="fixed").count() == 1
    assert (
        "semua 1 desa/kelurahan yang dikembalikan sudah diubah"
        in messages_of(koordinator_bangka)[0]
    )


def test_linking_a_meeting_document_to_a_returned_indicator_counts_as_a_change(
    client, kla_bangka, verifikator, koordinator_bangka
):
    from tests.test_sinergitas_factories import make_meeting, pdf_upload

    return_codes(kla_bangka, verifikator, ["KLA-KL-01"])
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    client.post(
        f"/sinergitas/{meeting.pk}/dokumen/",
        {"file": pdf_upload(), "title": "Daftar hadir", "role": "attendance"},
    )

    response = client.post(
        f"/sinergitas/{meeting.pk}/bukti/",
        {
            "document": Document.objects.get().pk,
            "assessment": kla_bangka.pk,
            "indicator_code": "KLA-KL-01",
        },
    )

    assert response.status_code == 302
    assert ReturnReason.objects.get().changed_by == koordinator_bangka
    assert WorkflowEvent.objects.filter(action="fixed").count() == 1
