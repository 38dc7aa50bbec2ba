import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cadre_logs_in_on_a_phone_and_sees_the_paired_enterprise(phone, live_server, cadre, enterprise):
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(phone, live_server.url, "alice")
    phone.get_by_text("我的结对企业").wait_for()
    assert phone.get_by_text(enterprise.name).is_visible()
    # The menu collapses behind the toggler on a phone and opens on a tap.
    phone.get_by_role("button", name="菜单").click()
    phone.get_by_role("link", name="首页").wait_for()
    phone.screenshot(path="test-results/home-cadre-phone.png", full_page=True)
    assert errors == [], errors  # no blocked asset, no CSP violation


@pytest.mark.parametrize(
    ("persona", "username", "heading"),
    [
        ("staff", "charlie", "交办区行政审批服务局的问题"),
        ("leader", "erin", "全区概况"),
        ("office", "frank", "活动办公室"),
    ],
)
def test_each_role_reaches_its_home_page(page, live_server, request, persona, username, heading):
    request.getfixturevalue(persona)
    log_in(page, live_server.url, username)
    page.get_by_role("heading", name=heading, exact=True).wait_for()


def test_a_wrong_password_is_refused_in_chinese(page, live_server, cadre):
    log_in(page, live_server.url, "alice", password="wrong-password")
    assert page.get_by_text("请输入一个正确的").is_visible()


def test_logging_out_returns_to_the_login_page(page, live_server, cadre):
    log_in(page, live_server.url, "alice")
    page.get_by_text("我的结对企业").wait_for()
    page.get_by_role("button", name="王建国").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/**")
