"""Hardening of the API's writes and of the sinergitas records (issue #12).

What probing found, each pinned by a test: API writes follow the forms' rules through the one
write path (note length, value types and ranges); every API error is JSON in Bahasa Indonesia
(400 for a body that cannot be read, 413 for one that is too large); a PATCH must say which
version it read (428 without, 409/412 when stale); meeting texts and dates are bounded in the
forms, the models and (where the bound is fixed) the database. Every refusal changes nothing.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from api.exceptions import api_exception_handler
from api.parsers import MAX_DEPTH, max_body_bytes
from api.tokens import create_token
from kampung_kb.models import DesaRecord
from penilaian.forms import ValuesForm
from penilaian.models import Answer, Assessment, Edition, Indicator
from penilaian.services import NOTE_MAX_LENGTH, InvalidValues, save_values
from regions.models import Desa, OpdKind, Region
from regions.scoping import scope_for
from sinergitas.forms import FollowUpForm, MeetingForm
from sinergitas.models import FollowUp, Meeting
from sinergitas.validators import TEXT_MAX_LENGTH, date_bounds, validate_record_date

pytestmark = pytest.mark.django_db

URL = "/api/v1/assessments/{program}/19.01/{year}/"
KLA = URL.format(program="kla", year=2025)
APE = URL.format(program="ape", year=2025)
KKB = URL.format(program="kampung_kb", year=2025)
DESA = "19.01.03.2001"


def indonesian(msgid: str, **params) -> str:
    with translation.override("id"):
        text = gettext(msgid)
    return text % params if params else text


def token(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {create_token(user).key}"}


def make_assessment(program: str, values=None) -> Assessment:
    edition = Edition.objects.get(program=program, year=2025)
    assessment = Assessment.objects.create(edition=edition, region=Region.objects.get(code="19.01"))
    indicators = {i.code: i for i in Indicator.objects.filter(edition=edition)}
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=indicators[code], value=Decimal(str(value)))
        for code, value in (values or {}).items()
    )
    return assessment


@pytest.fixture
def kla():
    return make_assessment("kla", {"KLA-1-01": 60})


@pytest.fixture
def ape():
    return make_assessment("ape", {"APE-KOM-03": 0})


@pytest.fixture
def kkb():
    assessment = make_assessment("kampung_kb")
    DesaRecord.objects.create(
        assessment=assessment,
        desa=Desa.objects.get(code=DESA),
        kampung_kb=True,
        industri_rumahan="maju",
        akta_kelahiran_persen=Decimal("90"),
        program_lintas_sektor=2,
    )
    return assessment


def stored(assessment: Assessment) -> tuple:
    """Everything a PATCH could change."""
    assessment.refresh_from_db()
    answers = sorted(
        Answer.objects.filter(assessment=assessment).values_list("indicator__code", "value", "note")
    )
    rows = sorted(
        DesaRecord.objects.filter(assessment=assessment).values_list(
            "desa__code",
            "kampung_kb",
            "akta_kelahiran_persen",
            "program_lintas_sektor",
            "industri_rumahan",
            "indeks_input",
            "note",
        )
    )
    return assessment.status, assessment.version, answers, rows


def send(client, url: str, body, user, **extra):
    """PATCH ``body`` (an object, sent with the stored version, or raw text/bytes as it is)."""
    if isinstance(body, dict):
        version = Assessment.objects.filter(
            edition__program=url.split("/")[4], edition__year=2025, region__code="19.01"
        ).values_list("version", flat=True)
        body = json.dumps({"version": version.first() or 1, **body})
    return client.patch(url, data=body, content_type="application/json", **token(user), **extra)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    return response.json()


# --- API writes follow the forms' rules -------------------------------------------------------


@pytest.mark.parametrize("length", [NOTE_MAX_LENGTH + 1, 100_000])
def test_the_api_refuses_a_note_longer_than_the_form_allows(client, admin_user, kla, length):
    before = stored(kla)

    response = send(client, KLA, {"notes": {"KLA-1-01": "x" * length}}, admin_user)

    message = indonesian(
        "A note may have at most %(max)s characters; this one has %(count)s.",
        max=NOTE_MAX_LENGTH,
        count=length,
    )
    assert assert_json_error(response, 400) == {"notes": {"KLA-1-01": [message]}}
    assert stored(kla) == before


def test_a_note_as_long_as_the_form_allows_is_saved_through_the_api(client, admin_user, kla):
    response = send(client, KLA, {"notes": {"KLA-1-01": "x" * NOTE_MAX_LENGTH}}, admin_user)

    assert response.status_code == 200
    assert len(Answer.objects.get(assessment=kla, indicator__code="KLA-1-01").note) == 2000


def test_the_form_and_the_write_path_share_one_note_limit(kla, admin_user):
    indicator = Indicator.objects.get(edition=kla.edition, code="KLA-1-01")
    form = ValuesForm(indicators=[indicator])
    before = stored(kla)

    with pytest.raises(InvalidValues) as refused:
        save_values(kla, {}, {"KLA-1-01": "x" * 2001}, user=admin_user, scope=scope_for(admin_user))

    assert form.fields["n_KLA-1-01"].max_length == NOTE_MAX_LENGTH
    assert list(refused.value.note_errors) == ["KLA-1-01"]
    assert stored(kla) == before


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        (True, "Send a number, not true/false."),
        (False, "Send a number, not true/false."),
        ("90", "Send the value as a number, not as text."),
        ("90%", "Send the value as a number, not as text."),
        (-1, "A percentage must be between 0 and 100."),
        (100.01, "A percentage must be between 0 and 100."),
        (90.001, "Use at most 2 decimal places."),
        ({"a": 1}, "The value must be a number."),
        ([90], "The value must be a number."),
    ],
    ids=["true", "false", "text", "percent-text", "negative", "over", "decimals", "object", "list"],
)
def test_the_api_refuses_values_of_the_wrong_type_or_range(client, admin_user, kla, value, msgid):
    before = stored(kla)

    response = send(client, KLA, {"values": {"KLA-1-01": value}}, admin_user)

    assert assert_json_error(response, 400) == {"values": {"KLA-1-01": [indonesian(msgid)]}}
    assert stored(kla) == before


def test_a_huge_exponent_is_out_of_range_not_a_server_error(client, admin_user, kla):
    before = stored(kla)

    response = send(client, KLA, '{"version": 1, "values": {"KLA-1-01": 1e400}}', admin_user)

    body = assert_json_error(response, 400)
    assert body == {"values": {"KLA-1-01": [indonesian("A percentage must be between 0 and 100.")]}}
    assert stored(kla) == before


def test_a_yes_no_indicator_takes_true_and_false_but_not_text(client, admin_user, ape):
    refused = send(client, APE, {"values": {"APE-KOM-03": "ya"}}, admin_user)
    saved = send(client, APE, {"values": {"APE-KOM-03": True}}, admin_user)

    assert refused.status_code == 400
    assert saved.status_code == 200
    assert Answer.objects.get(assessment=ape, indicator__code="APE-KOM-03").value == 1


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_in_indonesian(client, admin_user, kla, constant):
    before = stored(kla)

    response = send(
        client, KLA, f'{{"version": 1, "values": {{"KLA-1-01": {constant}}}}}', admin_user
    )

    body = assert_json_error(response, 400)
    assert body["code"] == "not_a_number"
    assert body["detail"] == indonesian(
        "%(name)s is not a number the API accepts; send a finite number.", name=constant
    )
    assert stored(kla) == before


def test_an_unknown_indicator_code_is_refused_in_indonesian(client, admin_user, kla):
    before = stored(kla)

    response = send(client, KLA, {"values": {"KLA-9-99": 1}}, admin_user)

    message = indonesian(
        "Unknown indicator code for %(program)s %(year)s.", program="KLA", year=2025
    )
    assert assert_json_error(response, 400) == {"values": {"KLA-9-99": [message]}}
    assert stored(kla) == before


@pytest.mark.parametrize(
    ("fields", "field", "msgid"),
    [
        ({"kampung_kb": "ya"}, "kampung_kb", "Send true or false."),
        ({"kampung_kb": 2}, "kampung_kb", "Send true or false."),
        ({"akta_kelahiran_persen": "90"}, "akta_kelahiran_persen", None),
        ({"akta_kelahiran_persen": True}, "akta_kelahiran_persen", None),
        ({"akta_kelahiran_persen": -5}, "akta_kelahiran_persen", None),
        ({"program_lintas_sektor": -1}, "program_lintas_sektor", None),
        ({"program_lintas_sektor": 10**9}, "program_lintas_sektor", None),
        ({"indeks_input": 5}, "indeks_input", None),
        ({"industri_rumahan": 3}, "industri_rumahan", "Send the value as text."),
        ({"note": "x" * (NOTE_MAX_LENGTH + 1)}, "note", None),
        ({"note": 5}, "note", "The note must be text."),
    ],
)
def test_the_api_refuses_desa_fields_of_the_wrong_type_or_range(
    client, admin_user, kkb, fields, field, msgid
):
    before = stored(kkb)

    response = send(client, KKB, {"desa": {DESA: {**fields, "kinerja_patbm": True}}}, admin_user)

    body = assert_json_error(response, 400)
    assert list(body["desa"][DESA]) == [field]
    if msgid:
        assert body["desa"][DESA][field] == [indonesian(msgid)]
    assert stored(kkb) == before


# --- API errors are JSON in Bahasa Indonesia --------------------------------------------------


def test_json_nested_5000_levels_deep_is_a_400_not_a_server_error(client, admin_user, kla):
    before = stored(kla)

    response = send(client, KLA, "[" * 5000 + "]" * 5000, admin_user)

    body = assert_json_error(response, 400)
    assert body == {
        "detail": indonesian(
            "The JSON is nested too deeply (at most %(max)s levels).", max=MAX_DEPTH
        ),
        "code": "too_deep",
    }
    assert stored(kla) == before


def test_json_nested_a_little_too_deep_is_a_400(client, admin_user, kla):
    nested = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)

    response = send(client, KLA, nested, admin_user)

    assert assert_json_error(response, 400)["code"] == "too_deep"


def test_a_13_mb_body_is_a_json_413_in_indonesian(client, admin_user, kla):
    before = stored(kla)
    body = json.dumps({"version": 1, "notes": {"KLA-1-01": "x" * (13 * 1024 * 1024)}})

    response = send(client, KLA, body, admin_user)

    error = assert_json_error(response, 413)
    assert error == {
        "detail": indonesian(
            "The request body is too large: at most %(size)s. Nothing was saved.", size="2 MB"
        ),
        "code": "too_large",
    }
    assert stored(kla) == before


def test_a_body_one_byte_over_the_api_limit_is_a_413(client, admin_user, kla):
    limit = max_body_bytes()
    filler = "x" * (limit - len('{"version": 1, "notes": {"KLA-1-01": ""}}') + 1)
    body = f'{{"version": 1, "notes": {{"KLA-1-01": "{filler}"}}}}'

    response = send(client, KLA, body, admin_user)

    assert assert_json_error(response, 413)["code"] == "too_large"


@override_settings(LANGUAGE_CODE="id")
def test_djangos_own_size_limit_becomes_a_json_413_not_an_html_400():
    with translation.override("id"):
        response = api_exception_handler(RequestDataTooBig("too big"), {})

    assert response.status_code == 413
    assert response.data["code"] == "too_large"
    assert response.data["detail"] == indonesian(
        "The request body is too large: at most %(size)s. Nothing was saved.", size="12 MB"
    )


@pytest.mark.parametrize(
    ("raw", "code", "msgid", "params"),
    [
        (
            "{nope",
            "parse_error",
            "The request body is not valid JSON (line %(line)s, column %(column)s).",
            {"line": 1, "column": 2},
        ),
        (b"\xff\xfe{}", "parse_error", "The request body is not valid UTF-8 text.", {}),
        (
            '{"version": 1, "values": {"KLA-1-01": 5, "KLA-1-01": 90}}',
            "duplicate_key",
            "The key %(key)s appears twice in one object.",
            {"key": '"KLA-1-01"'},
        ),
    ],
    ids=["malformed", "not-utf8", "duplicate-key"],
)
def test_unreadable_bodies_are_a_json_400_in_indonesian(
    client, admin_user, kla, raw, code, msgid, params
):
    before = stored(kla)

    response = send(client, KLA, raw, admin_user)

    assert assert_json_error(response, 400) == {
        "detail": indonesian(msgid, **params),
        "code": code,
    }
    assert stored(kla) == before


# --- concurrent writes: the version the client read --------------------------------------------


@pytest.mark.parametrize("url", [KLA, KKB])
def test_a_patch_without_version_or_if_match_is_428_and_writes_nothing(
    client, admin_user, kla, kkb, url
):
    before = (stored(kla), stored(kkb))
    body = {"desa": {DESA: {"kampung_kb": False}}} if url == KKB else {"values": {"KLA-1-01": 1}}

    response = client.patch(
        url, data=json.dumps(body), content_type="application/json", **token(admin_user)
    )

    error = assert_json_error(response, 428)
    assert error["code"] == "precondition_required"
    assert error["detail"] == indonesian(
        "Send the version you read: the If-Match header with the ETag of your GET (for example "
        'If-Match: "3"), or "version" in the body. Nothing was saved.'
    )
    assert (stored(kla), stored(kkb)) == before


def test_the_etag_of_a_get_lets_one_patch_through_and_then_is_stale(client, admin_user, kla):
    etag = client.get(KLA, **token(admin_user))["ETag"]
    body = json.dumps({"values": {"KLA-1-01": 70}})

    first = client.patch(
        KLA, body, content_type="application/json", HTTP_IF_MATCH=etag, **token(admin_user)
    )
    after_first = stored(kla)
    second = client.patch(
        KLA, body, content_type="application/json", HTTP_IF_MATCH=etag, **token(admin_user)
    )

    assert etag == '"1"'
    assert first.status_code == 200
    assert first["ETag"] == '"2"'
    assert assert_json_error(second, 412)["code"] == "precondition_failed"
    assert stored(kla) == after_first


def test_a_stale_version_in_the_body_is_409_and_writes_nothing(client, admin_user, kla):
    before = stored(kla)

    response = client.patch(
        KLA,
        json.dumps({"version": 7, "values": {"KLA-1-01": 70}}),
        content_type="application/json",
        **token(admin_user),
    )

    assert assert_json_error(response, 409)["code"] == "stale"
    assert stored(kla) == before


def test_the_schema_documents_the_precondition_and_every_error(client):
    schema = client.get("/api/schema/?format=json").json()
    path = schema["paths"]["/api/v1/assessments/{program}/{region}/{year}/"]

    patch_op, get_op = path["patch"], path["get"]
    headers = {p["name"] for p in patch_op["parameters"] if p["in"] == "header"}
    assert "If-Match" in headers
    assert {"400", "409", "412", "413", "428"} <= set(patch_op["responses"])
    assert "ETag" in get_op["responses"]["200"]["headers"]
    assert "428" in patch_op["description"] and "If-Match" in patch_op["description"]
    notes = schema["components"]["schemas"]["PatchedAssessmentPatch"]["properties"]["notes"]
    assert notes["additionalProperties"]["maxLength"] == NOTE_MAX_LENGTH


# --- sinergitas: bounded texts and dates -------------------------------------------------------

MEETING = {
    "title": "Rapat koordinasi KLA",
    "date": "2025-05-02",
    "venue": "Aula",
    "organiser": "DP3ACSKB",
}


def meeting_data(**changes) -> dict:
    return {**MEETING, "regions": [Region.objects.get(code="19.01").pk], **changes}


def make_meeting() -> Meeting:
    meeting = Meeting.objects.create(
        title="Rapat", date=datetime.date(2025, 3, 10), venue="Aula", organiser="DP3ACSKB"
    )
    meeting.regions.set(Region.objects.filter(code="19.01"))
    return meeting


def followup_data(**changes) -> dict:
    return {
        "what": "Menyusun rencana aksi",
        "region": Region.objects.get(code="19.01").pk,
        "owner_kind": OpdKind.objects.get(code="dp3akb").pk,
        "due_date": "2026-06-30",
        "status": "open",
        **changes,
    }


@pytest.mark.parametrize("field", ["purpose", "issues_other", "notes"])
@pytest.mark.parametrize("length", [TEXT_MAX_LENGTH + 1, 1024 * 1024])
def test_the_meeting_form_refuses_text_over_the_bound(admin_user, field, length):
    form = MeetingForm(meeting_data(**{field: "x" * length}), scope=scope_for(admin_user))

    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.parametrize("field", ["what", "note"])
def test_the_follow_up_form_refuses_text_over_the_bound(admin_user, field):
    meeting = make_meeting()
    form = FollowUpForm(
        followup_data(**{field: "x" * (TEXT_MAX_LENGTH + 1)}),
        meeting=meeting,
        scope=scope_for(admin_user),
    )

    assert not form.is_valid()
    assert field in form.errors


def test_text_at_the_bound_is_accepted(admin_user):
    form = MeetingForm(meeting_data(notes="x" * TEXT_MAX_LENGTH), scope=scope_for(admin_user))

    assert form.is_valid(), form.errors


def test_a_one_megabyte_meeting_note_is_refused_on_the_page_and_nothing_changes(client, admin_user):
    meeting = make_meeting()
    client.force_login(admin_user)

    created = client.post("/sinergitas/baru/", meeting_data(notes="x" * 1024 * 1024))
    edited = client.post(f"/sinergitas/{meeting.pk}/ubah/", meeting_data(notes="y" * 1024 * 1024))

    assert created.status_code == 400
    assert edited.status_code == 400
    assert Meeting.objects.count() == 1
    meeting.refresh_from_db()
    assert meeting.notes == ""


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_the_meeting_form_refuses_implausible_dates(client, admin_user, day):
    client.force_login(admin_user)

    response = client.post("/sinergitas/baru/", meeting_data(date=day))

    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert not Meeting.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_follow_up_form_refuses_implausible_due_dates(client, admin_user, day):
    meeting = make_meeting()
    client.force_login(admin_user)

    response = client.post(f"/sinergitas/{meeting.pk}/tindak-lanjut/", followup_data(due_date=day))

    assert response.status_code == 400
    assert "due_date" in response.context["form"].errors
    assert not FollowUp.objects.exists()


def test_the_date_bounds_run_from_2000_to_five_years_after_next_year():
    assert date_bounds(datetime.date(2026, 12, 7)) == (
        datetime.date(2000, 1, 1),
        datetime.date(2032, 12, 31),
    )
    assert date_bounds(datetime.date(2030, 1, 1))[1] == datetime.date(2036, 12, 31)


def test_the_date_validator_uses_todays_date_and_speaks_indonesian(monkeypatch):
    import sinergitas.validators as validators

    monkeypatch.setattr(validators, "jakarta_today", lambda: datetime.date(2026, 12, 7))
    validate_record_date(datetime.date(2032, 12, 31))
    validate_record_date(datetime.date(2000, 1, 1))

    with translation.override("id"), pytest.raises(ValidationError) as refused:
        validate_record_date(datetime.date(2033, 1, 1))

    assert refused.value.messages == [
        indonesian(
            "Enter a date between %(start)s and %(end)s.", start="01-01-2000", end="31-12-2032"
        )
    ]


@pytest.mark.parametrize(
    "fields",
    [
        {"notes": "x" * (TEXT_MAX_LENGTH + 1)},
        {"purpose": "x" * (TEXT_MAX_LENGTH + 1)},
        {"issues_other": "x" * (TEXT_MAX_LENGTH + 1)},
        {"date": datetime.date(1999, 12, 31)},
        {"date": datetime.date(9999, 12, 31)},
    ],
    ids=["notes", "purpose", "issues_other", "date-before-2000", "date-9999"],
)
def test_the_database_refuses_meetings_beyond_the_fixed_bounds(fields):
    values = {**MEETING, "date": datetime.date(2025, 5, 2), **fields}

    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(**values)


@pytest.mark.parametrize(
    "fields",
    [
        {"what": "x" * (TEXT_MAX_LENGTH + 1)},
        {"note": "x" * (TEXT_MAX_LENGTH + 1)},
        {"due_date": datetime.date(1, 1, 1)},
    ],
    ids=["what", "note", "due-date-year-1"],
)
def test_the_database_refuses_follow_ups_beyond_the_fixed_bounds(fields):
    meeting = make_meeting()
    values = {
        "meeting": meeting,
        "what": "Rencana aksi",
        "region": Region.objects.get(code="19.01"),
        "owner_kind": OpdKind.objects.get(code="dp3akb"),
        "due_date": datetime.date(2026, 6, 30),
        **fields,
    }

    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(**values)


# --- the import follows the same note rule -----------------------------------------------------


def test_the_nilai_import_refuses_a_note_longer_than_the_form_allows(admin_user, tmp_path):
    from impor import engine
    from tests.impor_files import NILAI, xlsx

    make_assessment("ape")
    before = sorted(Answer.objects.values_list("pk", "value", "note"))
    data = xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 3, "x" * (NOTE_MAX_LENGTH + 1)]])

    with override_settings(MEDIA_ROOT=tmp_path):
        outcome = engine.preview("nilai", data, "data.xlsx", admin_user)
        applied = engine.apply("nilai", data, "data.xlsx", admin_user)

    message = indonesian(
        "A note may have at most %(max)s characters; this one has %(count)s.",
        max=NOTE_MAX_LENGTH,
        count=NOTE_MAX_LENGTH + 1,
    )
    assert [(e.row, e.column, e.message) for e in outcome.plan.errors] == [(2, "catatan", message)]
    assert applied.record is None
    assert sorted(Answer.objects.values_list("pk", "value", "note")) == before


@pytest.mark.parametrize("url", [KLA, KKB])
def test_a_patch_with_more_entries_than_any_region_has_is_refused_as_a_whole(
    client, admin_user, kla, kkb, url
):
    before = (stored(kla), stored(kkb))
    many = {f"X-{number}": {} if url == KKB else 1 for number in range(40_000)}
    key = "desa" if url == KKB else "values"

    response = send(client, url, {key: many}, admin_user)

    message = indonesian("Too many entries in one request: at most %(max)s.", max=2000)
    assert assert_json_error(response, 400) == {key: [message]}
    assert (stored(kla), stored(kkb)) == before


def test_if_match_star_with_a_stale_body_version_is_still_refused(client, admin_user, kla):
    before = stored(kla)

    response = client.patch(
        KLA,
        json.dumps({"version": 9, "values": {"KLA-1-01": 70}}),
        content_type="application/json",
        HTTP_IF_MATCH="*",
        **token(admin_user),
    )

    assert assert_json_error(response, 409)["code"] == "stale"
    assert stored(kla) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/nope/"),
        ("get", "/api/v1/assessments/kla/19.01/dua-ribu/"),
        ("patch", "/api/v1/assessments/kla/19.01/"),
        ("post", "/api/v1/regions/19.01/"),
    ],
)
def test_an_unknown_api_path_is_a_json_404_in_indonesian(client, method, path):
    response = getattr(client, method)(path)

    assert assert_json_error(response, 404) == {
        "detail": indonesian("Not found."),
        "code": "not_found",
    }
