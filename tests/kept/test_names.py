"""Names and groups (organisation/kept.py, enterprises/importers.py): a department renamed, an enterprise's
sector changed by a save or by an import, a cadre created: the kept figures that show or group them count again."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from issues import measures
from issues.models import Issue
from issues.payloads import EscalatePayload
from organisation.imports import enterprise_import
from organisation.models import Department
from organisation.services import cadre_create
from oversight.scope import Scope, visit_figures
from tests import factories
from tests.kept.conftest import Kept, period
from tests.organisation.helpers import HEADER, xlsx_bytes

pytestmark = pytest.mark.django_db


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=ZoneInfo("Asia/Shanghai"))


def by_sector(month):
    window = measures.Window.of(period(month))
    return measures.grouped(Issue.objects.all(), window, "enterprise__sector", ["reported"])


def test_a_department_renamed_in_the_admin_touches_the_names(client, superuser, department):
    names = Kept("names", {"names": None}, lambda: dict(Department.objects.values_list("pk", "name")))
    assert names.read()[department.pk] == "区行政审批服务局"
    client.force_login(superuser)
    url = reverse("admin:organisation_department_change", args=[department.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["name"] = "区数据局"
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert names.read() == dict(Department.objects.values_list("pk", "name"))
    assert names.read()[department.pk] == "区数据局"


def test_an_enterprises_sector_saved_regroups_past_months(cadre, enterprise, last_month):
    factories.reported_at(cadre, noon(last_month.first), EscalatePayload(note="涉及多个部门"))
    page = Kept("by sector", {"problems": [last_month.first]}, lambda: by_sector(last_month))
    before = page.read()
    assert before == {enterprise.sector: {"reported": 1}}
    enterprise.sector = "culture" if enterprise.sector != "culture" else "commerce"
    enterprise.save()
    assert page.read() == by_sector(last_month) == {enterprise.sector: {"reported": 1}}


def test_an_enterprises_sector_changed_by_an_import_regroups_past_months(cadre, enterprise, last_month):
    """The import updates enterprises in bulk (enterprises/importers.py): no signal, one touch per write."""
    factories.reported_at(cadre, noon(last_month.first), EscalatePayload(note="涉及多个部门"))
    page = Kept("by sector", {"problems": [last_month.first]}, lambda: by_sector(last_month))
    before = page.read()
    sector = "文化" if enterprise.sector != "culture" else "商贸"
    row = [enterprise.name, enterprise.uscc, "企业", "市级确定", sector, "", "", "", ""]
    report = enterprise_import(data=xlsx_bytes([HEADER, row]), dry_run=False)
    assert report.ok and report.updated == 1, report.errors
    enterprise.refresh_from_db()
    after = page.read()
    assert after == by_sector(last_month) != before
    assert after == {enterprise.sector: {"reported": 1}}


def test_a_cadre_created_counts_again_what_counts_cadres(cadre, leader, this_month):
    """A cadre made by the service (bulk, with history: no signal) touches the families that count cadres."""
    from core import kept
    from core.models import FigureVersion

    page = Kept(
        "visit figures", {"visits": [this_month.first]}, lambda: visit_figures(leader, Scope(period(this_month)))
    )
    page.read()
    every = (
        FigureVersion.objects.filter(family="visits", month=kept.EVERY_MONTH).values_list("token", flat=True).first()
    )
    cadre_create(name="周明辉", title="副区长")
    assert FigureVersion.objects.get(family="visits", month=kept.EVERY_MONTH).token != every
    page.read()
    assert page.counted == 2
