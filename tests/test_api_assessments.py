"""One assessment through the API: GET and PATCH per role (contract §5, issue 7).

PATCH is validated as a whole (one invalid value and nothing is written), keeps the workflow's
rules (no writes into submitted or verified assessments, no status change through PATCH) and
the scoping rules (out of scope is 404, another OPD's indicator is 403). Every refused write is
checked to change nothing.
"""

import json
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext

from api.tokens import create_token
from kampung_kb.models import DesaRecord
from penilaian.models import Answer, Assessment, Edition, Indicator
from regions.models import Desa, Region

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/{program}/{region}/{year}/"
KLA_URL = URL.format(program="kla", region="19.01", year=2025)
KKB_URL = URL.format(program="kampung_kb", region="19.01", year=2025)
BANGKA_READERS = ["admin_user", "verifikator", "pimpinan", "koordinator_bangka"]
DINKES_KLA = [
    "KLA-3-01",
    "KLA-3-02",
    "KLA-3-03",
    "KLA-3-04",
    "KLA-3-05",
    "KLA-3-06",
    "KLA-3-08",
    "KLA-3-09",
]


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def auth(request, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
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


def current_version(url: str) -> int:
    """The stored version of the assessment at ``url`` (1 for one not started yet)."""
    program, region, year = url.rstrip("/").split("/")[-3:]
    version = (
        Assessment.objects.filter(
            edition__program=program, edition__year=int(year), region__code=region
        )
        .values_list("version", flat=True)
        .first()
    )
    return version or 1


def patch(client, url: str, body, header: dict, **extra):
    """PATCH ``body`` as a client that read the assessment first: with the version it read
    (``version`` in the body) unless the test sends If-Match or a version itself."""
    if isinstance(body, dict) and "version" not in body and "HTTP_IF_MATCH" not in extra:
        body = {**body, "version": current_version(url)}
    return client.patch(
        url, data=json.dumps(body), content_type="application/json", **header, **extra
    )


def stored(assessment: Assessment) -> tuple:
    """Everything a write could change: status, version, every answer and every desa row."""
    assessment.refresh_from_db()
    answers = sorted(
        Answer.objects.filter(assessment=assessment).values_list("indicator__code", "value", "note")
    )
    rows = sorted(
        DesaRecord.objects.filter(assessment=assessment).values_list(
            "desa__code", "kampung_kb", "akta_kelahiran_persen", "industri_rumahan"
        )
    )
    return assessment.status, assessment.version, answers, rows


@pytest.fixture
def kla_draft():
    return make_assessment("kla", "19.01", 2025, {"KLA-1-01": 60, "KLA-3-01": 8})


@pytest.fixture
def kkb_draft():
    assessment = make_assessment("kampung_kb", "19.01", 2025)
    DesaRecord.objects.create(
        assessment=assessment,
        desa=Desa.objects.get(code="19.01.03.2001"),
        kampung_kb=True,
        capaian_kkbpk=True,
        kinerja_patbm=True,
        industri_rumahan="maju",
        akta_kelahiran_persen=Decimal("90"),
        program_lintas_sektor=2,
    )
    return assessment


# --- GET --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*BANGKA_READERS, "operator_dinkes_bangka"])
def test_everyone_in_scope_reads_the_assessment(client, request, kla_draft, role):
    response = client.get(KLA_URL, **auth(request, role))

    body = response.json()
    assert response.status_code == 200
    assert response["ETag"] == f'"{kla_draft.version}"'
    assert (body["program"], body["region"], body["year"]) == ("kla", "19.01", 2025)
    assert body["status"] == "draft"
    assert body["version"] == kla_draft.version
    assert body["values"]["KLA-1-01"] == 60
    assert body["values"]["KLA-KL-01"] is None
    assert len(body["values"]) == 31
    assert body["evidence_count"] == 0
    # 60 % is in the 50–74.99 band (10 points); ladder step 8
    assert body["score"]["score"] == 18
    assert body["score"]["predicate"] is None
    assert body["score"]["status"] == "draft"


@pytest.mark.parametrize(
    ("role", "editable"),
    [
        ("admin_user", 31),
        ("koordinator_bangka", 31),
        ("operator_dinkes_bangka", DINKES_KLA),
        ("verifikator", []),
        ("pimpinan", []),
    ],
)
def test_the_assessment_says_what_the_user_may_change(client, request, kla_draft, role, editable):
    body = client.get(KLA_URL, **auth(request, role)).json()

    if isinstance(editable, int):
        assert len(body["editable"]) == editable
    else:
        assert body["editable"] == editable


def test_a_locked_assessment_is_editable_by_nobody(client, request):
    make_assessment("kla", "19.01", 2025, status="verified")

    body = client.get(KLA_URL, **auth(request, "admin_user")).json()

    assert body["editable"] == []


@pytest.mark.parametrize("program", ["ape", "kla", "kampung_kb"])
def test_koordinator_belitung_reads_nothing_of_bangka(client, request, program):
    make_assessment(program, "19.01", 2025)

    response = client.get(
        URL.format(program=program, region="19.01", year=2025),
        **auth(request, "koordinator_belitung"),
    )

    assert response.status_code == 404
    assert "19.01" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        URL.format(program="pkk", region="19.01", year=2025),
        URL.format(program="kla", region="19.01", year=2040),
        URL.format(program="kla", region="19", year=2025),
        URL.format(program="kla", region="19.01", year=2024),  # not started
    ],
)
def test_unknown_or_missing_assessments_are_404(client, request, kla_draft, url):
    response = client.get(url, **auth(request, "admin_user"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_kampung_kb_assessment_lists_its_desa_rows(client, request, kkb_draft):
    response = client.get(KKB_URL, **auth(request, "koordinator_bangka"))

    body = response.json()
    assert response.status_code == 200
    assert "values" not in body
    assert body["desa"] == {
        "19.01.03.2001": {
            "kampung_kb": True,
            "capaian_kkbpk": True,
            "kinerja_patbm": True,
            "industri_rumahan": "maju",
            "akta_kelahiran_persen": 90,
            "program_lintas_sektor": 2,
            "kelas_bkkbn": None,
            "indeks_input": None,
            "indeks_proses": None,
            "indeks_output": None,
            "note": "",
            "carried_over": False,
        }
    }
    assert body["score"]["desa_total"] == Desa.objects.filter(region__code="19.01").count()
    assert (body["score"]["kampung_kb"], body["score"]["standar"], body["score"]["cikar"]) == (
        1,
        1,
        1,
    )


# --- PATCH: who may --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin_user", "koordinator_bangka"])
def test_admin_and_the_koordinator_change_values_and_get_the_new_score(
    client, request, kla_draft, role
):
    response = patch(
        client, KLA_URL, {"values": {"KLA-1-01": 95, "KLA-KL-01": 40}}, auth(request, role)
    )

    body = response.json()
    assert response.status_code == 200
    assert body["values"]["KLA-1-01"] == 95
    assert body["score"]["score"] == 88  # 40 + 40 + 8
    assert body["version"] == kla_draft.version + 1
    assert response["ETag"] == f'"{kla_draft.version + 1}"'
    answer = Answer.objects.get(assessment=kla_draft, indicator__code="KLA-1-01")
    assert answer.value == 95
    assert answer.history.first().history_user == request.getfixturevalue(role)


def test_an_operator_changes_their_own_agencys_indicator(client, request, kla_draft):
    response = patch(
        client, KLA_URL, {"values": {"KLA-3-01": 25}}, auth(request, "operator_dinkes_bangka")
    )

    assert response.status_code == 200
    assert Answer.objects.get(assessment=kla_draft, indicator__code="KLA-3-01").value == 25


@pytest.mark.parametrize(
    "values",
    [{"KLA-1-01": 90}, {"KLA-3-01": 25, "KLA-1-01": 90}],
    ids=["other", "own-and-other"],
)
def test_an_operator_cannot_change_another_agencys_indicator(client, request, kla_draft, values):
    before = stored(kla_draft)

    response = patch(client, KLA_URL, {"values": values}, auth(request, "operator_dinkes_bangka"))

    assert response.status_code == 403
    assert "KLA-1-01" in response.json()["detail"]
    assert response.json()["code"] == "permission_denied"
    assert stored(kla_draft) == before


@pytest.mark.parametrize("role", ["verifikator", "pimpinan", "unassigned_user"])
def test_read_only_roles_cannot_patch(client, request, kla_draft, role):
    before = stored(kla_draft)

    response = patch(client, KLA_URL, {"values": {"KLA-1-01": 90}}, auth(request, role))

    assert response.status_code == 403
    assert stored(kla_draft) == before


def test_anonymous_cannot_patch(client, request, kla_draft):
    before = stored(kla_draft)

    response = patch(client, KLA_URL, {"values": {"KLA-1-01": 90}}, {})

    assert response.status_code == 401
    assert stored(kla_draft) == before


@pytest.mark.parametrize(
    "url", [KLA_URL, KKB_URL, URL.format(program="ape", region="19.01", year=2026)]
)
def test_koordinator_belitung_changes_nothing_of_bangka(client, request, kla_draft, kkb_draft, url):
    before = (stored(kla_draft), stored(kkb_draft), Assessment.objects.count())
    body = (
        {"desa": {"19.01.03.2001": {"kampung_kb": False}}}
        if "kampung_kb" in url
        else {"values": {"KLA-1-01": 90, "APE-KOM-01": 5}}
    )

    response = patch(client, url, body, auth(request, "koordinator_belitung"))

    assert response.status_code == 404
    assert (stored(kla_draft), stored(kkb_draft), Assessment.objects.count()) == before


# --- PATCH: validated as a whole -------------------------------------------------------------


def test_one_invalid_value_means_nothing_is_written(client, request, kla_draft):
    before = stored(kla_draft)

    response = patch(
        client,
        KLA_URL,
        {"values": {"KLA-3-01": 16, "KLA-1-01": 150, "KLA-3-04": 7}},
        auth(request, "koordinator_bangka"),
    )

    assert response.status_code == 400
    assert response.json() == {
        "values": {
            "KLA-1-01": ["Persentase harus antara 0 dan 100."],
            "KLA-3-04": ["Nilai 7 tidak ada dalam pilihan (0, 8, 14, 20)."],
        }
    }
    assert stored(kla_draft) == before


def test_an_unknown_indicator_code_is_refused_under_its_own_key(client, request, kla_draft):
    before = stored(kla_draft)

    response = patch(
        client, KLA_URL, {"values": {"APE-KOM-01": 5}}, auth(request, "koordinator_bangka")
    )

    assert response.status_code == 400
    assert list(response.json()["values"]) == ["APE-KOM-01"]
    assert stored(kla_draft) == before


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"status": "verified"}, "status"),
        ({"values": {"KLA-1-01": 90}, "status": "verified"}, "status"),
        ({"values": [90]}, "values"),
        ({"values": {"KLA-1-01": 90}, "score": 1000}, "score"),
        ({}, "values"),
        ({"values": {"KLA-1-01": 90}, "version": "x"}, "version"),
        ({"notes": {"KLA-1-01": 5}}, "notes"),
        ([1, 2], "non_field_errors"),
    ],
)
def test_badly_shaped_bodies_are_refused_keyed_like_the_body(client, request, kla_draft, body, key):
    before = stored(kla_draft)

    response = patch(client, KLA_URL, body, auth(request, "admin_user"))

    assert response.status_code == 400
    assert key in response.json()
    assert stored(kla_draft) == before


def test_the_status_cannot_be_changed_through_patch(client, request, kla_draft):
    response = patch(client, KLA_URL, {"status": "verified"}, auth(request, "admin_user"))

    kla_draft.refresh_from_db()
    assert response.status_code == 400
    assert kla_draft.status == "draft"
    assert not kla_draft.snapshots.exists()


def test_a_form_encoded_body_is_refused(client, request, kla_draft):
    before = stored(kla_draft)

    response = client.patch(
        KLA_URL,
        data="values=1",
        content_type="application/x-www-form-urlencoded",
        **auth(request, "admin_user"),
    )

    assert response.status_code == 415
    assert stored(kla_draft) == before


def test_malformed_json_is_a_400(client, request, kla_draft):
    response = client.patch(
        KLA_URL, data="{nope", content_type="application/json", **auth(request, "admin_user")
    )

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_notes_are_saved_and_read_back(client, request, kla_draft):
    header = auth(request, "koordinator_bangka")

    patch(client, KLA_URL, {"notes": {"KLA-1-01": "Data SIAK 2025"}}, header)
    body = client.get(KLA_URL, **header).json()

    assert body["notes"] == {"KLA-1-01": "Data SIAK 2025"}
    assert body["values"]["KLA-1-01"] == 60


def test_null_clears_a_value(client, request, kla_draft):
    response = patch(
        client, KLA_URL, {"values": {"KLA-1-01": None}}, auth(request, "koordinator_bangka")
    )

    assert response.json()["values"]["KLA-1-01"] is None
    assert Answer.objects.get(assessment=kla_draft, indicator__code="KLA-1-01").value is None


# --- PATCH: workflow --------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["submitted", "verified"])
@pytest.mark.parametrize("role", ["admin_user", "koordinator_bangka"])
def test_submitted_and_verified_assessments_take_no_writes(client, request, status, role):
    assessment = make_assessment("kla", "19.01", 2025, {"KLA-1-01": 60}, status=status)
    before = stored(assessment)

    response = patch(client, KLA_URL, {"values": {"KLA-1-01": 95}}, auth(request, role))

    assert response.status_code == 409
    assert response.json()["code"] == "locked"
    assert stored(assessment) == before


def test_patch_starts_an_assessment_that_was_not_started(client, request):
    url = URL.format(program="kla", region="19.01", year=2026)

    response = patch(client, url, {"values": {"KLA-1-01": 95}}, auth(request, "koordinator_bangka"))

    assessment = Assessment.objects.get(edition__program="kla", edition__year=2026)
    assert response.status_code == 200
    assert assessment.region.code == "19.01"
    assert Answer.objects.get(assessment=assessment, indicator__code="KLA-1-01").value == 95


def test_an_operator_cannot_start_an_assessment_through_the_api(client, request):
    url = URL.format(program="kla", region="19.01", year=2026)

    response = patch(
        client, url, {"values": {"KLA-3-01": 25}}, auth(request, "operator_dinkes_bangka")
    )

    assert response.status_code == 409
    assert response.json()["code"] == "not_started"
    assert "belum dimulai" in response.json()["detail"]
    assert not Assessment.objects.filter(edition__year=2026).exists()


def test_an_invalid_patch_does_not_start_an_assessment(client, request):
    url = URL.format(program="kla", region="19.01", year=2026)

    response = patch(
        client, url, {"values": {"KLA-1-01": 950}}, auth(request, "koordinator_bangka")
    )

    assert response.status_code == 400
    assert not Assessment.objects.filter(edition__year=2026).exists()


# --- PATCH: concurrency -----------------------------------------------------------------------


def test_if_match_with_the_current_version_saves(client, request, kla_draft):
    header = auth(request, "koordinator_bangka")
    etag = client.get(KLA_URL, **header)["ETag"]

    response = patch(client, KLA_URL, {"values": {"KLA-1-01": 95}}, header, HTTP_IF_MATCH=etag)

    assert response.status_code == 200


@pytest.mark.parametrize("etag", ['"999"', '"abc"', "W/"])
def test_if_match_with_a_stale_version_is_412_and_writes_nothing(client, request, kla_draft, etag):
    before = stored(kla_draft)

    response = patch(
        client,
        KLA_URL,
        {"values": {"KLA-1-01": 95}},
        auth(request, "koordinator_bangka"),
        HTTP_IF_MATCH=etag,
    )

    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    assert stored(kla_draft) == before


def test_a_second_save_of_stale_data_is_refused(client, request, kla_draft):
    header = auth(request, "koordinator_bangka")
    etag = client.get(KLA_URL, **header)["ETag"]
    patch(client, KLA_URL, {"values": {"KLA-1-01": 70}}, header, HTTP_IF_MATCH=etag)
    before = stored(kla_draft)

    response = patch(client, KLA_URL, {"values": {"KLA-1-01": 80}}, header, HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert stored(kla_draft) == before


def test_a_stale_version_in_the_body_is_409(client, request, kla_draft):
    before = stored(kla_draft)

    response = patch(
        client,
        KLA_URL,
        {"values": {"KLA-1-01": 80}, "version": kla_draft.version + 5},
        auth(request, "koordinator_bangka"),
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale"
    assert stored(kla_draft) == before


# --- PATCH: Kampung KB ------------------------------------------------------------------------


def test_koordinator_changes_desa_rows(client, request, kkb_draft):
    response = patch(
        client,
        KKB_URL,
        {
            "desa": {
                "19.01.03.2001": {"akta_kelahiran_persen": 80},
                "19.01.02.1001": {"kampung_kb": True, "industri_rumahan": "pemula"},
            }
        },
        auth(request, "koordinator_bangka"),
    )

    body = response.json()
    assert response.status_code == 200
    assert body["desa"]["19.01.03.2001"]["akta_kelahiran_persen"] == 80
    assert body["desa"]["19.01.02.1001"]["industri_rumahan"] == "pemula"
    assert (body["score"]["kampung_kb"], body["score"]["standar"]) == (2, 0)
    assert DesaRecord.objects.filter(assessment=kkb_draft).count() == 2


def test_one_invalid_desa_field_means_nothing_is_written(client, request, kkb_draft):
    before = stored(kkb_draft)

    response = patch(
        client,
        KKB_URL,
        {
            "desa": {
                "19.01.02.1001": {"kampung_kb": True},
                "19.01.03.2001": {"akta_kelahiran_persen": 150},
            }
        },
        auth(request, "koordinator_bangka"),
    )

    assert response.status_code == 400
    assert response.json() == {
        "desa": {
            "19.01.03.2001": {
                "akta_kelahiran_persen": ["Persentase akta kelahiran harus antara 0 dan 100."]
            }
        }
    }
    assert stored(kkb_draft) == before


def test_a_desa_of_another_region_cannot_be_written(client, request, kkb_draft):
    other = Desa.objects.filter(region__code="19.02").order_by("code").first()
    before = stored(kkb_draft)

    response = patch(
        client,
        KKB_URL,
        {"desa": {other.code: {"kampung_kb": True}}},
        auth(request, "koordinator_bangka"),
    )

    assert response.status_code == 400
    assert list(response.json()["desa"]) == [other.code]
    assert stored(kkb_draft) == before
    assert not DesaRecord.objects.filter(desa=other).exists()


def test_an_operator_cannot_change_desa_fields_owned_by_another_agency(client, request, kkb_draft):
    before = stored(kkb_draft)

    response = patch(
        client,
        KKB_URL,
        {"desa": {"19.01.03.2001": {"akta_kelahiran_persen": 10}}},
        auth(request, "operator_dinkes_bangka"),
    )

    assert response.status_code == 403
    assert stored(kkb_draft) == before


def test_kampung_kb_refuses_the_values_key(client, request, kkb_draft):
    response = patch(client, KKB_URL, {"values": {"KKB-AKTA": 90}}, auth(request, "admin_user"))

    assert response.status_code == 400
    assert list(response.json()) == ["values"]


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("answers", [1, 3])
def test_an_assessment_is_read_with_a_constant_number_of_queries(
    client, request, django_assert_num_queries, answers
):
    codes = ["KLA-1-01", "KLA-3-01", "KLA-3-04"][:answers]
    make_assessment("kla", "19.01", 2025, dict.fromkeys(codes, 8))
    header = auth(request, "koordinator_bangka")

    with django_assert_num_queries(16):
        response = client.get(KLA_URL, **header)

    assert sum(value is not None for value in response.json()["values"].values()) == answers


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_other_methods_are_404_out_of_scope_and_change_nothing(client, request, kla_draft, method):
    before = stored(kla_draft)

    outsider = getattr(client, method)(KLA_URL, **auth(request, "koordinator_belitung"))
    insider = getattr(client, method)(KLA_URL, **auth(request, "koordinator_bangka"))

    assert outsider.status_code == 404
    assert insider.status_code == (200 if method == "options" else 405)
    assert stored(kla_draft) == before
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (KLA_URL, {"notes": {"KLA-1-01": "a\x00b"}}),
        (KLA_URL, {"values": {"KLA-1-\x0001": 5}}),
        (KKB_URL, {"desa": {"19.01.03.2001": {"note": "\x00"}}}),
    ],
)
def test_nul_characters_are_refused_before_they_reach_the_database(
    client, request, kla_draft, kkb_draft, url, body
):
    before = (stored(kla_draft), stored(kkb_draft))

    response = patch(client, url, body, auth(request, "admin_user"))

    assert response.status_code == 400
    with translation.override("id"):
        message = gettext("Text may not contain NUL characters.")
    assert response.json() == {key: [message] for key in body}
    assert (stored(kla_draft), stored(kkb_draft)) == before


def test_a_nul_in_the_region_code_is_404(client, request):
    response = client.get("/api/v1/assessments/kla/19.01%00/2025/", **auth(request, "admin_user"))

    assert response.status_code == 404


# --- the state of the numbers --------------------------------------------------------------------


def _json_schema(node):
    """An OpenAPI 3.0 schema node as JSON Schema draft 4 (``nullable`` becomes a null branch)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def _conforms(schema: dict, name: str, value) -> bool:
    import jsonschema

    document = {"$ref": f"#/components/schemas/{name}", "components": schema["components"]}
    return jsonschema.Draft4Validator(_json_schema(document)).is_valid(value)


@pytest.mark.parametrize(
    ("program", "name"),
    [("ape", "ApeScore"), ("kla", "KlaScore"), ("kampung_kb", "KampungKbScore")],
)
def test_the_score_block_says_the_state_of_its_numbers_and_matches_the_schema(
    client, request, program, name
):
    """The block is exactly one of the documented score shapes (the schema's oneOf) and says
    whether its numbers are final: a verified assessment gives its verification time."""
    from penilaian.models import VerifiedSnapshot

    assessment = make_assessment(program, "19.01", 2025, status="verified")
    VerifiedSnapshot.objects.create(assessment=assessment, data={})
    header = auth(request, "koordinator_bangka")
    schema = client.get("/api/schema/?format=json", **header).json()

    score = client.get(URL.format(program=program, region="19.01", year=2025), **header).json()[
        "score"
    ]

    assert score["state"] == "verified"
    assert score["incomplete"] is True  # nothing entered
    assert score["verified_at"] is not None
    matches = [n for n in ("ApeScore", "KlaScore", "KampungKbScore") if _conforms(schema, n, score)]
    assert matches == [name]


def test_a_draft_score_block_is_in_progress_without_a_verification_time(client, request, kla_draft):
    score = client.get(KLA_URL, **auth(request, "koordinator_bangka")).json()["score"]

    assert (score["state"], score["incomplete"], score["verified_at"]) == ("draft", True, None)
