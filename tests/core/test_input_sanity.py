"""The typed helpers every view and service asks: ids, the date window, visible text; and the reported 500s."""

import datetime

import pytest
from django.http import Http404

from core import dates
from core.params import parse_id
from core.text import is_blank


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "0", str(10**30), "1\x00", "١", "²", " 1", "🏭"])
def test_a_malformed_id_is_not_found(value):
    with pytest.raises(Http404):
        parse_id(value)


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("7", 7), (str(2**63 - 1), 2**63 - 1)])
def test_an_id_parses(value, expected):
    assert parse_id(value) == expected


def test_the_date_window_is_2000_to_ten_years_ahead():
    today = datetime.date(2026, 11, 27)
    assert dates.in_range(datetime.date(2000, 1, 1), today) and dates.in_range(datetime.date(2036, 11, 27), today)
    assert not dates.in_range(datetime.date(1999, 12, 31), today)
    assert not dates.in_range(datetime.date(2036, 11, 28), today)
    assert dates.latest(datetime.date(2028, 2, 29)) == datetime.date(2038, 2, 28)
    with pytest.raises(dates.DateOutOfRange) as exc:
        dates.check_date(datetime.date(9999, 12, 31), today)
    assert exc.value.code == "date_out_of_range"


@pytest.mark.parametrize(
    "text", ["", "  ", "\u200b\u200c\u200d\ufeff", "\u200e\u200f\u202a\u202e\u2066\u2069", "\u3000\t\n"]
)
def test_text_of_invisible_characters_is_blank(text):
    assert is_blank(text)


@pytest.mark.parametrize("text", ["办结", "\u200b1", "🏭"])
def test_text_that_shows_something_is_not_blank(text):
    assert not is_blank(text)


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/issues/report/?visit=abc", None),
        ("get", "/cadres/errands/new/?visit=abc", None),
        ("get", f"/cadres/errands/new/?visit={10**30}", None),
        ("post", "/issues/report/", {"visit": "1.5", "title": "供电"}),
        ("post", "/cadres/errands/new/", {"visit": "-1"}),
    ],
)
def test_a_malformed_visit_parameter_is_not_found_not_a_500(client, cadre, method, url, data):
    client.force_login(cadre.user)
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 404


def test_a_non_path_next_after_reading_all_goes_to_the_list(client, cadre):
    client.force_login(cadre.user)
    for target in ("0", "-1", "abc", "home"):
        response = client.post("/notifications/read-all/", {"next": target})
        assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_a_policy_choice_of_a_huge_number_is_a_form_error(client, cadre):
    client.force_login(cadre.user)
    response = client.post("/cadres/visits/new/", {"policies": str(10**30), "visited_on": "2026-11-01"})
    assert response.status_code in {200, 400}
