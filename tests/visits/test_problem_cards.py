"""The visit form's problem cards on a phone: a card in error is named at the top, a card removed is not saved."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from issues.models import Issue
from tests.factories import category
from tests.visits.test_workspace import _two_problems, _visit_post
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _banner(page: str) -> str:
    match = re.search(r'<div class="alert alert-danger" role="alert" id="problem-errors">(.*?)\n  </div>', page, re.S)
    assert match, "no banner of problems to correct"
    return match.group(1)


def test_a_problem_card_in_error_is_named_in_a_banner_at_the_top_of_the_form(client, cadre, department, staff):
    client.force_login(cadre.user)
    data = _visit_post(**_two_problems(department))
    del data["problems-1-category"]  # the second problem, out of sight below the visit's fields
    response = client.post(reverse("visits:visit_new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    banner = _banner(page)
    # Above everything the cadre fills in, and linked to the card itself.
    assert page.index('id="problem-errors"') < page.index('name="visited_on"') < page.index('id="problems-1"')
    assert 'href="#problems-1"' in banner and 'href="#problems-0"' not in banner
    [card] = response.context["problems"].cards_with_errors()
    assert (card.number, card.anchor, card.title) == (2, "problems-1", "施工许可证办理慢")
    assert [label for label, _message in card.errors] == [str(response.context["problems"].forms[1]["category"].label)]
    assert not Visit.objects.exists() and not Issue.objects.exists()


def test_no_banner_when_every_problem_card_is_right(client, cadre, department, staff):
    client.force_login(cadre.user)
    response = client.post(reverse("visits:visit_new"), _visit_post(**_two_problems(department), visited_on=""))
    assert response.status_code == 400  # the visit's own date is missing: it is shown at its field, at the top
    assert 'id="problem-errors"' not in response.content.decode()


def test_a_removed_card_is_neither_checked_nor_saved(client, cadre, department, staff):
    client.force_login(cadre.user)
    data = _visit_post(**_two_problems(department))
    data["problems-0-DELETE"] = "on"
    data["problems-0-note"] = ""  # wrong, but removed: it stops nothing
    response = client.post(reverse("visits:visit_new"), data)
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert list(visit.issues.values_list("title", flat=True)) == ["施工许可证办理慢"]


def test_a_removed_card_stays_hidden_and_out_of_the_banner_and_the_numbering(client, cadre, department, staff):
    client.force_login(cadre.user)
    data = _visit_post(**_two_problems(department))
    data["problems-0-DELETE"] = "on"
    del data["problems-1-category"]
    response = client.post(reverse("visits:visit_new"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'<fieldset [^>]*id="problems-0"[^>]* hidden>', page)  # sent again, DELETE still ticked
    assert re.search(r'name="problems-0-DELETE"[^>]* checked', page)
    [card] = response.context["problems"].cards_with_errors()
    assert (card.number, card.anchor) == (1, "problems-1")  # the first problem the cadre still sees
    assert not Visit.objects.exists() and not Issue.objects.exists()


def test_removed_cards_do_not_count_towards_the_limit_of_ten(client, cadre):
    client.force_login(cadre.user)
    cards = {"problems-TOTAL_FORMS": "11"}
    for i in range(11):
        cards |= {
            f"problems-{i}-title": f"问题{i}",
            f"problems-{i}-category": category("other").pk,
            f"problems-{i}-route": "resolve",
            f"problems-{i}-note": "当场解决。",
        }
    cards["problems-3-DELETE"] = "on"
    assert client.post(reverse("visits:visit_new"), _visit_post(**cards)).status_code == 302
    assert Issue.objects.count() == 10 and not Issue.objects.filter(title="问题3").exists()


def test_more_than_ten_problems_are_refused_in_the_banner_at_the_top(client, cadre):
    client.force_login(cadre.user)
    cards = {"problems-TOTAL_FORMS": "11"}
    for i in range(11):
        cards |= {f"problems-{i}-title": f"问题{i}", f"problems-{i}-category": category("other").pk}
        cards |= {f"problems-{i}-route": "resolve", f"problems-{i}-note": "当场解决。"}
    response = client.post(reverse("visits:visit_new"), _visit_post(**cards))
    assert response.status_code == 400
    assert [e.code for e in response.context["problems"].non_form_errors().as_data()] == ["too_many_forms"]
    page = response.content.decode()
    assert escape(response.context["problems"].non_form_errors()[0]) in _banner(page)
    assert page.index('id="problem-errors"') < page.index('name="visited_on"')
    assert not Visit.objects.exists()


def test_every_card_offers_its_remove_button_and_its_hidden_delete_box(client, cadre):
    client.force_login(cadre.user)
    page = client.get(reverse("visits:visit_new")).content.decode()
    template = page[page.index('<template id="problem-template">') :]
    assert "data-remove-problem" in template
    assert re.search(r'<input type="checkbox" name="problems-__prefix__-DELETE"[^>]* hidden', template)
