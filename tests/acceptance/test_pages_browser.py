"""The dashboard, a region page and the public page in a real browser, as each role.

Playwright's sync API drives Debian's chromium against the demo site's live server. Every page
is saved as a screenshot under ``artifacts/screenshots/`` (git-ignored; ``.ci/run`` prints the
path). Data and sessions are prepared before the browser starts: no ORM call runs inside the
``sync_playwright()`` block.
"""

from __future__ import annotations

import re

import pytest

from regions.models import Region
from tests.acceptance.conftest import launch_chromium, session_cookie

# Skipped only without chromium on a developer machine (tests/acceptance/conftest.py).
pytestmark = [
    pytest.mark.browser,
    # no database marker: the pages only read, and one committed demo site (demo_site in
    # tests/acceptance/conftest.py) serves every test of the process
]

# role user (ROLE_USERS of tests/conftest.py) → the region page that role opens (provincial
# roles open 19.01)
ROLES = {
    "admin_user": "19.01",
    "verifikator": "19.01",
    "pimpinan": "19.01",
    "koordinator_bangka": "19.01",
    "koordinator_belitung": "19.02",
    "operator_dinkes_bangka": "19.01",
}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_the_dashboard_and_a_region_page(demo_site, screenshot_dir, role):
    from playwright.sync_api import sync_playwright

    user = demo_site.users[role]
    cookie = session_cookie(user, demo_site)
    own = ROLES[role]
    expected_rows = 7 if role in ("admin_user", "verifikator", "pimpinan") else 1
    other = "19.02" if own == "19.01" else "19.01"

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        context.add_cookies([cookie])
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))

        response = page.goto(f"{demo_site.url}/?tahun=2025")
        assert response.status == 200
        assert page.locator("table.recap tbody tr").count() == expected_rows
        assert page.locator("svg.map polygon").count() == 7
        assert page.locator("svg.chart").count() == 2
        css = page.evaluate("getComputedStyle(document.querySelector('.mark')).borderRadius")
        assert css == "3px"  # the dashboard stylesheet was served and applied
        page.screenshot(path=screenshot_dir / f"{role}-dashboard.png", full_page=True)

        response = page.goto(f"{demo_site.url}/wilayah/{own}/?tahun=2025")
        assert response.status == 200
        assert page.locator("#gap-kla-h").is_visible()
        page.screenshot(path=screenshot_dir / f"{role}-region-{own}.png", full_page=True)

        response = page.goto(f"{demo_site.url}/wilayah/{other}/")
        assert response.status == (200 if expected_rows == 7 else 404)

        response = page.goto(f"{demo_site.url}/publik/")
        assert response.status == 200
        page.screenshot(path=screenshot_dir / f"{role}-public.png", full_page=True)

        assert errors == []
        browser.close()


def test_anonymous_visitors_see_the_public_page_on_a_phone(demo_site, screenshot_dir):
    from playwright.sync_api import sync_playwright

    verified_regions = Region.objects.filter(
        assessments__status="verified", assessments__edition__year=2024
    ).count()
    assert verified_regions  # the demo has verified results to show

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 390, "height": 844}, locale="id-ID")

        response = page.goto(f"{demo_site.url}/publik/?tahun=2024")
        assert response.status == 200
        assert page.locator("table.public tbody tr").count() == 7
        assert page.locator("td.kla-score").count() > 0
        # the page fits the phone: only the table scrolls sideways, inside its wrapper
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        page.screenshot(path=screenshot_dir / "anonymous-public-phone.png", full_page=True)

        response = page.goto(f"{demo_site.url}/")
        assert "/accounts/login/" in page.url
        browser.close()


def test_the_one_pager_prints_to_a4(demo_site, screenshot_dir):
    from playwright.sync_api import sync_playwright

    cookie = session_cookie(demo_site.users["admin_user"], demo_site)

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context()
        context.add_cookies([cookie])
        page = context.new_page()

        response = page.goto(f"{demo_site.url}/wilayah/19.04/cetak/?tahun=2025")
        assert response.status == 200
        page.emulate_media(media="print")
        assert page.locator("header.topbar").is_hidden()
        page.screenshot(path=screenshot_dir / "admin-onepager-print.png", full_page=True)
        pdf = page.pdf(prefer_css_page_size=True)
        browser.close()

    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one A4 sheet
