import datetime
import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl import load_workbook

from core.spreadsheets import xlsx_response
from demo.seed import seed_demo
from enterprises.models import Enterprise
from issues.models import ExtensionRequest, Feedback, Issue, IssueEvent, Milestone, SystemicMatter
from organisation.exports import enterprise_export_rows, export_headers
from organisation.imports import enterprise_import
from organisation.models import Cadre, Pairing
from supervision.models import Inspection, Rectification, Response, SupervisionFile
from tests import factories
from tests.organisation.helpers import read_xlsx, response_bytes
from visits.compliance import SHORT_HEADING
from visits.exports import visit_month_rows
from visits.models import Errand, ErrandStep, Visit

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


def _export_bytes(user) -> bytes:
    return response_bytes(xlsx_response("x.xlsx", export_headers(), enterprise_export_rows(user)))


def _registry():
    enterprises = set(
        Enterprise.objects.values_list("name", "uscc", "kind", "origin", "sector", "street", "contact_person", "phone")
    )
    pairings = set(
        Pairing.objects.active().values_list(
            "enterprise__name", "cadre__name", "cadre__title", "cadre__mobile", "started_on"
        )
    )
    return enterprises, pairings


def _empty_the_district():
    for model in (
        SupervisionFile,
        Response,
        Rectification,
        Inspection,
        IssueEvent,
        Milestone,
        ExtensionRequest,
        Feedback,
        Issue,
        SystemicMatter,
        ErrandStep,
        Errand,
        Visit,
        Pairing,
        Cadre,
        Enterprise,
    ):
        model.objects.all().delete()


@pytest.mark.slow  # seeds, exports, empties and re-imports the whole district: about 3 seconds
def test_the_demo_districts_export_imports_into_an_empty_database_with_the_same_139_pairings():
    seed_demo(today=TODAY)
    office = User.objects.get(username="admin")
    content = _export_bytes(office)
    before = _registry()
    _empty_the_district()
    assert Enterprise.objects.count() == 0

    report = enterprise_import(data=content, dry_run=False, filename="demo.xlsx")

    assert report.ok, report.errors[:5]
    assert report.new == 139
    active = Pairing.objects.active()
    assert active.count() == 139 == Pairing.objects.count()
    assert Counter(active.values_list("enterprise__origin", flat=True)) == {"city": 63, "district": 76}
    assert _registry() == before


def test_importing_the_demo_export_into_the_demo_district_changes_nothing(demo_district):
    content = _export_bytes(User.objects.get(username="admin"))
    before = (_registry(), Pairing.objects.count(), Cadre.objects.count())
    report = enterprise_import(data=content, dry_run=False)
    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 0, 139)
    assert (_registry(), Pairing.objects.count(), Cadre.objects.count()) == before


def test_a_title_changed_in_the_exported_list_updates_the_same_cadre(demo_district):
    office = User.objects.get(username="admin")
    book = load_workbook(io.BytesIO(_export_bytes(office)))
    sheet = book.active
    headers = [cell.value for cell in sheet[1]]
    row = sheet[2]
    name, mobile = row[headers.index("包抓领导")].value, row[headers.index("干部手机")].value
    row[headers.index("职务")].value = "区委副书记"  # promoted since the last list
    buffer = io.BytesIO()
    book.save(buffer)
    cadres = Cadre.objects.count()

    report = enterprise_import(data=buffer.getvalue(), dry_run=False)

    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 1, 138)
    assert Cadre.objects.count() == cadres
    assert Cadre.objects.get(mobile=mobile).name == name
    assert Cadre.objects.get(mobile=mobile).title == "区委副书记"


def test_an_export_of_formula_looking_values_reimports_without_a_change(office):
    factories.EnterpriseFactory(name="=1+1", contact_person="@sum", phone="+86 138 0000 0000")
    factories.EnterpriseFactory(name="-减号企业", contact_person="-张三", phone="=2*3")
    before = _registry()

    report = enterprise_import(data=_export_bytes(office), dry_run=False)

    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 0, 2)
    assert _registry() == before


@pytest.mark.parametrize("size", [3, 30])
def test_the_enterprise_export_runs_the_same_queries_whatever_its_size(size, office, django_assert_num_queries):
    for _ in range(size):
        factories.PairingFactory()
    office = User.objects.get(pk=office.pk)  # roles not cached yet: one query for them, one for the rows
    with django_assert_num_queries(2):
        rows = list(enterprise_export_rows(office))
    assert len(rows) == size
    assert all(row[9] for row in rows)  # every row names its current cadre


@pytest.mark.parametrize("size", [3, 30])
def test_the_visit_export_runs_the_same_queries_whatever_its_size(size, office, django_assert_num_queries):
    for _ in range(size):
        factories.VisitFactory(visited_on=datetime.date(2026, 11, 2))
    office = User.objects.get(pk=office.pk)
    # The user's roles, the cadres' ids in name order, then the rule module's two for each thousand cadres:
    # the pairings, and the visits per pairing per month.
    with django_assert_num_queries(4):
        rows = list(visit_month_rows(office, 2026, TODAY))
    assert len(rows) == size


def test_the_visit_export_counts_each_cadres_visits_per_month(client, office, cadre, enterprise):
    pairing = Pairing.objects.get(cadre=cadre)
    for day in (datetime.date(2026, 10, 3), datetime.date(2026, 10, 20), datetime.date(2026, 11, 2)):
        factories.VisitFactory(pairing=pairing, visited_on=day)
    factories.VisitFactory(pairing=pairing, visited_on=datetime.date(2025, 11, 2))  # another year
    client.force_login(office)
    sheet = read_xlsx(response_bytes(client.get(reverse("visits:visit_export"), {"year": 2026})))["每月走访"]
    header, row = sheet[0], sheet[1]
    assert header[:5] == ["助企干部", "单位", "企业", "统一社会信用代码", "来源"]
    assert header[5] == "2026年1月" and header[-2] == "合计" and header[-1] == SHORT_HEADING
    assert row[:5] == ["王建国", cadre.unit.name, enterprise.name, enterprise.uscc, "市级确定"]
    assert row[5 + 9] == 2 and row[5 + 10] == 1  # October, November
    assert row[-2] == 3


def test_a_cadre_exports_only_the_visits_of_their_own_pairings(client, cadre, other_cadre, enterprise):
    factories.VisitFactory(pairing=Pairing.objects.get(cadre=cadre))
    factories.VisitFactory(pairing=Pairing.objects.get(cadre=other_cadre))
    client.force_login(cadre.user)
    sheet = read_xlsx(response_bytes(client.get(reverse("visits:visit_export"), {"year": 2026})))["每月走访"]
    assert [r[2] for r in sheet[1:]] == [enterprise.name]
    assert sheet[1][-2] == 1


def test_department_staff_export_no_visits(client, staff, cadre):
    factories.VisitFactory(pairing=Pairing.objects.get(cadre=cadre))
    client.force_login(staff.user)
    sheet = read_xlsx(response_bytes(client.get(reverse("visits:visit_export"))))["每月走访"]
    assert len(sheet) == 1  # the headers only
