"""The dependency rule of docs/architecture.md, checked on the source: arrows point down only.

``dashboard, api, impor, akuntabilitas → sinergitas, prasyarat, kla, kampung_kb → penilaian →
regions``, and a programme app never imports another. Every ``import`` in an app's Python
files counts, at module level or inside a function (a lazy import is still a dependency), and
so does ``importlib.import_module("…")`` with a literal name; migrations are left out.
"""

import ast
from pathlib import Path

import pytest
from django.urls import resolve, reverse

from penilaian.models import Assessment, Document
from tests.conftest import start

ROOT = Path(__file__).resolve().parent.parent
TOP = {"dashboard", "api", "impor", "akuntabilitas"}
FORBIDDEN = {
    "regions": {"penilaian", "prasyarat", "kla", "kampung_kb", "sinergitas"} | TOP,
    "penilaian": {"prasyarat", "kla", "kampung_kb", "sinergitas"} | TOP,
    "prasyarat": {"kla", "kampung_kb", "sinergitas"} | TOP,
    "kla": {"prasyarat", "kampung_kb", "sinergitas"} | TOP,
    "kampung_kb": {"prasyarat", "kla", "sinergitas"} | TOP,
    "sinergitas": {"prasyarat", "kla", "kampung_kb"} | TOP,
}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return found


def violations(app: str) -> list[str]:
    """``file:line imports module`` for each import of ``app`` that breaks the rule."""
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.relative_to(ROOT / app).parts:
            continue
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            if module.split(".")[0] in FORBIDDEN[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


def test_the_import_finder_sees_lazy_imports_inside_functions():
    source = (
        "import regions.models\n"
        "def page():\n"
        "    from kampung_kb import services\n"
        "    import kla.scoring as scoring\n"
        "    return importlib.import_module('prasyarat.scoring')\n"
    )

    assert [module for _line, module in imported_modules(source)] == [
        "regions.models",
        "kampung_kb",
        "kla.scoring",
        "prasyarat.scoring",
    ]


def test_relative_imports_stay_inside_the_app():
    assert imported_modules("from . import models\nfrom .scoring import score\n") == []


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_above_it_nor_another_programme(app):
    assert (ROOT / app / "__init__.py").exists()
    assert violations(app) == []


def test_the_kampung_kb_page_is_served_by_the_kampung_kb_app_at_the_shared_address():
    page = resolve("/penilaian/kampung_kb/19.01/2025/")
    action = resolve("/penilaian/kampung_kb/19.01/2025/ajukan/")
    kla = resolve("/penilaian/kla/19.01/2025/")

    assert (page.namespace, page.url_name) == ("kampung_kb", "assessment_detail")
    assert (action.namespace, action.url_name) == ("kampung_kb", "assessment_submit")
    assert (kla.namespace, kla.url_name) == ("penilaian", "assessment_detail")
    assert (
        reverse("penilaian:assessment_detail", args=["kampung_kb", "19.01", 2025])
        == reverse("kampung_kb:assessment_detail", args=["19.01", 2025])
        == "/penilaian/kampung_kb/19.01/2025/"
    )


KKB = "/penilaian/kampung_kb/19.01/2025/"


def templates_of(response) -> set[str]:
    return {template.name for template in response.templates}


@pytest.mark.django_db
def test_the_shared_actions_show_the_kampung_kb_page_when_they_refuse(
    client, koordinator_bangka, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(koordinator_bangka)
    start("kampung_kb", "19.01", 2025)

    no_file = client.post(KKB + "bukti/", {"title": "x", "indicators": ["KKB-AKTA"]})
    client.post(KKB + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})
    again = client.post(KKB + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})

    assert no_file.status_code == 400
    assert "kampung_kb/assessment_detail.html" in templates_of(no_file)
    assert no_file.context["upload_form"].errors
    assert again.status_code == 409
    assert "kampung_kb/assessment_detail.html" in templates_of(again)
    assert Document.objects.count() == 0
    assert Assessment.objects.get().status == "submitted"


@pytest.mark.django_db
def test_the_kampung_kb_actions_are_out_of_reach_of_another_region(
    client, koordinator_bangka, koordinator_belitung, verifikator
):
    client.force_login(koordinator_bangka)
    start("kampung_kb", "19.01", 2025)
    client.force_login(koordinator_belitung)

    refused = [client.post(KKB + action).status_code for action in ("ajukan/", "bukti/")]

    assert refused == [404, 404]
    assert Assessment.objects.get().status == "draft"
    client.force_login(verifikator)
    returning = client.get(KKB + "kembalikan/")
    assert returning.context["is_desa"] is True
    assert "19.01.03.2001" in {row["code"] for row in returning.context["rows"]}
