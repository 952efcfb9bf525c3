"""Meeting pages: list with filters, calendar, xlsx export, forms, admin; their query counts."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from sinergitas.exports import safe_text
from sinergitas.models import Meeting, Participation
from tests.test_sinergitas_factories import make_followup, make_meeting, region

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [m.title for m in response.context["meetings"]]


def build_meetings(count: int) -> list[Meeting]:
    meetings = []
    for number in range(count):
        meeting = make_meeting(
            "19.01",
            "19.02",
            title=f"Rapat {number}",
            date=datetime.date(2025, 3, 3 + number),
            issues=("stunting", "perkawinan_anak"),
            participants=("opd", "camat", "perbankan"),
            serves_kla=True,
        )
        make_followup(meeting, datetime.date(2020, 1, 1))
        make_followup(meeting, datetime.date(2030, 1, 1), region_code="19.02")
        meetings.append(meeting)
    return meetings


def queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context)


def test_the_list_calendar_and_export_read_with_the_same_number_of_queries_for_1_and_3_meetings(
    client, koordinator_bangka, django_assert_num_queries
):
    build_meetings(1)
    client.force_login(koordinator_bangka)
    client.get("/sinergitas/")  # warm the session
    paths = [
        "/sinergitas/?region=19.01&programme=kla&issue=",
        "/sinergitas/kalender/?bulan=2025-03",
        "/sinergitas/ekspor.xlsx",
    ]
    with_one = {path: queries_for(client, path) for path in paths}
    # session, user, assignment, page count, meetings, 3 prefetches, 2 filter choices (+ the
    # base template's own queries): nothing per meeting.
    assert with_one[paths[0]] <= 14
    build_meetings(2)
    for path in paths:
        with django_assert_num_queries(with_one[path]):
            response = client.get(path)
    response = client.get(paths[0])
    assert len(response.context["meetings"]) == 3
    body = response.content.decode()
    assert body.count("Perkawinan anak, Stunting") == 3
    assert [m.overdue_followup_count for m in response.context["meetings"]] == [1] * 3
    assert body.count('class="sg-badge sg-overdue"') == 3
    calendar = client.get(paths[1])
    assert len(calendar.context["month_meetings"]) == 3
    export = client.get(paths[2])
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 3 + 1


def test_the_detail_page_reads_with_the_same_number_of_queries_for_1_and_3_follow_ups(
    client, admin_user, django_assert_num_queries
):
    meeting = make_meeting("19.01", "19.02", participants=("opd", "camat"), issues=("stunting",))
    make_followup(meeting, datetime.date(2020, 1, 1))
    client.force_login(admin_user)
    client.get("/sinergitas/")
    path = f"/sinergitas/{meeting.pk}/"
    with_one = queries_for(client, path)
    make_followup(meeting, datetime.date(2030, 1, 1), region_code="19.02")
    make_followup(meeting, datetime.date(2031, 1, 1))
    with django_assert_num_queries(with_one):
        response = client.get(path)
    assert len(response.context["followups"]) == 3


def test_the_list_filters_by_region_programme_issue_and_dates(client, admin_user):
    make_meeting(
        "19.01",
        title="A",
        date=datetime.date(2019, 10, 14),
        serves_ape=True,
        issues=("kekerasan_perempuan_anak",),
    )
    make_meeting(
        "19.02", title="B", date=datetime.date(2019, 10, 16), serves_kla=True, issues=("stunting",)
    )
    make_meeting(
        "19.01",
        "19.02",
        title="C",
        date=datetime.date(2020, 2, 1),
        serves_kampung_kb=True,
        issues=("stunting", "perceraian"),
    )
    client.force_login(admin_user)
    assert titles(client.get("/sinergitas/")) == ["C", "B", "A"]
    assert titles(client.get("/sinergitas/?region=19.02")) == ["C", "B"]
    assert titles(client.get("/sinergitas/?programme=ape")) == ["A"]
    assert titles(client.get("/sinergitas/?programme=kampung_kb")) == ["C"]
    stunting = Meeting.issues.field.related_model.objects.get(code="stunting").pk
    assert titles(client.get(f"/sinergitas/?issue={stunting}")) == ["C", "B"]
    assert titles(client.get("/sinergitas/?date_from=2019-10-15&date_to=2019-12-31")) == ["B"]
    assert titles(client.get(f"/sinergitas/?region=19.01&issue={stunting}")) == ["C"]


def test_a_bad_filter_is_shown_as_an_error_and_ignored(client, admin_user, koordinator_belitung):
    make_meeting("19.01", title="A", date=datetime.date(2019, 10, 14))
    client.force_login(admin_user)
    response = client.get("/sinergitas/?date_from=kemarin&date_to=2019-12-31")
    assert response.status_code == 200
    assert "date_from" in response.context["form"].errors
    assert titles(response) == ["A"]
    reversed_range = client.get("/sinergitas/?date_from=2020-01-01&date_to=2019-01-01")
    assert "date_to" in reversed_range.context["form"].errors
    client.force_login(koordinator_belitung)
    foreign_region = client.get("/sinergitas/?region=19.01")
    assert "region" in foreign_region.context["form"].errors
    assert titles(foreign_region) == []


def test_the_calendar_puts_meetings_on_their_days_and_moves_between_months(client, admin_user):
    make_meeting("19.71", title="Pangkal Pinang", date=datetime.date(2019, 10, 11))
    make_meeting("19.06", title="Belitung Timur", date=datetime.date(2019, 10, 17))
    make_meeting("19.01", title="November", date=datetime.date(2019, 11, 20))
    client.force_login(admin_user)
    response = client.get("/sinergitas/kalender/?bulan=2019-10")
    days = {
        day: [m.title for m in meetings]
        for week in response.context["weeks"]
        for day, meetings in week
        if meetings
    }
    assert days == {
        datetime.date(2019, 10, 11): ["Pangkal Pinang"],
        datetime.date(2019, 10, 17): ["Belitung Timur"],
    }
    assert response.context["previous"] == "2019-09"
    assert response.context["next"] == "2019-11"
    assert [m.title for m in response.context["month_meetings"]] == [
        "Pangkal Pinang",
        "Belitung Timur",
    ]
    december = client.get("/sinergitas/kalender/?bulan=2019-12")
    assert december.context["previous"] == "2019-11" and december.context["next"] == "2020-01"


def test_an_unknown_month_falls_back_to_the_current_month_with_a_message(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/sinergitas/kalender/?bulan=2019-13")
    assert response.status_code == 200
    assert list(response.context["messages"])
    assert client.get("/sinergitas/kalender/?bulan=abc").status_code == 200


def test_the_export_holds_the_filtered_meetings_with_formulas_neutralised(client, admin_user):
    meeting = make_meeting(
        "19.01",
        title='=HYPERLINK("http://contoh")',
        date=datetime.date(2019, 10, 14),
        venue="+62 aula",
        issues=("kekerasan_perempuan_anak",),
        participants=("opd", "camat"),
        serves_ape=True,
        serves_kla=True,
        notes="@catatan",
    )
    Participation.objects.filter(meeting=meeting, kind__code="opd").update(count=25)
    make_meeting("19.02", title="Tidak terfilter", date=datetime.date(2019, 10, 16))
    client.force_login(admin_user)
    response = client.get("/sinergitas/ekspor.xlsx?region=19.01")
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["pertemuan"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    row = rows[1]
    assert row[0].date() == datetime.date(2019, 10, 14)
    assert row[2] == '\'=HYPERLINK("http://contoh")'
    assert row[3] == "19.01"
    assert row[5] == "'+62 aula"
    assert "OPD kabupaten/kota (25)" in row[8] and "Camat" in row[8]
    assert row[9] == "Kekerasan terhadap perempuan dan anak"
    assert row[12] == "'@catatan"


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_gets_a_leading_apostrophe(prefix):
    assert safe_text(f"{prefix}1+1") == f"'{prefix}1+1"


def test_plain_text_is_exported_unchanged():
    assert safe_text("Hotel Rentz") == "Hotel Rentz"
    assert safe_text("19.01") == "19.01"


def test_the_create_form_shows_errors_next_to_the_fields_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/sinergitas/baru/", {"title": "Rapat", "count_opd": "-3"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"regions", "date", "venue", "organiser", "count_opd"} <= set(errors)
    assert response.content.decode().count('class="field field-error"') >= 4
    assert not Meeting.objects.exists()


def test_admin_records_a_meeting_with_participant_counts_issues_and_programmes(client, admin_user):
    client.force_login(admin_user)
    stunting = Meeting.issues.field.related_model.objects.get(code="stunting")
    response = client.post(
        "/sinergitas/baru/",
        {
            "title": "Sosialisasi KLA",
            "regions": [region("19.01").pk, region("19.02").pk],
            "date": "2025-05-02",
            "time": "09:00",
            "venue": "Aula",
            "organiser": "DP3ACSKB",
            "serves_kla": "on",
            "issues": [stunting.pk],
            "issues_other": "Pernikahan dini",
            "present_camat": "on",
            "count_opd": "12",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert sorted(r.code for r in meeting.regions.all()) == ["19.01", "19.02"]
    assert meeting.time == datetime.time(9, 0)
    assert meeting.programme_labels == ["KLA"]
    assert [i.code for i in meeting.issues.all()] == ["stunting"]
    counts = {p.kind.code: p.count for p in meeting.participations.select_related("kind")}
    assert counts == {"opd": 12, "camat": None}

    edit = client.get(f"/sinergitas/{meeting.pk}/ubah/")
    assert edit.context["form"]["count_opd"].value() == 12
    response = client.post(
        f"/sinergitas/{meeting.pk}/ubah/",
        {
            "title": "Sosialisasi KLA",
            "regions": [region("19.01").pk],
            "date": "2025-05-02",
            "venue": "Aula",
            "organiser": "DP3ACSKB",
            "count_opd": "15",
        },
    )
    assert response.status_code == 302
    counts = {p.kind.code: p.count for p in meeting.participations.select_related("kind")}
    assert counts == {"opd": 15}
    assert [r.code for r in meeting.regions.all()] == ["19.01"]
    assert not meeting.issues.exists()


def test_the_nav_links_to_the_meetings(client, pimpinan):
    client.force_login(pimpinan)
    assert 'href="/sinergitas/"' in client.get("/").content.decode()


def test_admin_pages_list_and_add_every_sinergitas_model(client, admin_user):
    meeting = make_meeting("19.01")
    make_followup(meeting, datetime.date(2025, 1, 1))
    client.force_login(admin_user)
    for model in [
        "meeting",
        "followup",
        "participation",
        "meetingdocument",
        "participantkind",
        "issuetopic",
    ]:
        assert client.get(f"/admin/sinergitas/{model}/").status_code == 200, model
        assert client.get(f"/admin/sinergitas/{model}/add/").status_code == 200, model
    assert client.get(f"/admin/sinergitas/meeting/{meeting.pk}/change/").status_code == 200
