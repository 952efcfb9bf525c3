"""Response headers and sessions: what a browser and a proxy are told on every answer.

- ``Cache-Control: private, no-store`` on everything answered to a logged-in user (pages, exports,
  downloads, API) — over every URL of the URLconf as every role in the GET walk of
  ``tests/test_get_changes_nothing.py`` —; public answers are left alone.
- A Content-Security-Policy without 'unsafe-inline' on every response, and no template that would
  need one (inline scripts, style attributes or blocks, on* handlers).
- Sessions end after 8 hours without a request and when the browser closes.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from rest_framework.authtoken.models import Token

from penilaian.models import Document
from tests.test_sinergitas_factories import make_meeting, pdf_upload

ROOT = Path(__file__).resolve().parent.parent


def directives(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Cache-Control", "").split(",")}


def assert_private(response, url: str = "") -> None:
    found = directives(response)
    assert {"private", "no-store"} <= found, (url, response.status_code, found)
    assert "public" not in found, url


# --- Cache-Control -------------------------------------------------------------------------------


# Every URL of the URLconf, as every role, with every status: checked by the walk of
# ``tests/test_get_changes_nothing.py`` (the same GETs, no second walk of its own).


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/ekspor/rekap.xlsx",
        "/ekspor/ape.xlsx",
        "/ekspor/kla.xlsx",
        "/ekspor/kampung-kb.xlsx",
        "/sinergitas/ekspor.xlsx",
        "/impor/nilai/templat/",
    ],
)
def test_xlsx_exports_are_private_no_store(client, admin_user, url):
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_private(response, url)


@pytest.mark.django_db
def test_evidence_downloads_are_private_no_store(client, koordinator_bangka, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    upload = client.post(
        f"/sinergitas/{meeting.pk}/dokumen/",
        {"file": pdf_upload(), "title": "Notulen", "role": "minutes"},
    )
    assert upload.status_code == 302
    document = Document.objects.get()
    for url in (
        f"/sinergitas/{meeting.pk}/dokumen/{document.pk}/",
        f"/penilaian/dokumen/{document.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Disposition"].startswith("attachment;")
        assert_private(response, url)


@pytest.mark.django_db
def test_api_answers_to_a_token_are_private_no_store(client, koordinator_bangka):
    token = Token.objects.create(user=koordinator_bangka)
    response = client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert_private(response)


@pytest.mark.django_db
def test_a_view_that_asks_for_public_caching_is_still_private_for_a_logged_in_user(rf, admin_user):
    from django.http import HttpResponse

    from babel_pug.middleware import PrivateCacheControlMiddleware

    def view(request):
        response = HttpResponse("x")
        patch_cache_control(response, public=True, max_age=600)
        return response

    request = rf.get("/")
    request.user = admin_user
    response = PrivateCacheControlMiddleware(view)(request)
    assert_private(response)


@pytest.mark.django_db
def test_the_public_page_for_anonymous_visitors_is_not_marked_private(client):
    response = client.get("/publik/")
    assert response.status_code == 200
    assert not {"private", "no-store"} & directives(response)


# --- Sessions ------------------------------------------------------------------------------------


def test_session_lifetime_settings():
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_session_lifetime_comes_from_the_environment():
    from tests.test_settings import run_manage

    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_AGE, "
        "s.SESSION_SAVE_EVERY_REQUEST, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)"
    )
    result = run_manage(
        {
            "DEBUG": "true",
            "SESSION_COOKIE_AGE": "3600",
            "SESSION_SAVE_EVERY_REQUEST": "false",
            "SESSION_EXPIRE_AT_BROWSER_CLOSE": "false",
        },
        "shell",
        "-c",
        code,
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["3600", "False", "False"]


@pytest.mark.django_db
def test_the_session_cookie_ends_with_the_browser_and_each_request_renews_the_session(
    client, koordinator_bangka
):
    response = client.post(
        "/accounts/login/", {"username": koordinator_bangka.username, "password": "Sandi-uji-2026!"}
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]  # a browser-session cookie
    session = Session.objects.get()
    # pretend the last request was 7 hours ago: the next request renews the 8 hours
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(hours=1))
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(pk=session.pk).expire_date
    assert renewed > timezone.now() + timedelta(hours=7, minutes=59)


@pytest.mark.django_db
def test_the_renewal_is_written_at_most_once_a_minute(client, koordinator_bangka):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(koordinator_bangka)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []  # a request right after the last one reads the session only
    Session.objects.update(expire_date=timezone.now() + timedelta(hours=8, seconds=-61))
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(writes) == 1


@pytest.mark.django_db
def test_a_session_idle_for_more_than_8_hours_is_logged_out(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Content-Security-Policy ---------------------------------------------------------------------

INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def project_templates() -> list[Path]:
    dirs = [ROOT / "templates"] + [
        ROOT / app / "templates" for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()
    ]
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*.html"))


def test_the_template_scan_finds_what_it_looks_for():
    samples = [
        "<script>alert(1)</script>",
        '<script type="text/javascript">x()</script>',
        '<p style="color:red">',
        "<style>p{}</style>",
        '<button onclick="go()">',
        '<select onchange="this.form.submit()">',
        '<a href="javascript:go()">',
    ]
    for sample in samples:
        assert any(p.search(sample) for p, _ in INLINE), sample
    allowed = '<script src="/static/x.js" defer></script><p class="x" data-on="1" title="on it">'
    assert not any(p.search(allowed) for p, _ in INLINE)


def test_no_template_has_inline_script_style_or_event_handlers():
    templates = project_templates()
    assert any(p.name == "base.html" for p in templates)
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/publik/", "/healthz", "/accounts/login/", "/api/docs/", "/", "/static/css/app.css"]
)
def test_every_response_carries_a_strict_content_security_policy(client, admin_user, url):
    client.force_login(admin_user)
    policy = client.get(url)["Content-Security-Policy"]
    parts = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert parts["default-src"] == ["'self'"]
    assert parts["script-src"] == ["'self'"]
    assert parts["style-src"] == ["'self'"]
    assert parts["object-src"] == ["'none'"]
    assert parts["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


@pytest.mark.django_db
def test_the_swagger_page_has_no_inline_script_or_style(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    for pattern, what in INLINE:
        assert not pattern.search(html), what
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("swagger-ui-bundle" in src for src in scripts)
    assert any(src.endswith("swagger-init.js") for src in scripts)
    assert all(src.startswith("/static/") for src in scripts)  # served here, no CDN


# --- Rate limits shared by every worker ----------------------------------------------------------

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/5",
    }
}


def w001(settings, monkeypatch, *, debug: bool, workers: str | None, caches: dict) -> list[str]:
    from babel_pug.checks import shared_cache_for_several_workers

    settings.DEBUG = debug
    settings.CACHES = caches
    if workers is None:
        monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    else:
        monkeypatch.setenv("WEB_CONCURRENCY", workers)
    return [message.id for message in shared_cache_for_several_workers()]


def test_several_workers_with_a_per_process_cache_are_warned_about(settings, monkeypatch):
    assert w001(settings, monkeypatch, debug=False, workers="3", caches=LOCMEM) == [
        "babel_pug.W001"
    ]
    # gunicorn.conf.py starts 3 workers when WEB_CONCURRENCY is unset
    assert w001(settings, monkeypatch, debug=False, workers=None, caches=LOCMEM) == [
        "babel_pug.W001"
    ]


def test_several_workers_sharing_redis_are_fine(settings, monkeypatch):
    assert w001(settings, monkeypatch, debug=False, workers="3", caches=REDIS) == []


def test_one_worker_or_development_needs_no_shared_cache(settings, monkeypatch):
    assert w001(settings, monkeypatch, debug=False, workers="1", caches=LOCMEM) == []
    assert w001(settings, monkeypatch, debug=True, workers="3", caches=LOCMEM) == []


def test_manage_py_check_prints_the_warning_and_redis_url_silences_it():
    from tests.test_settings import run_check

    production = {
        "DEBUG": "false",
        "SECRET_KEY": "a-very-long-random-production-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "pug.example.go.id",
        "WEB_CONCURRENCY": "3",
    }
    warned = run_check({**production, "REDIS_URL": ""})
    assert "babel_pug.W001" in warned.stderr + warned.stdout
    shared = run_check({**production, "REDIS_URL": "redis://127.0.0.1:6379/5"})
    assert shared.returncode == 0
    assert "babel_pug.W001" not in shared.stderr + shared.stdout


def test_the_api_throttles_count_in_the_default_cache():
    from django.core.cache import cache

    from api.throttling import AnonThrottle, UserThrottle

    # the proxy of caches["default"]: Redis whenever REDIS_URL is set
    assert AnonThrottle.cache is cache
    assert UserThrottle.cache is cache
