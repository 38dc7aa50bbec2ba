"""The inspection's circular (督查通报) as Word, read back with python-docx; an unannounced visit's notes left out."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from supervision.models import Rectification
from tests.factories import RectificationFactory

pytestmark = pytest.mark.django_db


def _circular(client, inspection, language: str = "en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("supervision:inspection", args=[inspection.pk]), {"format": "docx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"].startswith("attachment")
    return Document(io.BytesIO(response.content))


def _text(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_circular_says_the_inspection_and_its_items(client, leader, inspection, item, department):
    RectificationFactory(
        inspection=inspection, cadre=None, department=department, requirement="压缩审批时限。", status="accepted"
    )
    client.force_login(leader)
    document = _circular(client, inspection)
    assert document.paragraphs[0].text == "Supervision circular: Concentrated inspection of 王建国"
    facts = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    assert facts == {
        "Date": f"{inspection.inspected_on:%Y-%m-%d}",
        "Kind": "Concentrated inspection",
        "What was inspected": "A cadre: 王建国",
        "Inspectors": "刘海涛",
        "Rating": "Good",
    }
    items = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert items[0] == ["Responsible", "What must change", "Deadline", "Status"]
    assert items[1:] == [
        ["王建国", item.requirement, f"{item.deadline:%Y-%m-%d}", "To rectify"],
        ["区行政审批服务局", "压缩审批时限。", f"{item.deadline:%Y-%m-%d}", str(Rectification.Status.ACCEPTED.label)],
    ]
    text = _text(document)
    assert inspection.findings in text and inspection.method in text


def test_the_circular_is_on_a4_in_the_offices_fonts(client, leader, inspection):
    client.force_login(leader)
    document = _circular(client, inspection, "zh-hans")
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    assert document.styles["Title"].element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"


def test_an_unannounced_visits_circular_leaves_out_what_the_enterprise_said(client, leader, unannounced):
    client.force_login(leader)
    text = _text(_circular(client, unannounced))
    assert unannounced.findings in text
    assert "Cadre serving it" in text and "王建国" in text
    for note in (unannounced.said_of_cadre, unannounced.said_of_departments, unannounced.method):
        assert note not in text
    assert "Says the visits did not happen" not in text


def test_the_circular_of_an_inspection_without_items_says_so(client, leader, unit_inspection):
    unit_inspection.items.all().delete()
    client.force_login(leader)
    assert "No rectification was ordered." in _text(_circular(client, unit_inspection))
