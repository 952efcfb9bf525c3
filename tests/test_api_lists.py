"""API lists (contract §5): regions, indicators, readiness, awards, meetings — per role.

Each list is checked for what each role gets, what it refuses (an officer of 19.02 gets nothing
of 19.01: 404 for a filter on it, never a row of it), filters, ordering, pagination, errors in
the request's terms, and a constant number of queries with 1 and 3 items.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache

from api.tokens import create_token
from penilaian.models import Answer, Assessment, AwardResult, Edition, Indicator, IndicatorOwner
from regions.models import OpdKind, Region
from sinergitas.models import FollowUp, IssueTopic, Meeting, ParticipantKind, Participation

pytestmark = pytest.mark.django_db

ALL = ["19.01", "19.02", "19.03", "19.04", "19.05", "19.06", "19.71"]
PROVINCIAL = ["admin_user", "verifikator", "pimpinan"]
SCOPED = {
    "admin_user": ALL,
    "verifikator": ALL,
    "pimpinan": ALL,
    "koordinator_bangka": ["19.01"],
    "operator_dinkes_bangka": ["19.01"],
    "koordinator_belitung": ["19.02"],
}


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def auth(request, role: str) -> dict[str, str]:
    user = request.getfixturevalue(role)
    return {"HTTP_AUTHORIZATION": f"Token {create_token(user).key}"}


def make_assessment(program: str, code: str, year: int, values=None, status="draft"):
    edition = Edition.objects.get(program=program, year=year)
    assessment = Assessment.objects.create(
        edition=edition, region=Region.objects.get(code=code), status=status
    )
    indicators = {i.code: i for i in Indicator.objects.filter(edition=edition)}
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=indicators[c], value=Decimal(str(v)))
        for c, v in (values or {}).items()
    )
    return assessment


def make_meeting(title: str, codes: list[str], day: int = 1, **extra) -> Meeting:
    meeting = Meeting.objects.create(
        title=title,
        date=datetime.date(2019, 5, day),
        venue="Pangkalpinang",
        organiser="DP3ACSKB",
        serves_kla=True,
        **extra,
    )
    meeting.regions.set(Region.objects.filter(code__in=codes))
    return meeting


# --- regions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(SCOPED))
def test_regions_list_only_the_regions_in_scope(client, request, role):
    response = client.get("/api/v1/regions/", **auth(request, role))

    body = response.json()
    assert response.status_code == 200
    assert [row["code"] for row in body["results"]] == SCOPED[role]
    assert body["count"] == len(SCOPED[role])
    assert body["previous"] is None and body["next"] is None


def test_region_rows_have_code_name_and_kind(client, request):
    response = client.get("/api/v1/regions/", **auth(request, "koordinator_bangka"))

    assert response.json()["results"] == [
        {"code": "19.01", "name": "Kabupaten Bangka", "kind": "kabupaten"}
    ]


def test_regions_filter_by_kind_and_order_by_name(client, request):
    header = auth(request, "verifikator")

    cities = client.get("/api/v1/regions/?kind=kota", **header).json()["results"]
    by_name = client.get("/api/v1/regions/?ordering=-name", **header).json()["results"]

    assert [row["code"] for row in cities] == ["19.71"]
    names = [row["name"] for row in by_name]
    assert names == sorted(names, reverse=True)


def test_regions_paginate(client, request):
    header = auth(request, "pimpinan")

    first = client.get("/api/v1/regions/?page_size=3", **header).json()
    last = client.get("/api/v1/regions/?page_size=3&page=3", **header).json()
    beyond = client.get("/api/v1/regions/?page_size=3&page=4", **header)

    assert first["count"] == 7
    assert [row["code"] for row in first["results"]] == ALL[:3]
    assert first["next"].endswith("/api/v1/regions/?page=2&page_size=3")
    assert [row["code"] for row in last["results"]] == ["19.71"]
    assert beyond.status_code == 404
    assert beyond.json()["code"] == "not_found"


def test_an_invalid_parameter_is_a_400_keyed_by_the_parameter(client, request):
    response = client.get("/api/v1/regions/?ordering=secret", **auth(request, "pimpinan"))

    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]


@pytest.mark.parametrize(("role", "expected"), [("koordinator_bangka", 1), ("verifikator", 3)])
def test_regions_are_read_with_a_constant_number_of_queries(
    client, request, django_assert_num_queries, role, expected
):
    header = auth(request, role)

    # token + user, assignment, count, page
    with django_assert_num_queries(4):
        response = client.get("/api/v1/regions/?page_size=3", **header)

    assert len(response.json()["results"]) == expected


# --- indicators -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(SCOPED))
def test_every_role_reads_the_indicator_catalogue(client, request, role):
    response = client.get("/api/v1/indicators/?program=kla&year=2025", **auth(request, role))

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 31
    assert body["results"][0]["code"] == "KLA-KL-01"
    assert {row["program"] for row in body["results"]} == {"kla"}


def test_indicator_rows_carry_the_catalogue_fields(client, request):
    response = client.get(
        "/api/v1/indicators/?program=kla&year=2025&group=klaster_1",
        **auth(request, "verifikator"),
    )

    row = response.json()["results"][0]
    assert row["code"] == "KLA-1-01"
    assert row["group"] == "klaster_1"
    assert row["kind"] == "percent"
    assert row["max_score"] == 40
    assert row["unit"] == "%"
    assert row["owner_opd"] == "dukcapil"
    assert row["options"][-1] == {"label": "", "points": 40, "value": None, "min": 90, "max": 100}


def test_indicators_show_the_owner_chosen_by_the_users_region(client, request):
    IndicatorOwner.objects.create(
        region=Region.objects.get(code="19.01"),
        indicator_code="KLA-1-01",
        owner_kind=OpdKind.objects.get(code="dinkes"),
    )

    def owner(role, extra=""):
        url = f"/api/v1/indicators/?program=kla&year=2025&group=klaster_1{extra}"
        return client.get(url, **auth(request, role)).json()["results"][0]["owner_opd"]

    assert owner("koordinator_bangka") == "dinkes"
    assert owner("operator_dinkes_bangka") == "dinkes"
    assert owner("koordinator_belitung") == "dukcapil"
    assert owner("verifikator") == "dukcapil"
    assert owner("verifikator", "&region=19.01") == "dinkes"


def test_indicators_of_another_region_are_404_for_a_regional_officer(client, request):
    response = client.get(
        "/api/v1/indicators/?year=2025&region=19.01", **auth(request, "koordinator_belitung")
    )

    assert response.status_code == 404


def test_indicators_of_all_programmes_come_in_programme_order(client, request):
    response = client.get(
        "/api/v1/indicators/?year=2025&page_size=500", **auth(request, "pimpinan")
    )

    programs = [row["program"] for row in response.json()["results"]]
    assert programs == sorted(programs, key=["ape", "kla", "kampung_kb"].index)
    assert set(programs) == {"ape", "kla", "kampung_kb"}


@pytest.mark.parametrize(
    ("query", "key"),
    [("", "year"), ("?year=abc", "year"), ("?year=1999", "year"), ("?year=2030", "year")],
)
def test_indicators_need_a_year_with_an_edition(client, request, query, key):
    response = client.get(f"/api/v1/indicators/{query}", **auth(request, "pimpinan"))

    assert response.status_code == 400
    assert list(response.json()) == [key]


def test_indicators_refuse_an_unknown_programme(client, request):
    response = client.get("/api/v1/indicators/?year=2025&program=x", **auth(request, "pimpinan"))

    assert response.status_code == 400
    assert list(response.json()) == ["program"]


# --- readiness --------------------------------------------------------------------------------


@pytest.fixture
def readiness_data():
    make_assessment("kla", "19.01", 2025, {"KLA-KL-01": 40, "KLA-1-01": 95})
    make_assessment("ape", "19.01", 2025, {"APE-KOM-01": 5, "APE-KOM-03": 1}, status="submitted")
    make_assessment("kla", "19.02", 2025, {"KLA-KL-01": 15})


@pytest.mark.parametrize("role", list(SCOPED))
def test_readiness_has_one_row_per_region_in_scope(client, request, readiness_data, role):
    response = client.get("/api/v1/readiness/?year=2025", **auth(request, role))

    body = response.json()
    assert response.status_code == 200
    assert [row["region"] for row in body["results"]] == SCOPED[role]


def test_readiness_row_has_the_contract_shape_and_numbers(client, request, readiness_data):
    response = client.get("/api/v1/readiness/?year=2025", **auth(request, "koordinator_bangka"))

    row = response.json()["results"][0]
    assert row["region"] == "19.01" and row["year"] == 2025
    assert row["kla"]["score"] == 80  # 40 (ladder) + 40 (95 % is in the top band)
    assert row["kla"]["predicate"] is None
    assert row["kla"]["next_predicate"] == "Pratama"
    assert row["kla"]["points_to_next"] == 420
    assert row["kla"]["status"] == "draft"
    assert row["kla"]["groups"][:2] == [
        {"code": "kelembagaan", "score": 40, "max_score": 200},
        {"code": "klaster_1", "score": 40, "max_score": 120},
    ]
    assert row["ape"]["score"] == 7
    assert row["ape"]["status"] == "submitted"
    assert row["ape"]["prerequisites"][0] == {
        "code": "komitmen",
        "score": 7,
        "max_score": 15,
        "state": "sebagian",
    }
    assert set(row["ape"]) == {
        "score",
        "max_score",
        "category",
        "next_category",
        "points_to_next",
        "status",
        "state",
        "incomplete",
        "verified_at",
        "provisional",
        "provisional_rules",
        "prerequisites",
    }
    assert row["kla"]["state"] == "draft" and row["ape"]["state"] == "submitted"
    assert row["ape"]["incomplete"] is True and row["ape"]["verified_at"] is None
    assert row["ape"]["provisional"] is True  # the APE bands are the portal's own
    assert "APE-KATEGORI" in row["ape"]["provisional_rules"]
    assert row["kampung_kb"] == {
        "desa_total": None,
        "kampung_kb": None,
        "standar": None,
        "cikar": None,
        "persen_kampung_kb": None,
        "desa_potensial": None,
        "status": None,
        "state": None,
        "incomplete": False,
        "verified_at": None,
        "provisional": False,
        "provisional_rules": [],
    }


def test_koordinator_belitung_gets_nothing_of_bangka_from_readiness(
    client, request, readiness_data
):
    header = auth(request, "koordinator_belitung")

    listed = client.get("/api/v1/readiness/?year=2025", **header).json()["results"]
    filtered = client.get("/api/v1/readiness/?year=2025&region=19.01", **header)

    assert [row["region"] for row in listed] == ["19.02"]
    assert listed[0]["kla"]["score"] == 15
    assert filtered.status_code == 404


def test_readiness_orders_by_score_with_regions_without_data_last(client, request, readiness_data):
    response = client.get(
        "/api/v1/readiness/?year=2025&ordering=-kla_score", **auth(request, "verifikator")
    )

    regions = [row["region"] for row in response.json()["results"]]
    assert regions[:2] == ["19.01", "19.02"]
    assert regions[2:] == ["19.03", "19.04", "19.05", "19.06", "19.71"]


def test_readiness_for_a_year_without_editions_is_a_400(client, request):
    response = client.get("/api/v1/readiness/?year=2040", **auth(request, "verifikator"))

    assert response.status_code == 400
    assert list(response.json()) == ["year"]


@pytest.mark.parametrize(("role", "rows"), [("koordinator_bangka", 1), ("verifikator", 3)])
def test_readiness_is_read_with_a_constant_number_of_queries(
    client, request, django_assert_num_queries, readiness_data, role, rows
):
    header = auth(request, role)
    url = "/api/v1/readiness/?year=2025&page_size=3"

    # token and user, then the readiness read: regions, editions, stored rows (the list shows
    # no award); the first request also computes and stores the rows (15 queries, as many for
    # 1 row as for 3)
    with django_assert_num_queries(5 + 15):
        response = client.get(url, **header)
    with django_assert_num_queries(5):
        again = client.get(url, **header)

    assert len(response.json()["results"]) == rows
    assert again.json() == response.json()


# --- awards -----------------------------------------------------------------------------------


def award_regions(client, header, query=""):
    response = client.get(f"/api/v1/awards/?page_size=500{query}", **header)
    assert response.status_code == 200
    return {row["region"] for row in response.json()["results"]}


@pytest.mark.parametrize("role", PROVINCIAL)
def test_provincial_roles_see_every_award(client, request, role):
    regions = award_regions(client, auth(request, role))

    assert regions == set(AwardResult.objects.values_list("region__code", flat=True))
    assert {"19", "19.01", "19.02"} <= regions


@pytest.mark.parametrize(
    ("role", "own"),
    [
        ("koordinator_bangka", "19.01"),
        ("operator_dinkes_bangka", "19.01"),
        ("koordinator_belitung", "19.02"),
    ],
)
def test_regional_users_see_their_region_and_the_province(client, request, role, own):
    assert award_regions(client, auth(request, role)) == {"19", own}


def test_koordinator_belitung_gets_no_award_of_bangka(client, request):
    response = client.get("/api/v1/awards/?region=19.01", **auth(request, "koordinator_belitung"))

    assert response.status_code == 404


def test_awards_filter_by_region_programme_and_year(client, request):
    header = auth(request, "verifikator")
    expected = set(
        AwardResult.objects.filter(region__code="19.01", program="kla", year=2022).values_list(
            "result", flat=True
        )
    )

    response = client.get("/api/v1/awards/?region=19.01&program=kla&year=2022", **header)

    rows = response.json()["results"]
    assert expected
    assert {row["result"] for row in rows} == expected
    assert {(row["region"], row["program"], row["year"]) for row in rows} <= {
        ("19.01", "kla", 2022)
    }
    assert set(rows[0]) == {
        "region",
        "program",
        "year",
        "result",
        "published_score",
        "confidence",
        "standing",
        "conflicting",
        "note",
        "source_urls",
    }


def test_awards_order_by_year_descending(client, request):
    rows = client.get(
        "/api/v1/awards/?ordering=-year&page_size=500", **auth(request, "pimpinan")
    ).json()["results"]

    years = [row["year"] for row in rows]
    assert years == sorted(years, reverse=True)


@pytest.mark.parametrize("items", [1, 3])
def test_awards_are_read_with_a_constant_number_of_queries(
    client, request, django_assert_num_queries, items
):
    region = Region.objects.create(
        code="19.99", name="Uji", kind="kabupaten", parent=Region.objects.get(code="19")
    )
    AwardResult.objects.bulk_create(
        AwardResult(region=region, program="kla", year=2000 + n, result="Pratama")
        for n in range(items)
    )
    header = auth(request, "verifikator")

    # token + user, assignment, region filter, count, page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/awards/?region=19.99", **header)

    assert len(response.json()["results"]) == items


# --- meetings ---------------------------------------------------------------------------------


@pytest.fixture
def meetings():
    bangka = make_meeting("Bangka saja", ["19.01"], day=1)
    shared = make_meeting("Bersama", ["19.01", "19.02"], day=2)
    belitung = make_meeting("Belitung saja", ["19.02"], day=3)
    kind = OpdKind.objects.get(code="dinkes")
    for meeting, code, what in [
        (shared, "19.01", "Tindak lanjut Bangka"),
        (shared, "19.02", "Tindak lanjut Belitung"),
        (bangka, "19.01", "Hanya Bangka"),
    ]:
        FollowUp.objects.create(
            meeting=meeting,
            what=what,
            region=Region.objects.get(code=code),
            owner_kind=kind,
            due_date=datetime.date(2019, 6, 1),
        )
    return {"bangka": bangka, "shared": shared, "belitung": belitung}


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("admin_user", ["Belitung saja", "Bersama", "Bangka saja"]),
        ("verifikator", ["Belitung saja", "Bersama", "Bangka saja"]),
        ("pimpinan", ["Belitung saja", "Bersama", "Bangka saja"]),
        ("koordinator_bangka", ["Bersama", "Bangka saja"]),
        ("operator_dinkes_bangka", ["Bersama", "Bangka saja"]),
        ("koordinator_belitung", ["Belitung saja", "Bersama"]),
    ],
)
def test_meetings_are_listed_to_users_of_the_regions_they_cover(
    client, request, meetings, role, titles
):
    response = client.get("/api/v1/meetings/", **auth(request, role))

    assert [row["title"] for row in response.json()["results"]] == titles


def test_meeting_counts_only_the_follow_ups_of_the_users_regions(client, request, meetings):
    rows = client.get("/api/v1/meetings/", **auth(request, "koordinator_belitung")).json()
    shared = next(row for row in rows["results"] if row["title"] == "Bersama")

    assert shared["open_followups"] == 1
    assert shared["overdue_followups"] == 1
    assert shared["regions"] == ["19.01", "19.02"]
    assert shared["programs"] == ["kla"]


def test_meeting_detail_shows_only_the_follow_ups_in_scope(client, request, meetings):
    response = client.get(
        f"/api/v1/meetings/{meetings['shared'].pk}/", **auth(request, "koordinator_belitung")
    )

    body = response.json()
    assert response.status_code == 200
    assert [f["what"] for f in body["followups"]] == ["Tindak lanjut Belitung"]
    assert body["followups"][0]["overdue"] is True
    assert body["followups"][0]["owner"] == OpdKind.objects.get(code="dinkes").short


def test_provincial_users_see_every_follow_up_of_a_meeting(client, request, meetings):
    response = client.get(f"/api/v1/meetings/{meetings['shared'].pk}/", **auth(request, "pimpinan"))

    assert [f["region"] for f in response.json()["followups"]] == ["19.01", "19.02"]


def test_koordinator_belitung_gets_no_meeting_of_bangka_alone(client, request, meetings):
    header = auth(request, "koordinator_belitung")

    detail = client.get(f"/api/v1/meetings/{meetings['bangka'].pk}/", **header)
    filtered = client.get("/api/v1/meetings/?region=19.01", **header)

    assert detail.status_code == 404
    assert filtered.status_code == 404


def test_meetings_filter_by_region_programme_and_year(client, request, meetings):
    header = auth(request, "verifikator")
    Meeting.objects.filter(pk=make_meeting("APE 2020", ["19.03"], serves_ape=True).pk).update(
        date=datetime.date(2020, 1, 5), serves_kla=False
    )

    def titles(query):
        response = client.get(f"/api/v1/meetings/?{query}", **header)
        return [row["title"] for row in response.json()["results"]]

    assert titles("region=19.02") == ["Belitung saja", "Bersama"]
    assert titles("program=ape") == ["APE 2020"]
    assert titles("year=2019&ordering=date") == ["Bangka saja", "Bersama", "Belitung saja"]


def test_meeting_list_refuses_a_bad_year(client, request):
    response = client.get("/api/v1/meetings/?year=20x9", **auth(request, "verifikator"))

    assert response.status_code == 400
    assert list(response.json()) == ["year"]


@pytest.mark.parametrize("items", [1, 3])
def test_meetings_are_read_with_a_constant_number_of_queries(
    client, request, django_assert_num_queries, items
):
    topic = IssueTopic.objects.create(code="uji", name="Uji")
    kind = ParticipantKind.objects.create(code="uji", name="Uji")
    for day in range(1, items + 1):
        meeting = make_meeting(f"Rapat {day}", ["19.01", "19.02"], day=day)
        meeting.issues.add(topic)
        Participation.objects.create(meeting=meeting, kind=kind, count=3)
    header = auth(request, "koordinator_bangka")

    # token + user, assignment, count, page, regions, issues, participations
    with django_assert_num_queries(7):
        response = client.get("/api/v1/meetings/", **header)

    rows = response.json()["results"]
    assert len(rows) == items
    assert rows[0]["participants"] == [{"kind": "uji", "name": "Uji", "count": 3}]


def test_koordinator_belitung_cannot_probe_a_bangka_meeting_with_other_methods(
    client, request, meetings
):
    url = f"/api/v1/meetings/{meetings['bangka'].pk}/"
    header = auth(request, "koordinator_belitung")

    statuses = {m: getattr(client, m)(url, **header).status_code for m in ("put", "delete")}

    assert statuses == {"put": 404, "delete": 404}
    assert Meeting.objects.filter(pk=meetings["bangka"].pk).exists()
