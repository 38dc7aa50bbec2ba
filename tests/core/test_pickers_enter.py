"""Enter in a form with search pickers, without JavaScript (core/pickers.py, templates/core/_picker.html).

A form's default button (what Enter in a text field presses) is its first submit button: it was a picker's
Search button, so Enter saved nothing and searched. A hidden submit button now comes first; and a search box
whose text was not searched yet (its `-q-shown` field, sent only without JavaScript, says what was) still
searches on Enter, so the text typed there is never silently ignored. The browser's side is in
tests/browser/test_pickers.py.
"""

import re

import pytest
from django.urls import reverse

from core.pickers import PLAIN_UP_TO, SHOWN, searching
from issues.models import Issue
from tests.issues.test_roadmap_pickers import _units, _visit_post
from visits.models import Visit

pytestmark = pytest.mark.django_db
VISIT_NEW = reverse("visits:visit_new")
SHOWN_BOX = f"problems-0-department-q{SHOWN}"


def test_the_first_submit_button_of_a_picker_is_a_hidden_one_sending_the_form_as_it_is(client, cadre):
    _units(PLAIN_UP_TO + 1)
    client.force_login(cadre.user)
    body = client.get(reverse("issues:report")).content.decode()
    picker = body[body.index('<div class="picker">') :]
    buttons = re.findall(r"<button[^>]*>", picker)
    # Before the Search button, in the same <noscript>-only part: a hidden button with no name (no search).
    assert buttons[0] == '<button type="submit" hidden tabindex="-1" data-picker-default>'
    assert 'name="pick"' in buttons[1]
    assert '<noscript><button type="submit" hidden' in picker  # with JavaScript, the form's own button is first
    assert f'<input type="hidden" name="department-q{SHOWN}" value="">' in picker


def test_searching_is_the_search_button_or_new_text_in_a_search_box():
    assert searching({"pick": "department"})
    assert searching({"department-q": "财政", f"department-q{SHOWN}": ""})
    assert searching({"department-q": "财政局", f"department-q{SHOWN}": "财政"})
    assert not searching({"department-q": "财政", f"department-q{SHOWN}": "财政"})
    assert not searching({"department-q": "  ", f"department-q{SHOWN}": "财政"})  # emptied: nothing to search
    # With JavaScript the box's text is sent without `-q-shown` (in <noscript>): the form is saved.
    assert not searching({"department-q": "财政"})


def test_enter_with_new_text_in_the_search_box_searches_and_saves_nothing(client, cadre):
    units = _units(PLAIN_UP_TO + 5, name="区测试局")
    wanted = units[7]
    client.force_login(cadre.user)
    # Enter pressed the hidden default button: no `pick`, only the box's new text.
    response = client.post(VISIT_NEW, {**_visit_post(**{"department-q": wanted.name}), SHOWN_BOX: ""})
    body = response.content.decode()
    assert response.status_code == 200 and not Visit.objects.exists()
    assert f'<option value="{wanted.pk}">{wanted.name}</option>' in body
    # What the select now holds is the matches of that text: said back in the field sent without JavaScript.
    assert f'name="{SHOWN_BOX}" value="{wanted.name}"' in body
    assert not response.context["problems"].forms[0].errors


def test_enter_after_the_search_was_seen_saves(client, cadre):
    units = _units(PLAIN_UP_TO + 5, name="区测试局")
    wanted = units[7]
    client.force_login(cadre.user)
    data = _visit_post(department=wanted.pk, responsible_person="张晓明", **{"department-q": wanted.name})
    response = client.post(VISIT_NEW, {**data, SHOWN_BOX: wanted.name})
    assert response.status_code == 302
    assert Issue.objects.get().department == wanted
