"""Issue #17 in a real browser: the verifikator returns an indicator with two reasons from the
list, the operator sees both at the indicator and at the top of the form (whose link leads to the
field, #15), and the region's OPD page lists the returned item under its OPD (Dinas Kesehatan)."""

from decimal import Decimal

import pytest
from playwright.sync_api import sync_playwright

from penilaian import workflow
from penilaian.models import Answer, Edition, ReturnReason
from penilaian.services import get_or_create_assessment
from regions.models import Region
from tests.acceptance.conftest import launch_chromium
from tests.acceptance.test_workflow_browser import Officer

PATH = "/penilaian/kla/19.01/2025/"


@pytest.fixture(autouse=True)
def plain_http_cookies(settings, tmp_path):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_structured_reasons_reach_the_operator_and_the_opd_page(
    live_server, operator_dinkes_bangka, koordinator_bangka, verifikator, screenshot_dir
):
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    Answer.objects.create(
        assessment=assessment,
        indicator=assessment.edition.indicators.get(code="KLA-3-09"),
        value=Decimal(8),
    )
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    names = (operator_dinkes_bangka.username, koordinator_bangka.username, verifikator.username)

    # No ORM call inside this block (see launch_chromium).
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        operator, koordinator, reviewer = (
            Officer(browser, live_server.url, name, screenshot_dir, role)
            for name, role in zip(names, ("operator", "koordinator", "verifikator"), strict=True)
        )

        page = reviewer.open(PATH + "kembalikan/")
        page.click("#reasons-KLA-3-09 summary")
        page.check('input[name="c_KLA-3-09"][value="tahun_tidak_sesuai"]')
        page.check('input[name="c_KLA-3-09"][value="tanpa_ttd_stempel"]')
        page.fill('[name="r_KLA-3-09"]', "Perda KTR yang dilampirkan tahun 2019, tanpa stempel.")
        reviewer.shot("return-structured")
        page.click("#btn-return")
        page.wait_for_load_state()
        assert page.url.endswith(PATH)

        page = operator.open()
        row = page.locator("#ind-KLA-3-09")
        tags = row.locator(".reason-tags li").all_inner_texts()
        note = row.locator(".reason").inner_text()
        operator.shot("sees-structured-reasons")
        # The top of the form lists it; its link leads to the field (#15).
        notice = page.locator("#dikembalikan")
        notice_tags = notice.locator(".reason-tags li").all_inner_texts()
        notice.locator('a[href="#ind-KLA-3-09"]').click()
        page.wait_for_function("location.hash === '#ind-KLA-3-09'")
        in_view = row.evaluate(
            "e => { const top = e.getBoundingClientRect().top; "
            "return top >= 0 && top < innerHeight; }"
        )
        operator.shot("returned-notice-link")

        page = koordinator.open("/wilayah/19.01/opd/?tahun=2025")
        dinkes = page.locator('tr[data-opd="dinkes"]')
        dinkes.locator("summary").click()
        returned = dinkes.locator(".returned-items").inner_text()
        returned_count = dinkes.locator('[data-col="returned"]').inner_text()
        koordinator.shot("opd-page-returned")
        browser.close()

    assert tags == ["Tahun dokumen tidak sesuai", "Belum ditandatangani/distempel"]
    assert notice_tags == tags and in_view
    assert "Perda KTR yang dilampirkan tahun 2019" in note
    assert "KLA-3-09" in returned and returned_count.strip() == "1"
    reason = ReturnReason.objects.get(assessment=assessment)
    assert sorted(reason.categories.values_list("code", flat=True)) == [
        "tahun_tidak_sesuai",
        "tanpa_ttd_stempel",
    ]
