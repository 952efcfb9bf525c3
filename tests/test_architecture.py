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


def module_graph(app: str) -> dict[str, set[str]]:
    """``{module: modules of the same app it imports}`` over ``app``'s Python files.

    Lazy imports inside functions count (they only hide a circle from Python, not from a reader);
    ``from app import x`` counts as importing ``app.x`` when that is a module; relative imports are
    resolved; the package itself (``app/__init__.py``) is no node; migrations are left out.
    """
    base = ROOT / app
    modules = {}
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join([*anchor, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets.add(source)
                targets |= {f"{source}.{alias.name}" for alias in node.names}
        graph[name] = {t for t in targets if t in modules and t not in (name, app)}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle as ``[a, b, …, a]``, or ``[]`` when the graph has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_the_circle_finder_sees_a_circle_through_a_lazy_import():
    graph = {"p.services": {"p.carry", "p.models"}, "p.carry": {"p.services"}, "p.models": set()}

    assert find_cycle(graph) == ["p.carry", "p.services", "p.carry"]
    assert find_cycle({"p.services": {"p.carry"}, "p.carry": {"p.hooks"}, "p.hooks": set()}) == []


def test_the_module_graph_resolves_from_app_import_module():
    graph = module_graph("penilaian")

    assert "penilaian.scoring" in graph["penilaian.services"]  # from penilaian import scoring
    assert "penilaian.carry" in graph["penilaian.services"]


# Circles that landed before this test and still wait for a fix (each must still be there:
# strict xfail, so removing the circle makes the test remind us to drop the entry).
KNOWN_CIRCLES: dict[str, str] = {}


@pytest.mark.parametrize(
    "app",
    [
        pytest.param(app, marks=pytest.mark.xfail(reason=KNOWN_CIRCLES[app], strict=True))
        if app in KNOWN_CIRCLES
        else app
        for app in sorted(set(FORBIDDEN) | TOP)
    ],
)
def test_the_modules_of_an_app_import_each_other_without_a_circle(app):
    assert find_cycle(module_graph(app)) == []


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
