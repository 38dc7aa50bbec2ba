"""The problem page on a phone: its title names the problem's number; what the problem is comes before what to do."""

import re

import pytest
from django.urls import reverse

from issues.models import Action, SystemicMatter
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


@pytest.fixture
def assigned(report, assignment):
    return report(assignment, description="厂区东侧道路积水，货车无法进出。")


def test_problems_with_the_same_title_have_distinct_page_titles(client, leader):
    first, second = IssueFactory(title="社保补贴申领遇到问题"), IssueFactory(title="社保补贴申领遇到问题")
    client.force_login(leader)
    titles = [_title(client.get(reverse("issues:detail", args=[i.pk]))) for i in (first, second)]
    assert titles[0] != titles[1]
    for issue, title in zip((first, second), titles, strict=True):
        # "问题 #12 · …": the number first, then the title.
        assert re.match(rf"问题 #{issue.pk} · 社保补贴申领遇到问题 · ", title), title


def test_the_title_leads_with_the_number_in_chinese_and_in_english(client, leader):
    issue = IssueFactory(title="厂区供电容量不足")
    client.force_login(leader)
    url = reverse("issues:detail", args=[issue.pk])
    assert _title(client.get(url)).startswith(f"问题 #{issue.pk} · 厂区供电容量不足 · ")
    client.cookies["django_language"] = "en"
    assert _title(client.get(url)).startswith(f"Problem #{issue.pk} · 厂区供电容量不足 · ")


def test_a_department_reads_the_description_deadline_and_roadmap_before_its_actions(client, staff, assigned):
    client.force_login(staff.user)
    page = client.get(reverse("issues:detail", args=[assigned.pk])).content.decode()
    assert f'id="act-{Action.ACCEPT}"' in page  # the department has moves to make here
    first_action = page.index('id="act-')
    facts = [
        page.index("厂区东侧道路积水"),  # the description
        page.index(assigned.deadline.strftime("%Y-%m-%d")),  # the deadline
        page.index("核实材料"),  # the roadmap
    ]
    assert max(facts) < first_action < page.index('id="timeline"')


def test_a_systemic_matters_title_names_its_number(client, leader):
    matter = SystemicMatter.objects.create(title="园区供电", created_by=leader)
    client.force_login(leader)
    client.cookies["django_language"] = "en"
    assert _title(client.get(reverse("issues:matter", args=[matter.pk]))).startswith(
        f"Systemic matter #{matter.pk} · 园区供电 · "
    )
