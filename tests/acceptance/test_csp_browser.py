"""The Content-Security-Policy in a real browser: the main pages work under it and the console
reports no violation (an inline script, style or handler would be blocked and logged).

Data and sessions are prepared before the browser starts (no ORM call inside
``sync_playwright()``); the pages only read, so the tests share one committed demo site
(``demo_site``). Skipped only without chromium on a developer machine (conftest.py).
"""

from __future__ import annotations

import pytest

from regions.models import Assignment
from sinergitas.models import Meeting
from tests.acceptance.conftest import launch_chromium, session_cookie

pytestmark = [
    pytest.mark.browser,
]

# Pages a logged-in admin opens; each with a selector that shows the page really rendered.
PAGES = [
    ("/?tahun=2025", "svg.map polygon"),
    ("/ape/?tahun=2025", "main table"),
    ("/kla/?tahun=2025", "main table"),
    ("/kampung-kb/?tahun=2025", "main table"),
    ("/wilayah/19.01/?tahun=2025", "#gap-kla-h"),
    ("/wilayah/19.01/cetak/?tahun=2025", "main"),
    ("/publik/", "table.public"),
    ("/metode/", "main"),
    ("/penilaian/", "main table"),
    ("/penilaian/ape/19.01/2025/", "main form"),
    ("/penilaian/kla/19.01/2025/", "main form"),
    ("/penilaian/kampung_kb/19.01/2025/", "main"),
    ("/sinergitas/", "main"),
    ("/sinergitas/baru/", "main form"),
    ("/sinergitas/kalender/", "main"),
    ("/impor/", "main"),
    ("/akun/profil/", "main form"),
    ("/api/token/", "main"),
    ("/admin/", "#content"),
    ("/admin/regions/assignment/", "#changelist"),
    ("/admin/auth/user/add/", "form"),
    ("/accounts/password_reset/", "main"),
    ("/accounts/login/", "main form"),
]

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile
                    + ":" + e.lineNumber);
});
"""


class Watcher:
    """Console messages about the policy, uncaught errors, and violation events of a page."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(f"{self.page.url}: {text}")

    def violations(self) -> list[str]:
        return self.console + [f"{self.page.url}: {v}" for v in self.page.evaluate("window.__csp")]


def test_the_policy_is_enforced_in_the_browser(demo_site):
    """The watcher sees a violation when there is one: an inline script is blocked and logged."""
    from playwright.sync_api import sync_playwright

    cookie = session_cookie(demo_site.users["admin_user"], demo_site)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        context.add_cookies([cookie])
        page = context.new_page()
        watcher = Watcher(page)
        page.goto(f"{demo_site.url}/publik/")
        page.evaluate(
            """() => { const s = document.createElement('script');
                       s.textContent = 'window.__ran = true'; document.body.appendChild(s);
                       const p = document.createElement('p');
                       p.innerHTML = '<b style="color:red">x</b>';
                       document.body.appendChild(p); }"""
        )
        page.wait_for_timeout(200)
        assert page.evaluate("window.__ran") is None  # blocked
        assert watcher.violations()
        browser.close()


def test_main_pages_work_under_the_policy_without_violations(demo_site, screenshot_dir):
    from playwright.sync_api import sync_playwright

    meeting = Meeting.objects.order_by("pk").first()
    assignment = Assignment.objects.order_by("pk").first()
    pages = [
        *PAGES,
        (f"/sinergitas/{meeting.pk}/", "main"),
        (f"/sinergitas/{meeting.pk}/ubah/", "main form"),
        (f"/admin/regions/assignment/{assignment.pk}/change/", "form"),
        (f"/admin/regions/assignment/{assignment.pk}/history/", "#content"),
    ]
    cookie = session_cookie(demo_site.users["admin_user"], demo_site)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        context.add_cookies([cookie])
        page = context.new_page()
        watcher = Watcher(page)
        found: list[str] = []
        for path, selector in pages:
            response = page.goto(f"{demo_site.url}{path}")
            assert response.status == 200, path
            assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
            page.locator(selector).first.wait_for(state="attached")
            page.wait_for_load_state("load")
            found += watcher.violations()
            watcher.console.clear()

        # The dashboard's stylesheet applies (static CSS, not inline).
        page.goto(f"{demo_site.url}/?tahun=2025")
        assert page.evaluate("getComputedStyle(document.querySelector('.mark')).borderRadius") == (
            "3px"
        )
        found += watcher.violations()
        assert found == [], "\n".join(found)
        assert watcher.errors == []
        browser.close()


def test_swagger_ui_renders_under_the_policy(demo_site, screenshot_dir):
    from playwright.sync_api import sync_playwright

    cookie = session_cookie(demo_site.users["admin_user"], demo_site)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.add_cookies([cookie])
        page = context.new_page()
        watcher = Watcher(page)
        response = page.goto(f"{demo_site.url}/api/docs/")
        assert response.status == 200
        # the schema was fetched and rendered: title and the operations of the API
        page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
        assert "babel_pug API" in page.locator(".swagger-ui .info .title").inner_text()
        page.locator(".opblock").first.wait_for(timeout=15_000)
        assert page.locator(".opblock").count() >= 8
        # "Try it out" on the region list: the request runs (connect-src 'self') and answers 200
        block = page.locator(".opblock", has=page.locator("[data-path='/api/v1/regions/']"))
        block.locator(".opblock-summary").click()
        block.locator("button.try-out__btn").click()
        block.locator("button.execute").click()
        status = block.locator(".live-responses-table tr.response .response-col_status").first
        status.wait_for(timeout=10_000)
        assert status.inner_text().strip().startswith("200")
        body = block.locator(".live-responses-table tr.response .response-col_description")
        assert "19.01" in body.inner_text()
        page.screenshot(path=screenshot_dir / "api-docs.png", full_page=False)
        assert watcher.violations() == []
        assert watcher.errors == []
        browser.close()
