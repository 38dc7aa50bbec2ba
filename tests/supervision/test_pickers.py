"""The search pickers: the inspection and item forms never list a city's cadres, enterprises or inspections whole.

A picker's select holds the empty choice and the row chosen; its search box asks core's `pick` (htmx; core/pickers.py)
for the first matches. The forms still accept any row of the field's queryset.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pickers
from supervision.forms import ItemForm
from supervision.models import Inspection
from tests.factories import CadreFactory, EnterpriseFactory, PairingFactory

pytestmark = pytest.mark.django_db


def _options(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_the_forms_hold_only_the_chosen_cadre_not_every_cadre(client, leader, inspection):
    CadreFactory.create_batch(5, name="不该列出的干部")
    client.force_login(leader)
    for url in (
        reverse("supervision:inspection_new"),
        reverse("supervision:item_new", args=[inspection.pk]),
        reverse("supervision:inspection", args=[inspection.pk]),
    ):
        body = client.get(url).content.decode()
        assert "不该列出的干部" not in body
        assert reverse("pick", args=["cadre"]) in body
    # The item form starts with the inspected cadre chosen: that one option is there, selected.
    body = client.get(reverse("supervision:item_new", args=[inspection.pk])).content.decode()
    assert f'<option value="{inspection.cadre_id}" selected>' in body


def test_a_search_returns_the_first_matches_by_name(client, leader):
    CadreFactory(name="王建国")
    CadreFactory(name="李志强")
    CadreFactory.create_batch(pickers.LIMIT + 5, name="王建国乙")
    client.force_login(leader)
    body = _options(client.get(reverse("pick", args=["cadre"]), {"cadre-q": "王建国", "field": "cadre"}))
    assert body.count("<option") == pickers.LIMIT + 1  # the empty choice, then the matches
    assert "王建国（" in body and "李志强" not in body  # in name order: 王建国 before 王建国乙
    empty = _options(client.get(reverse("pick", args=["cadre"]), {"cadre-q": " ", "field": "cadre"}))
    assert empty.count("<option") == 1


def test_the_chosen_row_is_kept_above_the_matches(client, leader, cadre):
    EnterpriseFactory(name="灞桥纺织有限公司")
    client.force_login(leader)
    url = reverse("pick", args=["cadre"])
    body = _options(client.get(url, {"cadre-q": "没有这个人", "field": "cadre", "cadre": cadre.pk}))
    assert f'<option value="{cadre.pk}" selected>{cadre}</option>' in body
    found = {"enterprise-q": "灞桥纺织", "field": "enterprise"}
    enterprises = _options(client.get(reverse("pick", args=["enterprise"]), found))
    assert "灞桥纺织有限公司" in enterprises


def test_an_inspection_is_found_by_its_number_or_subject(client, leader, inspection):
    client.force_login(leader)
    url = reverse("pick", args=["inspection"])
    assert str(inspection) in _options(client.get(url, {"follows-q": f"#{inspection.pk}", "field": "follows"}))
    assert str(inspection) in _options(client.get(url, {"follows-q": inspection.cadre.name[:2], "field": "follows"}))


@pytest.mark.parametrize("persona", ["cadre", "staff", "nobody"])
def test_only_overseers_search(client, request, persona):
    found = request.getfixturevalue(persona)
    client.force_login(getattr(found, "user", found))
    assert client.get(reverse("pick", args=["cadre"]), {"q": "王"}).status_code == 403


def test_an_unknown_picker_is_404_and_a_post_405(client, leader):
    client.force_login(leader)
    assert client.get(reverse("pick", args=["nothing"]), {"q": "王"}).status_code == 404
    assert client.post(reverse("pick", args=["cadre"]), {"q": "王"}).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("pick", args=["cadre"]), {"q": "王"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_cadre_the_form_did_not_render_may_still_be_chosen(leader):
    far = CadreFactory(name="远处的干部")
    # The form needs an inspection only for its initial choice: an unsaved one has none.
    form = ItemForm({"cadre": far.pk, "requirement": "整改", "deadline": "2099-01-01"}, inspection=Inspection())
    form.is_valid()
    assert "cadre" not in form.errors and form.cleaned_data["cadre"] == far


@pytest.mark.parametrize("name", ["inspection_new", "item_new", "pick"])
def test_the_form_and_the_search_run_as_many_queries_for_more_cadres(client, leader, inspection, name):
    client.force_login(leader)
    args = {"pick": ["cadre"], "item_new": [inspection.pk]}.get(name, [])
    url = reverse("pick" if name == "pick" else f"supervision:{name}", args=args)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, {"cadre-q": "干部", "field": "cadre"}).status_code == 200
        return len(ctx)

    count()
    small = count()
    PairingFactory.create_batch(30)
    CadreFactory.create_batch(30)
    assert count() == small


def test_without_javascript_the_search_button_brings_the_matches_and_records_nothing(client, leader):
    from core.pickers import SEARCH
    from tests.submissions import with_token

    wanted = CadreFactory(name="王建国")
    CadreFactory(name="李志强")
    client.force_login(leader)
    data = with_token({"kind": "routine", "target": "cadre", "findings": "台账齐全", "cadre-q": "王建国"})
    response = client.post(reverse("supervision:inspection_new"), {**data, SEARCH: "cadre"})
    body = response.content.decode()
    assert response.status_code == 200 and not Inspection.objects.exists()
    assert f'<option value="{wanted.pk}">{wanted}</option>' in body and "李志强" not in body
    assert "台账齐全" in body and not response.context["form"].errors
    # The form's own search button, for a browser without JavaScript.
    blank = client.get(reverse("supervision:inspection_new")).content.decode()
    assert f'<noscript><button type="submit" name="{SEARCH}" value="cadre"' in blank


def test_a_provinces_units_are_searched_a_districts_listed(client, leader, inspection):
    from core.pickers import PLAIN_UP_TO
    from tests.factories import DepartmentFactory

    street = DepartmentFactory(name="灞桥街道", kind="street")
    client.force_login(leader)
    body = client.get(reverse("supervision:inspection_new")).content.decode()
    assert f'<option value="{street.pk}">灞桥街道</option>' in body
    for n in range(PLAIN_UP_TO + 1):
        DepartmentFactory(name=f"不该列出的单位{n}", kind="street")
    for url in (reverse("supervision:inspection_new"), reverse("supervision:item_new", args=[inspection.pk])):
        body = client.get(url).content.decode()
        assert "不该列出的单位" not in body and "灞桥街道" not in body
    found = client.get(reverse("pick", args=["unit-street"]), {"field": "street", "street-q": "灞桥"})
    assert "灞桥街道" in found.content.decode()
    assert (
        "灞桥街道"
        not in client.get(reverse("pick", args=["unit-department"]), {"field": "d", "d-q": "灞桥"}).content.decode()
    )
