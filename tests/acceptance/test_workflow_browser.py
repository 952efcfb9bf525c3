"""The workflow as real users in a real browser: the operator fills a value and uploads a PDF,
the koordinator submits, the verifikator returns with a reason, the operator fixes it, the
koordinator resubmits, the verifikator verifies, and the page shows "terverifikasi" with the
frozen score."""

import re

import pytest
from playwright.sync_api import sync_playwright

from penilaian.models import Assessment, EvidenceLink, VerifiedSnapshot
from tests.acceptance.conftest import launch_chromium
from tests.conftest import start

PASSWORD = "Sandi-uji-2026!"  # tests/conftest.py
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PATH = "/penilaian/kla/19.01/2025/"


@pytest.fixture(autouse=True)
def plain_http_cookies(settings, tmp_path):
    """The live server speaks plain HTTP; uploads go to a temporary media root."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = tmp_path / "media"


def confirm(page) -> None:
    """On the check list (something is missing): give the reason and confirm."""
    if page.locator("#confirm-reason").count():
        page.fill("#confirm-reason", "Sebagian data OPD menyusul; diajukan sesuai jadwal.")
    page.click("#btn-confirm")
    page.wait_for_load_state()


class Officer:
    """One user's browser context, logged in through the login form."""

    def __init__(self, browser, base_url: str, username: str, shots, name: str):
        self.context = browser.new_context(
            base_url=base_url, locale="id-ID", viewport={"width": 412, "height": 915}
        )
        self.page = self.context.new_page()
        self.shots = shots
        self.name = name
        self.page.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{username} could not log in"

    def open(self, path: str = PATH):
        self.page.goto(path)
        return self.page

    def shot(self, step: str) -> None:
        self.page.screenshot(
            path=str(self.shots / f"workflow-{step}-{self.name}.png"), full_page=True
        )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_operator_koordinator_and_verifikator_walk_the_workflow_in_a_browser(
    live_server, operator_dinkes_bangka, koordinator_bangka, verifikator, screenshot_dir
):
    users = {
        "operator": operator_dinkes_bangka.username,
        "koordinator": koordinator_bangka.username,
        "verifikator": verifikator.username,
    }
    labels = {
        status: str(status.label)
        for status in (Assessment.Status.SUBMITTED, Assessment.Status.RETURNED)
    }
    seen: dict[str, object] = {}
    start("kla", "19.01", 2025)  # the koordinator's explicit start (opening a form starts none)

    # No ORM call inside this block (see launch_chromium); the database is checked afterwards.
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        operator, koordinator, reviewer = (
            Officer(browser, live_server.url, users[name], screenshot_dir, name)
            for name in ("operator", "koordinator", "verifikator")
        )

        # 1. The operator fills a value and a note, saves the draft, then uploads a PDF.
        page = operator.open()
        page.fill('[name="v_KLA-3-02"]', "20")
        page.fill('[name="n_KLA-3-02"]', "Data Dinkes 2024")
        page.click("#btn-save")
        page.wait_for_load_state()
        assert page.input_value('[name="v_KLA-3-02"]') == "20"
        page.set_input_files(
            "#id_file", files=[{"name": "ktr.pdf", "mimeType": "application/pdf", "buffer": PDF}]
        )
        page.fill("#id_title", "Perbup Kawasan Tanpa Rokok")
        page.check('input[name="indicators"][value="KLA-3-09"]')
        page.click("#btn-upload")
        page.wait_for_load_state()
        assert "Perbup Kawasan Tanpa Rokok" in page.inner_text("#ind-KLA-3-09")
        operator.shot("1-filled")

        # 2. The koordinator submits: indicators are still missing, so the list is shown and
        #    a reason confirms it.
        page = koordinator.open()
        page.click("#btn-submit")
        page.wait_for_load_state()
        confirm(page)
        assert page.inner_text("#status") == labels[Assessment.Status.SUBMITTED]
        koordinator.shot("2-submitted")

        # 3. The verifikator returns it with a reason on the operator's indicator.
        page = reviewer.open()
        page.click("#link-return")
        page.fill('[name="r_KLA-3-02"]', "Angka prevalensi tidak sesuai laporan Dinkes.")
        page.click("#btn-return")
        page.wait_for_load_state()
        assert page.inner_text("#status") == labels[Assessment.Status.RETURNED]
        reviewer.shot("3-returned")

        # 4. The operator sees the reason next to the indicator and fixes the value.
        page = operator.open()
        assert "Angka prevalensi tidak sesuai laporan Dinkes." in page.inner_text("#ind-KLA-3-02")
        page.fill('[name="v_KLA-3-02"]', "12.5")
        page.click("#btn-save")
        page.wait_for_load_state()
        assert page.input_value('[name="v_KLA-3-02"]') == "12.5"
        operator.shot("4-fixed")

        # 5. The koordinator resubmits; 6. the verifikator verifies.
        page = koordinator.open()
        page.click("#btn-submit")
        page.wait_for_load_state()
        confirm(page)
        page = reviewer.open()
        page.click("#btn-verify")
        page.wait_for_load_state()
        confirm(page)

        # The page shows "terverifikasi" and the frozen score, for everyone.
        for officer in (reviewer, koordinator, operator):
            page = officer.open()
            frozen = page.locator("#terverifikasi .score")
            seen[officer.name] = (
                page.inner_text("#status").lower(),
                frozen.get_attribute("data-score"),
                frozen.inner_text(),
                page.locator('[name="v_KLA-3-02"]').count(),
            )
            officer.shot("6-verified")
        browser.close()

    snapshot = VerifiedSnapshot.objects.get()
    for name, (status, data_score, shown, inputs) in seen.items():
        assert status == "terverifikasi", name
        assert data_score == snapshot.data["score"], name
        assert re.search(r"\d", shown), name
        assert inputs == 0, name  # locked: no more inputs
    assert snapshot.data["values"]["KLA-3-02"] == "12.5"
    assert EvidenceLink.objects.get().indicator.code == "KLA-3-09"
