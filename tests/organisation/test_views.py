import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from openpyxl import load_workbook

from enterprises.models import Enterprise
from organisation.models import Cadre, Pairing
from organisation.pending import PENDING_KEY
from tests import factories
from tests.organisation.helpers import fixture, read_xlsx, response_bytes
from tests.submissions import tokens_on, with_token

pytestmark = pytest.mark.django_db

IMPORT = reverse("organisation:import")
CONFIRM = reverse("organisation:import_confirm")
TEMPLATE = reverse("organisation:import_template")
EXPORT = reverse("organisation:export")
EXPORTS = reverse("organisation:exports")


def _upload(client, name="title_row.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, fixture(name))})


def test_it_shows_the_import_page_to_the_campaign_office(office_client):
    response = office_client.get(IMPORT)
    assert response.status_code == 200
    assert "导入企业名单" in response.text
    assert TEMPLATE in response.text


@pytest.mark.parametrize("url", [IMPORT, TEMPLATE])
def test_anonymous_users_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["cadre", "staff", "leader"])
@pytest.mark.parametrize(("method", "url"), [("get", IMPORT), ("post", IMPORT), ("post", CONFIRM), ("get", TEMPLATE)])
def test_other_roles_may_not_import(client, request, persona, method, url):
    who = request.getfixturevalue(persona)
    client.force_login(getattr(who, "user", who))
    assert getattr(client, method)(url).status_code == 403
    assert Enterprise.objects.filter(name__startswith="西安灞河精工").count() == 0


def test_wrong_methods_are_refused(office_client):
    assert office_client.get(CONFIRM).status_code == 405
    assert office_client.put(IMPORT).status_code == 405
    assert office_client.post(TEMPLATE).status_code == 405
    assert office_client.post(EXPORT).status_code == 405


def test_uploading_previews_without_writing_then_confirming_writes(office_client):
    response = _upload(office_client)
    assert response.status_code == 200
    assert response.context["report"].new == 3
    assert "确认导入" in response.text
    assert Enterprise.objects.count() == 0
    token = office_client.session[PENDING_KEY]["token"]
    [submission] = tokens_on(response)
    response = office_client.post(CONFIRM, with_token({"token": token}, submission))
    assert response.status_code == 302
    assert Enterprise.objects.count() == 3
    assert Pairing.objects.active().count() == 3
    # The kept file is gone, and a confirmation from another page does nothing more.
    assert PENDING_KEY not in office_client.session
    response = office_client.post(CONFIRM, with_token({"token": token}), follow=True)
    expired = gettext("The uploaded list has expired or was already imported. Please upload it again.")
    assert expired in [str(m) for m in response.context["messages"]]
    assert escape(expired) in response.text


def test_a_preview_with_bad_rows_lists_them_and_offers_no_confirmation(office_client):
    response = _upload(office_client, "bad_values.xlsx")
    assert response.status_code == 200
    errors = response.context["report"].errors
    assert [(e.row, e.code) for e in errors][:2] == [(3, "invalid_choice"), (4, "invalid_choice")]
    assert len(errors) == 7
    for error in errors:
        assert escape(error.message) in response.text
    assert "未写入任何数据" in response.text
    assert "确认导入" not in response.text
    assert PENDING_KEY not in office_client.session


def test_a_preview_shows_namesakes_with_both_excel_rows_and_still_offers_the_import(office_client):
    response = _upload(office_client, "namesakes.xlsx")
    assert response.status_code == 200
    [warning] = response.context["report"].warnings
    assert (warning.rows, warning.code) == ((3, 5), "cadre_namesake")
    table = response.text[response.text.index('id="import-warnings"') :]
    assert '<td class="text-nowrap">3、5</td>' in table
    assert escape(warning.message) in table
    assert "确认导入" in response.text  # a warning, not an error
    office_client.post(CONFIRM, with_token({"token": office_client.session[PENDING_KEY]["token"]}))
    assert Enterprise.objects.count() == 3


def test_a_token_that_does_not_match_the_session_is_refused(office_client):
    _upload(office_client)
    response = office_client.post(CONFIRM, with_token({"token": "../../etc/passwd"}))
    assert response.status_code == 302
    assert Enterprise.objects.count() == 0


def test_a_file_changed_on_the_server_after_the_preview_is_refused(office_client, settings):
    _upload(office_client)
    pending = office_client.session[PENDING_KEY]
    path = settings.MEDIA_ROOT / "imports" / pending["path"]
    assert oct(path.stat().st_mode)[-3:] == "600"
    path.write_bytes(fixture("bad_values.xlsx"))
    office_client.post(CONFIRM, with_token({"token": pending["token"]}))
    assert Enterprise.objects.count() == 0


def test_confirming_after_the_registry_changed_writes_nothing_and_says_why(office_client):
    _upload(office_client)
    token = office_client.session[PENDING_KEY]["token"]
    # Someone registers one of the list's names under another code in between.
    factories.EnterpriseFactory(name="西安浐灞文旅发展有限公司")
    response = office_client.post(CONFIRM, with_token({"token": token}))
    assert response.status_code == 409
    errors = response.context["report"].errors
    assert [(e.row, e.field, e.code) for e in errors] == [(5, "uscc", "uscc_conflict")]
    assert escape(errors[0].message) in response.text
    assert Enterprise.objects.count() == 1


def _refused_on_the_form(response, code: str) -> None:
    """Assert the upload form refused the file with that code, and shows the user why."""
    assert response.status_code == 400
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["file"]] == [code]
    assert escape(form.errors["file"][0]) in response.text


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("list.xlsx", b"not a workbook", "suffix_mismatch"),
        ("list.pdf", b"%PDF-1.4", "wrong_suffix"),
    ],
)
def test_a_wrong_file_is_refused_on_the_form(office_client, name, content, code):
    response = office_client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})
    _refused_on_the_form(response, code)


def test_a_file_over_the_limit_is_refused_on_the_form(office_client, settings):
    settings.CAMPAIGN_IMPORT_MAX_BYTES = 100
    _refused_on_the_form(_upload(office_client), "too_large")


def test_the_template_has_an_empty_list_an_example_beside_it_and_the_allowed_values(office_client):
    response = office_client.get(TEMPLATE)
    assert response.status_code == 200
    sheets = read_xlsx(response_bytes(response))
    assert list(sheets) == ["名单", gettext("Example"), "可填写的值"]
    [headers] = sheets["名单"]  # the headers, and no row to import by mistake
    assert headers[0] == "企业（项目）名称" and "包抓领导" in headers and "干部手机" in headers
    example = sheets[gettext("Example")]
    assert example[0] == headers
    assert example[1][0] == "西安灞河示例机械有限公司"
    assert example[1][headers.index("干部手机")] == "13900000000"
    allowed = {row[0]: row[1] for row in sheets["可填写的值"][1:]}
    assert allowed["行业"] == "工业、商贸、建筑、科技、文化、旅游"
    assert allowed["来源"] == "市级确定、区级选取"
    assert "干部手机" in allowed


def test_the_template_uploaded_as_downloaded_creates_nothing(office_client):
    users = User.objects.count()
    content = response_bytes(office_client.get(TEMPLATE))
    response = office_client.post(IMPORT, {"file": SimpleUploadedFile("模板.xlsx", content)})
    report = response.context["report"]
    assert [(e.row, e.code) for e in report.errors] == [(0, "no_rows")]
    assert "确认导入" not in response.text
    assert (Enterprise.objects.count(), Cadre.objects.count(), User.objects.count()) == (0, 0, users)


def test_the_templates_example_row_copied_into_the_list_is_refused(office_client):
    book = load_workbook(io.BytesIO(response_bytes(office_client.get(TEMPLATE))))
    book["名单"].append([cell.value for cell in book[gettext("Example")][2]])
    buffer = io.BytesIO()
    book.save(buffer)
    response = office_client.post(IMPORT, {"file": SimpleUploadedFile("名单.xlsx", buffer.getvalue())})
    assert [(e.row, e.field, e.code) for e in response.context["report"].errors] == [(2, "name", "example_row")]
    assert (Enterprise.objects.count(), Cadre.objects.count()) == (0, 0)


def test_the_nav_shows_import_to_the_office_only(client, office, cadre):
    client.force_login(office)
    assert IMPORT in client.get("/").text
    client.force_login(cadre.user)
    home = client.get("/").text
    assert IMPORT not in home and EXPORTS in home


def test_the_exports_page_offers_what_each_role_may_download(client, office, staff):
    client.force_login(office)
    assert reverse("visits:visit_export") in client.get(EXPORTS).text
    client.force_login(staff.user)
    page = client.get(EXPORTS)
    assert page.status_code == 200
    assert reverse("visits:visit_export") not in page.text


def test_anonymous_users_cannot_export(client):
    for url in (EXPORTS, EXPORT, reverse("visits:visit_export")):
        assert client.get(url).status_code == 302


def test_the_enterprise_export_holds_only_what_the_user_may_see(client, cadre, other_cadre, enterprise, office):
    cadre.mobile = "13912345678"
    cadre.save()
    client.force_login(cadre.user)
    rows = read_xlsx(response_bytes(client.get(EXPORT)))["名单"]
    assert [r[1] for r in rows[1:]] == [enterprise.name]
    assert rows[0][9:13] == ["包抓领导", "职务", "干部手机", "结对日期"]
    assert rows[1][9:13] == ["王建国", cadre.title, "13912345678", datetime.datetime(2026, 6, 17)]
    client.force_login(office)
    assert len(read_xlsx(response_bytes(client.get(EXPORT)))["名单"]) == 3


def test_exports_escape_formula_looking_cells(office_client):
    factories.EnterpriseFactory(name='=HYPERLINK("http://evil.example/")', contact_person="@SUM(1)", phone="+86 1")
    rows = read_xlsx(response_bytes(office_client.get(EXPORT)))["名单"]
    assert rows[1][1] == '=HYPERLINK("http://evil.example/")'
    assert rows[1][7] == "@SUM(1)"
    assert rows[1][8] == "+86 1"


def test_files_of_previews_never_confirmed_are_swept_after_a_day(office_client, settings):
    import os
    import time

    folder = settings.MEDIA_ROOT / "imports"
    folder.mkdir(parents=True)
    stale, fresh = folder / "old.xlsx", folder / "new.xlsx"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)
    _upload(office_client)
    assert not stale.exists() and fresh.exists()
