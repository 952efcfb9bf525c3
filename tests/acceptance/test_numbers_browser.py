"""Issue #14 in a real browser: the koordinator starts 2026 explicitly, submits with missing
items (sees the list, must confirm with a reason), the verifikator sees completeness and each
indicator's evidence before verifying, and the public page marks the result incomplete."""

import pytest
from playwright.sync_api import sync_playwright

from penilaian.models import Assessment, Program, WorkflowEvent
from tests.acceptance.conftest import launch_chromium
from tests.acceptance.test_workflow_browser import Officer
from tests.test_dashboard_builders import fill

PATH = "/penilaian/kla/19.01/2026/"
REASON = "Data Dinas Sosial menyusul; diajukan agar jadwal provinsi terpenuhi."


@pytest.fixture(autouse=True)
def plain_http_cookies(settings, tmp_path):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_start_submit_incomplete_verify_and_the_public_mark_in_a_browser(
    live_server, koordinator_bangka, verifikator, screenshot_dir
):
    fill("19.01", Program.KLA, 2025, 0.6, Assessment.Status.VERIFIED)  # carried into 2026
    names = (koordinator_bangka.username, verifikator.username)
    seen: dict[str, object] = {}

    # No ORM call inside this block (see launch_chromium).
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        koordinator = Officer(browser, live_server.url, names[0], screenshot_dir, "koordinator")
        reviewer = Officer(browser, live_server.url, names[1], screenshot_dir, "verifikator")

        # 1. Opening 2026 starts nothing; the koordinator starts it with the button.
        page = koordinator.open(PATH)
        seen["not_started"] = page.inner_text("#belum-dimulai")
        koordinator.shot("numbers-1-not-started")
        page.click("#btn-start")
        page.wait_for_load_state()
        seen["started_status"] = page.inner_text("#status")

        # 2. Submitting with missing items shows the list and needs a reason.
        page.click("#btn-submit")
        page.wait_for_load_state()
        seen["missing"] = page.inner_text("#missing")
        seen["error"] = page.locator("#decide-error").count()
        koordinator.shot("numbers-2-missing")
        page.click("#btn-confirm")  # without a reason: the browser refuses (required field)
        seen["still_here"] = page.locator("#confirm-reason").count()
        page.fill("#confirm-reason", REASON)
        page.click("#btn-confirm")
        page.wait_for_load_state()
        seen["submitted_status"] = page.inner_text("#status")

        # 3. The verifikator sees completeness and every indicator's evidence, then verifies.
        page = reviewer.open(PATH)
        page.click("#btn-verify")
        page.wait_for_load_state()
        seen["completeness"] = page.inner_text("#completeness-line")
        seen["evidence_rows"] = page.locator("#bukti-per-indikator tbody tr").count()
        reviewer.shot("numbers-3-check")
        page.fill("#confirm-reason", "Diverifikasi dengan catatan: bukti menyusul.")
        page.click("#btn-confirm")
        page.wait_for_load_state()
        seen["verified_status"] = page.inner_text("#status")

        # 4. The public page (anyone) shows the result, marked incomplete, with its date.
        public = browser.new_context(base_url=live_server.url, locale="id-ID").new_page()
        public.goto("/publik/")
        row = public.locator("#r-19\\.01")
        seen["public_row"] = row.inner_text()
        seen["public_flag"] = row.locator(".flag.incomplete").count()
        public.screenshot(path=str(screenshot_dir / "numbers-4-public.png"), full_page=True)
        # 5. The KLA predicate rests on provisional rules: its mark links to that rule on /metode/.
        seen["prov_href"] = row.locator("a.prov-mark").first.get_attribute("href")
        public.goto(seen["prov_href"])
        anchor = seen["prov_href"].split("#", 1)[1]
        seen["rule_found"] = public.locator(f"[id='{anchor}']").count()
        browser.close()

    assert "Belum dimulai" in seen["not_started"] or "belum dimulai" in seen["not_started"]
    assert seen["started_status"] == "Draf"
    assert "KLA-" in seen["missing"] and seen["error"] == 1
    assert seen["still_here"] == 1
    assert seen["submitted_status"] == "Diajukan"
    assert "dari 31 indikator terisi" in seen["completeness"]
    assert seen["evidence_rows"] == 31
    assert seen["verified_status"] == "Terverifikasi"
    assert seen["public_flag"] == 1 and "belum lengkap" in seen["public_row"]
    assert "terverifikasi" in seen["public_row"]
    assert seen["prov_href"].startswith("/metode/#") and seen["rule_found"] == 1
    started = Assessment.objects.get(edition__year=2026, region__code="19.01")
    assert started.status == Assessment.Status.VERIFIED
    assert REASON in WorkflowEvent.objects.get(assessment=started, action="submit").reason
    assert started.answers.filter(carried_over=True).exists()
