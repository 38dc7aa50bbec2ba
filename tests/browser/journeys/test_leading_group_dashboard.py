"""A leading-group member asks "which department is most overdue, and with what?" and has the answer in two taps.

In the demo district, as `lingdao01`: the home page's Dashboard (1), then the top department's overdue count
(2) opens the ledger listing exactly those problems, each with that department. A tap on a chart's segment
opens its list too.
"""

import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from core.months import Month
from core.periods import Period
from demo.seed import DEMO_PASSWORD, seed_demo
from issues import measures
from issues.models import Issue
from organisation.models import Department
from tests.factories import CATEGORY_NAMES, category

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    """The demo district in the live server's database (a browser test's database is flushed after it)."""
    for code in CATEGORY_NAMES:
        category(code)  # loaded by a migration, but this test's database was flushed before it
    return seed_demo()


def most_overdue() -> tuple[set[str], int]:
    """The departments with the most problems overdue now (as issues/measures.py counts them), and how many."""
    window = measures.Window.of(Period.month(Month.of(timezone.localdate())))
    table = measures.by_unit(Issue.objects.all(), window, ["overdue"])
    top = max(found["overdue"] for found in table.values())
    tied = Department.objects.filter(pk__in=[pk for pk, found in table.items() if found["overdue"] == top])
    return set(tied.values_list("name", flat=True)), top


def test_the_leading_group_opens_the_most_overdue_departments_problems_in_two_taps(journey, demo):
    page, t = journey.page, journey.t
    journey.log_in("lingdao01", DEMO_PASSWORD)

    page.get_by_role("link", name=t("Dashboard"), exact=True).click()  # 1
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Dashboard"))
    first = page.locator("#departments tbody tr").first
    name = first.locator("th").inner_text().strip()
    overdue = first.locator('a[data-figure="overdue"]')
    count = int(re.match(r"\d+", overdue.inner_text())[0])
    tied, top = most_overdue()
    assert count == top > 0 and name in tied  # of departments tied, the one with more due soon comes first
    journey.shot("1-dashboard")

    overdue.click()  # 2
    with translation.override(journey.language):
        heading = ngettext("%(n)s problem", "%(n)s problems", count) % {"n": count}
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    rows = page.locator("main .list-group > a.list-group-item")
    expect(rows).to_have_count(count)
    for i in range(count):
        expect(rows.nth(i)).to_contain_text(name)
    journey.shot("2-overdue")


def test_a_tap_on_a_charts_segment_opens_its_list(journey, demo):
    page, t = journey.page, journey.t
    journey.log_in("lingdao01", DEMO_PASSWORD)
    page.get_by_role("link", name=t("Dashboard"), exact=True).click()
    canvas = page.locator('canvas[data-chart="chart-flows-data"]')
    canvas.scroll_into_view_if_needed()
    # Where Chart.js drew the doughnut's largest segment, and the list it names.
    spot = canvas.evaluate(
        """canvas => {
            const chart = Chart.getChart(canvas);
            const values = chart.data.datasets[0].data;
            const i = values.indexOf(Math.max(...values));
            const {x, y} = chart.getDatasetMeta(0).data[i].tooltipPosition();
            const urls = JSON.parse(document.getElementById(canvas.dataset.chart).textContent).datasets[0].urls;
            return {x, y, url: urls[i], value: values[i]};
        }"""
    )
    canvas.click(position={"x": spot["x"], "y": spot["y"]})
    page.wait_for_url(re.compile(re.escape(spot["url"].split("?")[0]) + r"\?measure="))
    assert page.url.endswith(spot["url"])
    expect(page.locator("main .list-group > a.list-group-item")).to_have_count(min(spot["value"], 25))
