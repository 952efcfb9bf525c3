"""Issue #15 in a real browser: every page of the URLconf that a demo role can open, at a phone
width (390 px, and narrowed to 360 px on the same loaded page) and a desktop width (1366 px),
fits the screen (no sideways scroll of the page),
is Indonesian (no English error page), shows no "---------" and no year with a thousands
separator; the one-pager prints on one A4 sheet for every region; axe-core finds no serious or
critical problem on the main pages. Screenshots (JPEG) go to ``artifacts/screenshots/layout/``:
every page whole at phone width for the data-entry roles (``SHOT_ROLES``), and each page of any
role at any width where a problem was found.

The data and sessions are prepared before the browser starts (no ORM call inside
``sync_playwright()``). The pages only read: the tests share one committed demo site
(``demo_site``, tests/acceptance/conftest.py) instead of a transactional database each.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from impor.models import ImportJob
from regions.models import Region
from sinergitas.models import Meeting
from tests.acceptance.conftest import launch_chromium, session_cookie

pytestmark = [
    pytest.mark.browser,
]


ROLES = {  # role user (ROLE_USERS of tests/conftest.py) → its own region
    "admin_user": "19.01",
    "verifikator": "19.01",
    "pimpinan": "19.01",
    "koordinator_bangka": "19.01",
    "koordinator_belitung": "19.02",
    "operator_dinkes_bangka": "19.01",
}
WIDTHS = (390, 1366)
# Every page is photographed whole at phone width for the roles that enter data on phones; any
# page of any role where a problem was found, at that width (a screenshot costs ~0.1 s).
SHOT_ROLES = ("koordinator_bangka", "operator_dinkes_bangka")
NARROW = 360  # the smallest phones in use: checked for sideways scroll only, on the 390 pass

# Every named page of the URLconf a person opens with GET, as a path for one role
# ({own}: their region, {meeting}: a meeting they see).
PAGES = {
    "dashboard:home": "/?tahun=2025",
    "akuntabilitas:tugas": "/tugas/",
    "dashboard:region": "/wilayah/{own}/?tahun=2025",
    "dashboard:region_print": "/wilayah/{own}/cetak/?tahun=2025",
    "dashboard:public": "/publik/",
    "dashboard:metode": "/metode/",
    "dashboard:ape": "/ape/?tahun=2025",
    "dashboard:kla": "/kla/?tahun=2025",
    "dashboard:kampung_kb": "/kampung-kb/?tahun=2025&wilayah={own}",
    "penilaian:assessment_list": "/penilaian/",
    "penilaian:notification_list": "/penilaian/notifikasi/",
    "penilaian:owner_list": "/penilaian/pengampu/{own}/",
    "penilaian:assessment_detail": "/penilaian/kla/{own}/2025/",
    "penilaian:assessment_return": "/penilaian/ape/{own}/2025/kembalikan/",
    "kampung_kb:assessment_detail": "/penilaian/kampung_kb/{own}/2025/",
    "kampung_kb:assessment_return": "/penilaian/kampung_kb/{own}/2025/kembalikan/",
    "regions:profile": "/akun/profil/",
    "sinergitas:list": "/sinergitas/",
    "sinergitas:calendar": "/sinergitas/kalender/",
    "sinergitas:create": "/sinergitas/baru/",
    "sinergitas:detail": "/sinergitas/{meeting}/",
    "sinergitas:edit": "/sinergitas/{meeting}/ubah/",
    "sinergitas:followup_create": "/sinergitas/{meeting}/tindak-lanjut/",
    "impor:index": "/impor/",
    "impor:upload": "/impor/nilai/",
    "impor:jobs": "/impor/proses/",  # the admin's list; 404 for the others
    "impor:job": "/impor/proses/{job}/",  # a finished preview of the role's region
    "api:token": "/api/token/",
    "api:docs": "/api/docs/",
    "password_change": "/accounts/password_change/",
    "password_change_done": "/accounts/password_change/done/",
    "password_reset": "/accounts/password_reset/",
    "password_reset_done": "/accounts/password_reset/done/",
    "password_reset_confirm": "/accounts/reset/x/invalid-token/",
    "password_reset_complete": "/accounts/reset/done/",
    "login": "/accounts/login/",
    "akuntabilitas:region_opd": "/wilayah/{own}/opd/",
    "akuntabilitas:province_opd": "/opd/",
    "akuntabilitas:calendar": "/kalender/?tahun=2026",
    "akuntabilitas:sent_reminders": "/kalender/pengingat/",
    "not-found": "/wilayah/{other}/",  # another region: the Indonesian 404 for a koordinator
}
# Named URLs that are not pages: actions (POST), downloads, JSON, redirects.
NOT_PAGES = {
    "healthz", "api:unknown", "logout", "set_language", "penilaian:notification_open",
    "penilaian:document_download", "sinergitas:export", "sinergitas:document",
    "sinergitas:document_upload", "sinergitas:document_remove", "sinergitas:evidence_link",
    "sinergitas:evidence_unlink", "sinergitas:followup_edit", "impor:errors", "impor:confirm",
    "impor:job_confirm", "impor:job_retry",
    "impor:template", "impor:export", "dashboard:export_recap", "dashboard:export_ape",
    "dashboard:export_kla", "dashboard:export_kampung_kb", "penilaian:assessment_start",
    "kampung_kb:assessment_start",
}  # fmt: skip
NOT_PAGE_PREFIXES = ("api:schema", "api:me", "api:region_list", "api:indicator_list",
                     "api:readiness_list", "api:assessment_detail", "api:award_list",
                     "api:meeting_list", "api:meeting_detail", "api:calendar", "api:region_opd",
                     "api:return_category_list", "api:return_reason_list")  # fmt: skip
ACTION_SUFFIXES = ("evidence_upload", "evidence_unlink", "assessment_submit",
                   "assessment_verify", "assessment_unlock")  # fmt: skip
GROUPED_YEAR = re.compile(r"(?<![\d.,])20[1-3]\d(?=\d)|(?<![\d.,])2\.0[1-3]\d(?![\d.,])")
ENGLISH_ERRORS = ("Not Found", "Forbidden", "Server Error", "Bad Request", "CSRF verification")


def url_names() -> set[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) == "admin/":
                    continue
                inner = pattern.namespace or ""
                yield from walk(
                    pattern.url_patterns, f"{namespace}{inner}:" if inner else namespace
                )
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    return set(walk(get_resolver().url_patterns))


def test_the_walk_covers_every_page_of_the_urlconf():
    pages = {name for name in url_names() if name not in NOT_PAGES}
    pages = {n for n in pages if n not in NOT_PAGE_PREFIXES and not n.endswith(ACTION_SUFFIXES)}
    assert pages <= set(PAGES), f"pages missing from the walk: {sorted(pages - set(PAGES))}"


def sideways(page) -> list[str]:
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return [f"scrolls sideways: {scroll} > {inner} px"] if scroll > inner else []


def page_problems(page, width: int) -> list[str]:
    problems = sideways(page)
    # Swagger UI (/api/docs/) is a third-party developer tool in English and says so (lang="en")
    if page.evaluate("document.documentElement.lang") != "id" and "/api/docs/" not in page.url:
        problems.append("not lang=id")
    text = page.evaluate("document.body.innerText")
    options = page.evaluate("[...document.querySelectorAll('option')].map(o => o.text).join('|')")
    if "---------" in text or "---------" in options:
        problems.append('shows "---------"')
    title = page.title()
    if GROUPED_YEAR.search(title) or GROUPED_YEAR.search(text):
        problems.append(f"a grouped year: {(GROUPED_YEAR.search(title + ' ' + text))[0]!r}")
    problems += [f"English error text {e!r}" for e in ENGLISH_ERRORS if e in text]
    return problems


def preview_job(user, region_code: str) -> ImportJob:
    """A finished preview job with a long file name, a change and an error, in ``region_code``."""
    return ImportJob.objects.create(
        resource="nilai",
        user=user,
        region=Region.objects.get(code=region_code),
        file_name="nilai_kabupaten_bangka_2025_lengkap_dengan_catatan_final_revisi.xlsx",
        sha256="0" * 64,
        size=1,
        token="0" * 32,
        state=ImportJob.State.SELESAI,
        rows_total=20000,
        rows_checked=20000,
        summary={
            "total": 20000, "new": 19999, "changed": 0, "unchanged": 0, "invalid": 1,
            "error_total": 1, "can_apply": False,
            "errors": [[3, "nilai", "Nilai 1 tidak ada dalam pilihan (0, 2, 4, 5)."]],
            "preview": [[2, "new", f"{region_code} / 2025 / APE-KOM-01", "", "3"]],
        },
    )  # fmt: skip


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_phone_and_desktop_and_reads_indonesian(
    demo_site, screenshot_dir, request, role
):
    from playwright.sync_api import sync_playwright

    user = demo_site.users[role]
    cookie = session_cookie(user, demo_site)
    own = ROLES[role]
    other = "19.02" if own == "19.01" else "19.01"
    meeting = Meeting.objects.filter(regions__code=own).order_by("pk").first()
    assert meeting is not None
    job = preview_job(user, own)
    request.addfinalizer(job.delete)  # the demo site is shared: leave it as it was
    paths = {
        name: path.format(own=own, other=other, meeting=meeting.pk, job=job.pk)
        for name, path in PAGES.items()
    }
    folder = screenshot_dir / "layout"
    folder.mkdir(exist_ok=True)
    problems: dict[str, list[str]] = {}

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        phone, desktop = WIDTHS
        context = browser.new_context(viewport={"width": phone, "height": 900}, locale="id-ID")
        context.add_cookies([cookie])
        page = context.new_page()
        for name, path in paths.items():
            # one load per page, then relayouts at the other widths (no new request): the
            # page's CSS answers a resize exactly as it answers a load at that width
            page.set_viewport_size({"width": phone, "height": 900})
            response = page.goto(demo_site.url + path)
            assert response is not None and response.status < 500, (path, response)
            for width in (phone, NARROW, desktop):
                if width != phone:
                    page.set_viewport_size({"width": width, "height": 900})
                found = sideways(page) if width == NARROW else page_problems(page, width)
                if found:
                    problems[f"{width} {path}"] = found
                if found or (width == phone and role in SHOT_ROLES):
                    # JPEG: half the time of a PNG in chromium
                    shot = f"{role}-{width}-{name.replace(':', '-')}.jpg"
                    page.screenshot(path=folder / shot, full_page=width == phone, quality=80)
        context.close()
        browser.close()

    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_the_one_pager_prints_on_one_a4_sheet_for_every_region(demo_site, screenshot_dir):
    from playwright.sync_api import sync_playwright

    cookie = session_cookie(demo_site.users["verifikator"], demo_site)
    codes = list(Region.objects.exclude(kind="provinsi").values_list("code", flat=True))
    assert len(codes) == 7
    pages: dict[str, int] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(locale="id-ID")
        context.add_cookies([cookie])
        page = context.new_page()
        for code in codes:
            for year in (2024, 2025):
                response = page.goto(f"{demo_site.url}/wilayah/{code}/cetak/?tahun={year}")
                assert response.status == 200
                # headed tables, nothing cut short
                assert page.locator(".onepager table:not(:has(thead))").count() == 0
                assert "…" not in page.evaluate("document.querySelector('.onepager').innerText")
                pdf = page.pdf(format="A4", print_background=True)
                pages[f"{code} {year}"] = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        page.emulate_media(media="print")
        page.screenshot(path=screenshot_dir / "onepager-19.71-print.png", full_page=True)
        browser.close()

    assert pages == dict.fromkeys(pages, 1)


AXE_PAGES = {
    "dashboard": "/?tahun=2025",
    "region": "/wilayah/19.01/?tahun=2025",
    "entry-form": "/penilaian/kla/19.01/2025/",
    "public": "/publik/",
    "import": "/impor/",
    "meetings": "/sinergitas/",
}


def test_axe_finds_no_serious_or_critical_problem(demo_site):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    cookie = session_cookie(demo_site.users["admin_user"], demo_site)
    axe = Axe()  # the axe.min.js bundled in the package, injected by evaluate (no CDN)
    assert "cdn" not in axe.axe_script[:2000].lower() or "axe" in axe.axe_script[:200]
    found: dict[str, list[str]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="id-ID")
            context.add_cookies([cookie])
            page = context.new_page()
            for name, path in AXE_PAGES.items():
                page.goto(demo_site.url + path)
                results = axe.run(page)
                bad = [
                    f"{v['id']} ({v['impact']}): {len(v['nodes'])}× e.g. {v['nodes'][0]['target']}"
                    for v in results.response["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
                if bad:
                    found[f"{width} {name}"] = bad
            context.close()
        browser.close()
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
