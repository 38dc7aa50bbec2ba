"""The campaign office's first import, as a new user does it: template, fill in, error, fix, import."""

from pathlib import Path

import pytest

from enterprises.models import Enterprise
from organisation.models import Pairing
from tests.browser.conftest import PHONE, log_in
from tests.browser.lists import ROWS, corrected, fill_in

pytestmark = pytest.mark.django_db(transaction=True)

# Screenshots go to test-results/ (not committed); docs/screenshots/ holds a chosen set.
SHOTS = Path("test-results")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(params=["desktop", "phone"])
def office_page(request, browser):
    if request.param == "phone":
        context = browser.new_context(
            viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, accept_downloads=True
        )
    else:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.device = request.param
    yield page
    context.close()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{page.device}.png"), full_page=True)


def test_the_office_downloads_the_template_fills_it_fixes_an_error_and_imports(
    office_page, live_server, office, console_errors, tmp_path
):
    page = office_page
    log_in(page, live_server.url, "frank")
    page.get_by_role("heading", name="活动办公室", exact=True).wait_for()
    if page.device == "phone":
        page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="导入").click()
    page.get_by_role("heading", name="导入企业名单").wait_for()
    _shot(page, "import-1-start")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "企业名单模板.xlsx"

    # First try: the project's sector is not one the campaign uses.
    page.get_by_label("名单文件").set_input_files(fill_in(template, ROWS))
    page.get_by_role("button", name="检查名单").click()
    page.get_by_text("未写入任何数据").first.wait_for()
    error = page.locator("#import-errors tbody tr")
    assert error.count() == 1
    cells = error.first.locator("td")
    assert cells.first.inner_text() == "3"  # Excel's row number
    # A reason is shown, naming the word refused (the wording itself is the catalogue's).
    assert "农业" in cells.nth(1).inner_text()
    assert page.get_by_role("button", name="确认导入").count() == 0
    _shot(page, "import-2-error")
    assert Enterprise.objects.count() == 0

    # Fixed: 文化 instead of 农业; upload again, check, confirm.
    page.get_by_label("名单文件").set_input_files(fill_in(template, corrected(ROWS)))
    page.get_by_role("button", name="检查名单").click()
    page.get_by_text("所有行均有效").wait_for()
    assert page.locator("#import-counts .stat-value").first.inner_text() == "2"
    _shot(page, "import-3-preview")
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入：新增 2 条").wait_for()
    _shot(page, "import-4-done")

    assert Pairing.objects.active().count() == 2
    assert Enterprise.objects.get(name="灞河生态修复项目").sector == "culture"
    assert Pairing.objects.active().get(enterprise__uscc="91610111MA6U000014").cadre.mobile == "13912345678"
    assert console_errors == [], console_errors
