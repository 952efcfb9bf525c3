"""API authentication, tokens, throttling, error bodies and the OpenAPI schema and docs."""

import io
import json
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from api.tokens import create_token, token_for

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/me/",
    "/api/v1/regions/",
    "/api/v1/indicators/?year=2025",
    "/api/v1/readiness/?year=2025",
    "/api/v1/assessments/kla/19.01/2025/",
    "/api/v1/awards/",
    "/api/v1/meetings/",
    "/api/v1/meetings/1/",
]


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


def token_header(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {create_token(user).key}"}


@pytest.mark.parametrize("url", ENDPOINTS)
def test_anonymous_requests_are_refused_with_401_and_a_token_challenge(client, url):
    response = client.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    with translation.override("id"):
        expected = gettext(
            "Log in or send an API token in the header: Authorization: Token <token>."
        )
    assert response.json() == {"detail": expected, "code": "not_authenticated"}


def test_anonymous_patch_is_refused_and_writes_nothing(client):
    response = client.patch(
        "/api/v1/assessments/kla/19.01/2025/",
        data=json.dumps({"values": {"KLA-1-01": 50}}),
        content_type="application/json",
    )

    assert response.status_code == 401
    from penilaian.models import Assessment

    assert not Assessment.objects.exists()


def test_token_authenticates_a_program(client, koordinator_bangka):
    response = client.get("/api/v1/me/", **token_header(koordinator_bangka))

    assert response.status_code == 200
    assert response.json() == {
        "username": "koordinator.bangka.uji",
        "role": "koordinator",
        "region": "19.01",
        "opd_kind": None,
    }


def test_session_authenticates_the_browser(client, operator_dinkes_bangka):
    client.force_login(operator_dinkes_bangka)

    response = client.get("/api/v1/me/")

    assert response.json()["role"] == "operator"
    assert response.json()["opd_kind"] == "dinkes"


def test_a_revoked_token_stops_working_at_once(client, koordinator_bangka):
    header = token_header(koordinator_bangka)
    create_token(koordinator_bangka)  # replacing revokes the old one

    response = client.get("/api/v1/me/", **header)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_user_without_a_role_is_refused_with_403(client, unassigned_user, url):
    response = client.get(url, **token_header(unassigned_user))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_an_inactive_users_token_is_refused(client, koordinator_bangka):
    header = token_header(koordinator_bangka)
    koordinator_bangka.is_active = False
    koordinator_bangka.save()

    assert client.get("/api/v1/regions/", **header).status_code == 401


# --- the token page ---------------------------------------------------------------------------


def test_token_page_requires_login(client):
    response = client.get("/api/token/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_creates_a_token_and_sees_its_key_once(client, koordinator_bangka):
    client.force_login(koordinator_bangka)

    created = client.post("/api/token/", {"action": "create"})
    key = token_for(koordinator_bangka).key
    later = client.get("/api/token/")

    assert created.status_code == 200
    assert key in created.content.decode()
    assert key not in later.content.decode()
    assert key[:4] in later.content.decode()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_creating_again_replaces_the_token(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    client.post("/api/token/", {"action": "create"})
    first = token_for(koordinator_bangka).key

    client.post("/api/token/", {"action": "create"})

    assert token_for(koordinator_bangka).key != first
    assert Token.objects.filter(user=koordinator_bangka).count() == 1


def test_a_user_revokes_their_own_token(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    key = create_token(koordinator_bangka).key

    response = client.post("/api/token/", {"action": "revoke"})

    assert response.status_code == 302
    assert token_for(koordinator_bangka) is None
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_the_token_page_touches_only_the_users_own_token(
    client, koordinator_bangka, koordinator_belitung
):
    other = create_token(koordinator_belitung).key
    client.force_login(koordinator_bangka)

    client.post("/api/token/", {"action": "revoke"})
    page = client.get("/api/token/").content.decode()

    assert token_for(koordinator_belitung).key == other
    assert other[:4] + "…" not in page


def test_an_unknown_token_action_changes_nothing(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    key = create_token(koordinator_bangka).key

    response = client.post("/api/token/", {"action": "steal"})

    assert response.status_code == 400
    assert token_for(koordinator_bangka).key == key


def test_admin_lists_tokens_masked_and_revokes_any(client, admin_user, koordinator_bangka):
    key = create_token(koordinator_bangka).key
    client.force_login(admin_user)

    listing = client.get("/admin/authtoken/tokenproxy/").content.decode()
    deleted = client.post(
        f"/admin/authtoken/tokenproxy/{koordinator_bangka.pk}/delete/", {"post": "yes"}
    )

    assert key not in listing
    assert key[:4] + "…" in listing
    assert deleted.status_code == 302
    assert token_for(koordinator_bangka) is None


def test_api_token_command_prints_a_working_token(client, koordinator_bangka):
    out = io.StringIO()

    call_command("api_token", "koordinator.bangka.uji", stdout=out)
    again = io.StringIO()
    call_command("api_token", "koordinator.bangka.uji", stdout=again)

    key = out.getvalue().strip()
    assert again.getvalue().strip() == key
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


# --- throttling -------------------------------------------------------------------------------


def test_authenticated_clients_are_throttled_per_user(client, koordinator_bangka):
    header = token_header(koordinator_bangka)
    rates = {"anon": "2/min", "user": "3/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [client.get("/api/v1/me/", **header).status_code for _ in range(4)]
        refused = client.get("/api/v1/me/", **header)

    assert statuses == [200, 200, 200, 429]
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0


def test_anonymous_clients_are_throttled_per_address_on_the_open_schema(client):
    rates = {"anon": "2/min", "user": "3/min"}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [client.get("/api/schema/?format=json").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_rate_of_none_disables_throttling(client, koordinator_bangka):
    header = token_header(koordinator_bangka)
    rates = {"anon": None, "user": None}
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = {client.get("/api/v1/me/", **header).status_code for _ in range(5)}

    assert statuses == {200}


def _rest_framework() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


# --- schema and docs --------------------------------------------------------------------------


def test_schema_is_served_as_json_to_anyone(client):
    by_param = client.get("/api/schema/?format=json")
    by_header = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert by_param.status_code == by_header.status_code == 200
    assert by_param["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert by_header["Content-Type"].startswith("application/json")
    schema = json.loads(by_param.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/me/",
        "/api/v1/regions/",
        "/api/v1/indicators/",
        "/api/v1/readiness/",
        "/api/v1/assessments/{program}/{region}/{year}/",
        "/api/v1/awards/",
        "/api/v1/meetings/",
        "/api/v1/meetings/{id}/",
        "/api/v1/calendar/",
        "/api/v1/regions/{region}/opd/",
        "/api/v1/return-categories/",
        "/api/v1/return-reasons/",
    }


def test_every_operation_is_described_with_its_errors(client):
    schema = json.loads(client.get("/api/schema/?format=json").content)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = set(operation["responses"])
            assert operation.get("summary"), (method, path)
            assert {"200", "401", "403", "429"} <= responses, (method, path)
            if path != "/api/v1/me/":
                assert "404" in responses, (method, path)
    patch = schema["paths"]["/api/v1/assessments/{program}/{region}/{year}/"]["patch"]
    assert {"400", "409", "412"} <= set(patch["responses"])
    assert patch["requestBody"]["content"]["application/json"]["examples"]
    assert schema["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"


def test_schema_validates_without_warnings():
    out = io.StringIO()

    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)

    assert "/api/v1/readiness/" in out.getvalue()


def test_docs_page_uses_only_assets_served_by_the_app(client):
    response = client.get("/api/docs/")

    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert response.status_code == 200
    assert any("swagger-ui" in src for src in sources)
    assert sources and all(src.startswith("/static/") for src in sources), sources
    assert "/api/schema/" in html
    assert "cdn" not in html.lower()


def test_docs_assets_are_actually_served(client):
    html = client.get("/api/docs/").content.decode()
    script = next(src for src in re.findall(r'src="([^"]+)"', html) if src.endswith(".js"))

    response = client.get(script)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/regions/", "/api/v1/readiness/?year=2025", "/api/v1/meetings/"]
)
def test_a_browser_gets_json_and_other_formats_are_406(client, koordinator_bangka, url):
    client.force_login(koordinator_bangka)

    browser = client.get(url, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    xml = client.get(url, HTTP_ACCEPT="application/xml")

    assert browser.status_code == 200
    assert browser["Content-Type"] == "application/json"
    assert xml.status_code == 406
    assert xml.json()["code"] == "not_acceptable"
