"""Hardening of the admin and the import doors (issue #12): what probing found, closed.

* Only the provincial admin role enters the Django admin. A staff user of any other role,
  holding every model permission, gets 403 on every admin URL of every registered model and
  changes nothing; the admin login refuses them.
* The admin import door stores nothing before the file is checked: a refused upload (too
  large, not a workbook, invalid rows) leaves no copy in MEDIA_ROOT, and a confirmed one is
  deleted on confirm.
"""

from __future__ import annotations

import hashlib
import io
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse

from regions.models import Assignment, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Sandi-uji-2026!"
SKIP_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--password", PASSWORD, stdout=StringIO())


def staff_with_every_permission(username: str, role: str, region=None, opd_kind=None):
    user = make_user(username, role, region, opd_kind)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions or scope


def fingerprint() -> dict[str, str]:
    """A checksum of every table (sessions and login logs aside)."""
    from django.apps import apps

    sums = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table in SKIP_TABLES or model._meta.proxy:
            continue
        rows = model._default_manager.order_by("pk").values_list()
        sums[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return sums


def admin_urls() -> list[tuple[str, str, dict | None]]:
    """(method, url, data) of the list, add, change, history, delete and import pages of every
    model registered in the admin site, on an existing object where there is one."""
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        obj = model._default_manager.order_by("pk").first()
        pk = obj.pk if obj is not None else 1
        urls.append(("get", reverse("admin:{}_{}_changelist".format(*info)), None))
        urls.append(("get", reverse("admin:{}_{}_add".format(*info)), None))
        urls.append(("post", reverse("admin:{}_{}_add".format(*info)), {"name": "x"}))
        for name in ("change", "history", "delete"):
            urls.append(("get", reverse(f"admin:{info[0]}_{info[1]}_{name}", args=[pk]), None))
        urls.append(("post", reverse("admin:{}_{}_change".format(*info), args=[pk]), {}))
        urls.append(
            ("post", reverse("admin:{}_{}_delete".format(*info), args=[pk]), {"post": "yes"})
        )
        urls.append(
            (
                "post",
                reverse("admin:{}_{}_changelist".format(*info)),
                {"action": "delete_selected", "_selected_action": [pk], "post": "yes"},
            )
        )
        for name in ("import", "process_import", "export"):
            try:
                url = reverse(f"admin:{info[0]}_{info[1]}_{name}")
            except NoReverseMatch:
                continue
            urls.append(("get", url, None))
            urls.append(("post", url, {"format": "0", "resource": "0"}))
    urls += [
        ("get", reverse("admin:index"), None),
        ("get", reverse("admin:app_list", args=["regions"]), None),
        ("get", reverse("admin:autocomplete") + "?term=a", None),
        ("get", reverse("admin:password_change"), None),
    ]
    return urls


@pytest.mark.parametrize(
    "role,region,opd_kind",
    [
        (Role.KOORDINATOR, "19.02", None),
        (Role.VERIFIKATOR, None, None),
        (Role.OPERATOR, "19.01", "dinkes"),
    ],
)
def test_staff_of_every_other_role_with_all_permissions_get_403_on_every_admin_url(
    client, demo, role, region, opd_kind
):
    user = staff_with_every_permission(f"staf.{role}", role, region, opd_kind)
    client.force_login(user)
    bangka = get_user_model().objects.get(username="koordinator.bangka")
    before = fingerprint()
    urls = admin_urls()
    assert len(admin.site._registry) >= 30 and len(urls) > 300

    answers = {}
    for method, url, data in urls:
        response = getattr(client, method)(url, data) if data is not None else client.get(url)
        answers[(method, url)] = response.status_code

    assert {key: code for key, code in answers.items() if code != 403} == {}
    assert fingerprint() == before
    assert Assignment.objects.filter(user=bangka).exists()
    # The probe of the finding: deleting koordinator.bangka's user through the admin.
    response = client.post(f"/admin/auth/user/{bangka.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert get_user_model().objects.filter(pk=bangka.pk).exists()


@pytest.mark.parametrize(
    "role,region,opd_kind",
    [
        (Role.KOORDINATOR, "19.02", None),
        (Role.VERIFIKATOR, None, None),
        (Role.PIMPINAN, None, None),
        (Role.OPERATOR, "19.01", "dinkes"),
    ],
)
def test_the_admin_login_page_does_not_let_staff_of_other_roles_in(
    client, settings, role, region, opd_kind
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = staff_with_every_permission(f"staf.{role}", role, region, opd_kind)
    response = client.post(
        reverse("admin:login"),
        {"username": user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302  # still anonymous


def test_the_admin_role_still_enters_and_anonymous_visitors_are_sent_to_the_login(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    superuser = make_user("admin.uji", Role.ADMIN)
    response = client.post(
        reverse("admin:login"), {"username": superuser.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    client.logout()
    # An admin assignment without the superuser flag is the admin role too.
    assigned = make_user("admin.penugasan", None)
    assigned.is_staff = True
    assigned.save()
    assigned.user_permissions.set(Permission.objects.filter(codename="view_region"))
    Assignment.objects.create(user=assigned, role=Role.ADMIN)
    client.force_login(assigned)
    assert client.get(reverse("admin:regions_region_changelist")).status_code == 200
    # Not staff: the admin role alone does not open the admin.
    assigned.is_staff = False
    assigned.save()
    assert client.get(reverse("admin:regions_region_changelist")).status_code == 403


# --- the admin import door: what it stores ---


def stored_uploads(root) -> list[str]:
    """Uploads kept under MEDIA_ROOT (the library's folder, and our pending ``.bin`` files;
    error files are ``.xlsx`` and kept on purpose)."""
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and (path.suffix != ".xlsx" or "django-import-export" in path.parts)
    )


def admin_upload(client, data: bytes, name: str = "nilai.xlsx"):
    handle = io.BytesIO(data)
    handle.name = name
    return client.post(
        reverse("admin:impor_nilaiproxy_import"),
        {"import_file": handle, "format": "0", "resource": "0"},
    )


def test_the_admin_import_stores_no_refused_upload_and_deletes_a_confirmed_one(
    client, settings, tmp_path
):
    from impor.readers import MAX_UPLOAD_BYTES
    from tests.impor_files import NILAI, xlsx

    settings.MEDIA_ROOT = media = tmp_path / "media"
    media.mkdir()
    client.force_login(make_user("admin.uji", Role.ADMIN))
    too_large = b"PK\x03\x04" + b"\0" * MAX_UPLOAD_BYTES

    response = admin_upload(client, too_large)
    assert "Berkas terlalu besar (maksimum 30 MB)." in response.content.decode()
    response = admin_upload(client, b"%PDF-1.4 not a workbook")
    assert response.context["result"].impor.refused
    response = admin_upload(client, xlsx([NILAI, ["19.99", 2025, "APE-KOM-01", 3, ""]]))
    assert response.context["result"].impor.plan.errors
    assert stored_uploads(media) == []

    response = admin_upload(client, xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 3, ""]]))
    assert len(stored_uploads(media)) == 1  # held for the confirm, this session only
    form = response.context["confirm_form"].initial
    assert client.post(reverse("admin:impor_nilaiproxy_process_import"), form).status_code == 302
    assert stored_uploads(media) == []
