"""A GET of any page, as any role, changes no table.

Every URL pattern of the URLconf (the Django admin's too) is resolved into concrete addresses
with demo-like values — programme ape/kla/kampung_kb, regions 19.01 and 19.02, this year (2025),
next year (2026, not started) and an earlier year, the ids of existing objects — and opened with
GET by an anonymous visitor and by every role. Before and after, every table is read whole and
hashed (row count, max id and a digest of all rows); no table may differ (sessions
are compared by their keys: the idle-expiry renewal of ``babel_pug.sessions`` may move). The
stored readiness is computed for every assessment before the walk, so it may not change either.

Regression of issue #14: opening next year's form as an operator created the 2026 assessment,
and the dashboard of every user moved to that year.

The same walk checks what every answer to a logged-in user tells a browser and a proxy:
``Cache-Control: private, no-store`` (issue #12, ``tests/test_security_headers.py``), whatever
the status.
"""

from __future__ import annotations

import hashlib
import itertools
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from dashboard import store
from kampung_kb import demo as kampung_kb_demo
from penilaian import demo as penilaian_demo
from penilaian.models import Document, EvidenceLink, Notification
from sinergitas import demo as sinergitas_demo
from tests.conftest import start
from tests.test_security_headers import assert_private

pytestmark = pytest.mark.django_db

ROLES = (
    None,
    "admin_user",
    "verifikator",
    "pimpinan",
    "koordinator_bangka",
    "koordinator_belitung",
    "operator_dinkes_bangka",
)
REGIONS = ("19.01", "19.02")
YEARS = ("2025", "2026", "2024")
PROGRAMS = ("ape", "kla", "kampung_kb")
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Addresses a GET must never reach with side effects, however they answer.
QUERY_STRINGS = ("", "?tahun=2026")
YEAR_IN_PATH = re.compile(r"/(?:19|20)\d\d/")


def routes(patterns=None, prefix=""):
    """Every URL pattern as (route text, pattern), the included ones too."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def table_digest() -> dict[str, tuple[int, object, str]]:
    """Row count, max id and a digest of every row, for every table of the database."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            columns_sql = "*"
            if table == "django_session":
                # babel_pug.sessions renews a session's idle expiry (at most once a minute) on
                # any request: that is the login's clock, not data. A GET still may not create
                # or end a session.
                columns_sql = "session_key"
            cursor.execute(f"SELECT {columns_sql} FROM {quoted}")  # noqa: S608 - known names
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchall()
            max_id = (
                max((row[columns.index("id")] for row in rows), default=None)
                if ("id" in columns)
                else None
            )
            digest = hashlib.sha256("\n".join(sorted(repr(row) for row in rows)).encode())
            digests[table] = (len(rows), max_id, digest.hexdigest())
    return digests


def values_for(name: str, converter: str | None, route: str, ids: dict[str, list[str]]):
    """Demo-like values of one URL parameter."""
    if name == "program":
        return ["ape", "kla"] if converter == "program" else list(PROGRAMS)
    if name in ("region_code", "kode", "region"):
        return list(REGIONS)
    if name == "year":
        return list(YEARS)
    if name == "resource":
        return ["nilai", "kampung_kb", "desa"]
    if name in ("uidb64", "token"):
        return ["MQ", "set-password"]
    if name == "object_id":
        model = route.split("/")[1:3]
        return ids.get("/".join(model), ["1"])[:1]
    if name in ("pk", "id"):
        if route.startswith("sinergitas/") or "meetings" in route:
            return ids["meeting"][:1]
        if "notifikasi" in route:
            return ids["notification"][:1]
        if "dokumen" in route:
            return ids["document"][:1]
        if "bukti" in route:
            return ids["link"][:1]
        return ["1"]
    if name == "document_pk":
        return ids["meeting_document"][:1] or ["1"]
    if name == "followup_pk":
        return ids["followup"][:1] or ["1"]
    if name == "link_pk":
        return ids["meeting_link"][:1] or ["1"]
    return ["1"]


def addresses(ids: dict[str, list[str]]) -> list[str]:
    """Every URL pattern filled with every combination of its parameters' values."""
    found = []
    for route, _pattern in routes():
        route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        if "(?P<" in route:  # a regex pattern (admin's app index): fill its group
            route = re.sub(r"\(\?P<app_label>[^)]*\)", "penilaian", route)
            route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
        names = [(m.group("name"), m.group("converter")) for m in PARAM.finditer(route)]
        choices = [values_for(name, conv, route, ids) for name, conv in names]
        for combo in itertools.product(*choices):
            url = route
            for value in combo:
                url = PARAM.sub(value, url, count=1)
            found.append("/" + url)
    return sorted(set(found))


def queries_for(url: str) -> tuple[str, ...]:
    """The query strings a URL is opened with: ``?tahun=`` picks the year of pages that have none
    in their path (dashboards, lists); an address with a year in its path (a form, its
    actions) or the Django admin is opened as it is."""
    if url.startswith("/admin/") or YEAR_IN_PATH.search(url):
        return ("",)
    return QUERY_STRINGS


def object_ids() -> dict[str, list[str]]:
    from django.apps import apps

    from sinergitas.models import FollowUp, Meeting, MeetingDocument

    ids = {
        f"{model._meta.app_label}/{model._meta.model_name}": [
            str(pk) for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)[:1]
        ]
        for model in apps.get_models()
    }
    ids["meeting"] = [str(pk) for pk in Meeting.objects.values_list("pk", flat=True)[:1]]
    ids["notification"] = [str(pk) for pk in Notification.objects.values_list("pk", flat=True)[:1]]
    ids["document"] = [str(pk) for pk in Document.objects.values_list("pk", flat=True)[:1]]
    ids["link"] = [str(pk) for pk in EvidenceLink.objects.values_list("pk", flat=True)[:1]]
    ids["meeting_document"] = [
        str(pk) for pk in MeetingDocument.objects.values_list("pk", flat=True)[:1]
    ]
    ids["followup"] = [str(pk) for pk in FollowUp.objects.values_list("pk", flat=True)[:1]]
    ids["meeting_link"] = ids["link"]
    return ids


@pytest.fixture
def demo(settings, tmp_path, koordinator_bangka):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    penilaian_demo.seed()
    kampung_kb_demo.seed()
    sinergitas_demo.seed()
    assessment = start("kla", "19.01", 2025)
    document = Document.objects.create(
        region=assessment.region,
        title="SK Gugus Tugas KLA",
        file="evidence/19.01/sk.pdf",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    EvidenceLink.objects.create(
        document=document, assessment=assessment, indicator=assessment.edition.indicators.first()
    )
    Notification.objects.create(user=koordinator_bangka, message="Uji", url="/")
    # Every stored readiness row fresh first: a reader stores the rows it finds missing or stale
    # (derived data, ``dashboard.store``); with all of them fresh, a GET may not change even them.
    store.recompute_all()


def test_no_get_of_any_page_as_any_role_changes_any_table(request, demo):
    clients = {}
    for role in ROLES:
        client = Client()
        if role is not None:
            client.force_login(request.getfixturevalue(role))
        clients[role] = client
    urls = addresses(object_ids())
    assert len(urls) > 150  # the walk really covers the URLconf
    for prefix in ("/admin/", "/api/v1/", "/penilaian/", "/sinergitas/", "/impor/", "/ekspor/"):
        assert any(url.startswith(prefix) for url in urls), prefix
    assert "/penilaian/kla/19.01/2026/" in urls and "/penilaian/kampung_kb/19.02/2026/" in urls
    before = table_digest()

    statuses: dict[int, int] = {}
    for role, client in clients.items():
        for url in urls:
            for query in queries_for(url):
                response = client.get(url + query)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                assert response.status_code < 500, (role, url + query)
                if role is not None:
                    assert_private(response, f"{role} {url}{query}")

    after = table_digest()
    changed = {
        table: (before[table], after.get(table))
        for table in before
        if before[table] != after.get(table)
    }
    assert not changed, changed
    assert set(after) == set(before)
    assert statuses.get(200, 0) > 100  # most pages rendered, not only refused
    assert statuses.get(404, 0) > 0  # and lookups that miss
