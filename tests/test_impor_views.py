"""The import pages (/impor/) and the admin's import/export flow: permissions, preview before
confirm, error files, templates, exports, and constant query counts."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from impor.models import ImportRecord
from penilaian.models import Answer
from regions.models import Region, Role
from tests.conftest import make_user
from tests.impor_files import (  # noqa: F401 (fixtures)
    NILAI,
    apply,
    bahasa,
    impor_media,
    snapshot,
    xlsx,
)

pytestmark = pytest.mark.django_db

ROWS = [["19.01", 2025, "APE-KOM-01", 3, "catatan"], ["19.01", 2025, "APE-KOM-03", "ya", ""]]


def upload_file(rows=ROWS, name="nilai.xlsx") -> io.BytesIO:
    handle = io.BytesIO(xlsx([NILAI, *rows]))
    handle.name = name
    return handle


def token_of(response) -> str:
    return re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode()).group(1)


# --- /impor/ pages ---


def test_the_import_pages_need_a_login(client):
    response = client.get(reverse("impor:upload", args=["nilai"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_upload_shows_a_preview_and_confirm_writes(client, admin_user):
    client.force_login(admin_user)
    before = snapshot()
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pratinjau" in html and "Konfirmasi impor" in html
    assert snapshot() == before  # the preview writes nothing
    response = client.post(reverse("impor:confirm", args=["nilai"]), {"token": token_of(response)})
    assert response.status_code == 302
    assert Answer.objects.count() == 2
    assert ImportRecord.objects.get().file_name == "nilai.xlsx"
    page = client.get(response.url)
    assert "Impor tersimpan: 2 baris baru, 0 diubah, 0 tidak berubah." in page.content.decode()


def test_a_confirm_token_works_once_and_only_in_its_own_session(client, admin_user):
    client.force_login(admin_user)
    token = token_of(client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()}))
    other = make_user("admin.lain", Role.ADMIN)
    from django.test import Client

    intruder = Client()
    intruder.force_login(other)
    before = snapshot()
    response = intruder.post(reverse("impor:confirm", args=["nilai"]), {"token": token})
    assert response.status_code == 302
    assert snapshot() == before
    client.post(reverse("impor:confirm", args=["nilai"]), {"token": token})
    after = snapshot()
    response = client.post(reverse("impor:confirm", args=["nilai"]), {"token": token}, follow=True)
    assert "Pratinjau ini sudah kedaluwarsa" in response.content.decode()
    assert snapshot() == after


def test_an_invalid_file_shows_every_error_offers_the_error_file_and_no_confirm(client, admin_user):
    client.force_login(admin_user)
    rows = [ROWS[0], ["19.99", 2025, "APE-KOM-01", 9, ""]]
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file(rows)})
    html = response.content.decode()
    assert "Kode wilayah 19.99 tidak dikenal." in html
    assert "Nilai 9 tidak ada dalam pilihan (0, 1, 3, 4, 5)." in html
    assert "Konfirmasi impor" not in html
    link = re.search(r'href="(/impor/kesalahan/[0-9a-f]{32}/)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(download.content)).get_sheet_by_name("nilai")
    assert rows.to_python()[1][0] == "19.99"
    other = make_user("admin.lain", Role.ADMIN)
    client.force_login(other)
    assert client.get(link).status_code == 404


def test_a_hostile_file_is_refused_on_the_page_and_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    handle = io.BytesIO(b"%PDF-1.4 bukan excel")
    handle.name = "nilai.xlsx"
    before = snapshot()
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": handle})
    html = response.content.decode()
    assert "Berkas ditolak; tidak ada data yang diubah." in html
    assert "Ini berkas PDF, bukan buku kerja Excel (.xlsx)." in html
    assert snapshot() == before


def test_the_same_file_again_says_there_is_nothing_to_change(client, admin_user):
    apply(admin_user, xlsx([NILAI, *ROWS]))
    client.force_login(admin_user)
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()})
    html = response.content.decode()
    assert "Tidak ada perubahan" in html
    assert "Konfirmasi impor" not in html


def test_koordinator_belitung_cannot_import_bangka_rows_from_the_page(client, koordinator_belitung):
    client.force_login(koordinator_belitung)
    before = snapshot()
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()})
    html = response.content.decode()
    assert "19.01 bukan wilayah Anda" in html
    assert "Konfirmasi impor" not in html
    response = client.post(reverse("impor:confirm", args=["nilai"]), {"token": "0" * 32})
    assert response.status_code == 302
    assert snapshot() == before


def test_koordinator_bangka_imports_their_own_rows_from_the_page(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    response = client.post(reverse("impor:upload", args=["nilai"]), {"file": upload_file()})
    client.post(reverse("impor:confirm", args=["nilai"]), {"token": token_of(response)})
    record = ImportRecord.objects.get()
    assert (record.user, record.region.code, record.rows_new) == (koordinator_bangka, "19.01", 2)


@pytest.mark.parametrize(
    ("who", "resource"),
    [
        ("operator_dinkes_bangka", "nilai"),
        ("verifikator", "nilai"),
        ("pimpinan", "nilai"),
        ("unassigned_user", "nilai"),
        ("koordinator_bangka", "kampung_kb"),
        ("koordinator_bangka", "desa"),
    ],
)
def test_who_may_not_import_gets_403_and_nothing_changes(client, request, who, resource):
    client.force_login(request.getfixturevalue(who))
    before = snapshot()
    assert client.get(reverse("impor:upload", args=[resource])).status_code == 403
    response = client.post(reverse("impor:upload", args=[resource]), {"file": upload_file()})
    assert response.status_code == 403
    assert (
        client.post(reverse("impor:confirm", args=[resource]), {"token": "0" * 32}).status_code
        == 403
    )
    assert client.get(reverse("impor:template", args=[resource])).status_code == 403
    assert snapshot() == before


def test_an_unknown_resource_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/impor/rahasia/").status_code == 404


def test_exports_from_the_page_hold_only_the_users_region(
    client, admin_user, koordinator_bangka, koordinator_belitung
):
    apply(admin_user, xlsx([NILAI, *ROWS, ["19.02", 2025, "APE-KOM-01", 1, ""]]))
    client.force_login(koordinator_bangka)
    response = client.get(reverse("impor:export", args=["nilai"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("nilai")
    assert {row[0] for row in rows.to_python()[1:]} == {"19.01"}
    client.force_login(koordinator_belitung)
    rows = CalamineWorkbook.from_filelike(
        io.BytesIO(client.get(reverse("impor:export", args=["nilai"])).content)
    ).get_sheet_by_name("nilai")
    assert {row[0] for row in rows.to_python()[1:]} == {"19.02"}


def test_an_account_without_a_role_exports_nothing(client, unassigned_user):
    client.force_login(unassigned_user)
    assert client.get(reverse("impor:export", args=["nilai"])).status_code == 403


def test_the_blank_template_has_headers_codes_and_dropdowns(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    response = client.get(reverse("impor:template", args=["nilai"]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["nilai", "kode"]
    data = workbook["nilai"]
    assert [c.value for c in data[1]] == NILAI
    assert data.max_row == 1
    kode = workbook["kode"]
    assert [c.value for c in kode["A"] if c.value] == ["kode_wilayah", "19.01"]  # own region only
    codes = [c.value for c in kode["D"] if c.value]
    assert "APE-KOM-01" in codes and "KLA-KL-01" in codes
    ladder = kode.cell(row=codes.index("APE-KOM-01") + 1, column=7).value
    assert ladder.startswith("0 = Belum ada; 1 = Rancangan disusun; 3 = ")
    formulas = {str(v.sqref): v.formula1 for v in data.data_validations.dataValidation}
    assert formulas["A2:A200001"].startswith("=kode!$A$2")
    assert formulas["C2:C200001"].startswith("=kode!$D$2")


def test_the_kampung_kb_template_has_yes_no_and_level_dropdowns(client, admin_user):
    client.force_login(admin_user)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("impor:template", args=["kampung_kb"])).content)
    )
    validations = {
        str(v.sqref): v.formula1 for v in workbook["kampung_kb"].data_validations.dataValidation
    }
    assert validations["C2:C200001"] == '"ya,tidak"'
    assert validations["F2:F200001"].startswith("=kode!$D$2")
    levels = [c.value for c in workbook["kode"]["D"] if c.value]
    assert levels == ["industri_rumahan", "tidak_ada", "pemula", "berkembang", "maju"]


def test_a_blank_template_filled_in_imports(client, admin_user):
    client.force_login(admin_user)
    template = client.get(reverse("impor:template", args=["nilai"])).content
    workbook = load_workbook(io.BytesIO(template))
    workbook["nilai"].append(["19.03", 2025, "APE-KOM-01", 1, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    outcome = apply(admin_user, buffer.getvalue())
    assert outcome.record is not None and outcome.plan.new == 1


def test_the_index_reads_with_a_constant_number_of_queries(
    client, admin_user, django_assert_num_queries
):
    client.force_login(admin_user)

    def record(name):
        ImportRecord.objects.create(
            user=admin_user,
            resource="nilai",
            file_name=name,
            sha256="0" * 64,
            size=1,
            region=Region.objects.get(code="19.01"),
            rows_total=1,
            rows_new=1,
            rows_changed=0,
            rows_unchanged=0,
        )

    record("a.xlsx")
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("impor:index")).status_code == 200
    record("b.xlsx")
    record("c.xlsx")
    with django_assert_num_queries(len(one)):
        response = client.get(reverse("impor:index"))
    assert response.content.decode().count('<td title="SHA-256') == 3


def test_the_index_shows_a_koordinator_only_the_nilai_import(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    html = client.get(reverse("impor:index")).content.decode()
    assert reverse("impor:upload", args=["nilai"]) in html
    assert f'href="{reverse("impor:upload", args=["desa"])}"' not in html
    assert f'href="{reverse("impor:export", args=["desa"])}"' in html


# --- the admin's django-import-export flow ---


def test_the_admin_flow_previews_then_confirms(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:impor_nilaiproxy_import")
    assert client.get(url).status_code == 200
    before = snapshot()
    response = client.post(url, {"import_file": upload_file(), "format": "0", "resource": "0"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pratinjau" in html and "Konfirmasi impor" in html
    assert snapshot() == before
    form = response.context["confirm_form"]
    response = client.post(reverse("admin:impor_nilaiproxy_process_import"), form.initial)
    assert response.status_code == 302
    assert Answer.objects.count() == 2
    record = ImportRecord.objects.get()
    assert (record.user, record.rows_new) == (admin_user, 2)


def test_the_admin_flow_refuses_a_bad_file_and_lists_its_errors(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:impor_nilaiproxy_import")
    before = snapshot()
    rows = [ROWS[0], ROWS[0]]
    response = client.post(url, {"import_file": upload_file(rows), "format": "0", "resource": "0"})
    html = response.content.decode()
    assert "muncul dua kali dalam berkas: baris 2 dan 3" in html
    assert "Konfirmasi impor" not in html
    link = re.search(r'href="(/impor/kesalahan/[0-9a-f]{32}/)"', html).group(1)
    assert client.get(link).status_code == 200
    handle = io.BytesIO(b"")
    handle.name = "kosong.xlsx"
    response = client.post(
        url, {"import_file": upload_file(rows=[]), "format": "0", "resource": "0"}
    )
    assert "Lembar hanya berisi nama kolom, tanpa baris data." in response.content.decode()
    assert snapshot() == before


def test_a_staff_koordinator_cannot_use_the_admin_import(client):
    user = make_user("staf.koordinator", Role.KOORDINATOR, "19.02")
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_nilaiproxy", "view_nilaiproxy"])
    )
    client.force_login(user)
    before = snapshot()
    assert client.get(reverse("admin:impor_nilaiproxy_import")).status_code == 403
    response = client.post(
        reverse("admin:impor_nilaiproxy_import"),
        {"import_file": upload_file(), "format": "0", "resource": "0"},
    )
    assert response.status_code == 403
    assert snapshot() == before
    # Nor its list or export: only the provincial admin role enters the admin.
    apply(make_user("admin.x", Role.ADMIN), xlsx([NILAI, *ROWS]))
    assert client.get(reverse("admin:impor_nilaiproxy_changelist")).status_code == 403
    assert client.get(reverse("admin:impor_nilaiproxy_export")).status_code == 403


def test_the_admin_export_is_an_xlsx_in_the_import_columns(client, admin_user):
    apply(admin_user, xlsx([NILAI, *ROWS]))
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:impor_nilaiproxy_export"), {"format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("nilai")
    assert rows.to_python() == [
        NILAI,
        ["19.01", 2025.0, "APE-KOM-01", 3.0, "catatan"],
        ["19.01", 2025.0, "APE-KOM-03", 1.0, ""],
    ]


def test_the_admin_list_reads_with_a_constant_number_of_queries(
    client, admin_user, django_assert_num_queries
):
    client.force_login(admin_user)
    apply(admin_user, xlsx([NILAI, ROWS[0]]))
    url = reverse("admin:impor_nilaiproxy_changelist")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    apply(admin_user, xlsx([NILAI, *ROWS, ["19.02", 2024, "KLA-KL-01", 15, ""]]))
    with django_assert_num_queries(len(one)):
        response = client.get(url)
    assert response.context["cl"].result_count == 3
