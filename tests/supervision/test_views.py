"""The supervision pages for every persona: what each opens, what each may do, and what the pages refuse."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.submissions import TOKEN_FIELD
from supervision.models import Inspection, Kind, Rectification, Response, SupervisionFile
from supervision.services import item_answer
from tests.refusals import refusals, shown
from tests.supervision.conftest import png_upload
from tests.visits import attachment_files

pytestmark = pytest.mark.django_db

PERSONAS = ("cadre", "other_cadre", "staff", "other_staff", "leader", "office", "superuser", "nobody")
OVERSEERS = ("leader", "office", "superuser")
TOKEN = "0b6c8f4e-4f1b-4f8e-9a51-6f1f3f0e2a10"


def _user(request, persona: str):
    found = request.getfixturevalue(persona)
    return getattr(found, "user", found)


@pytest.fixture
def log_in(client, request):
    def _log_in(persona: str):
        user = _user(request, persona)
        client.force_login(user)
        return user

    return _log_in


def _listed(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


def _field_codes(form, field: str | None = None) -> list[str]:
    errors = form.errors.as_data()
    return [error.code for error in errors.get(field if field else "__all__", [])]


# --- Who gets in ----------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, inspection, item, unannounced):
    photo = unannounced.files.get()
    urls = [
        reverse("supervision:ledger"),
        reverse("supervision:inspection_new"),
        reverse("supervision:inspection", args=[inspection.pk]),
        reverse("supervision:item_new", args=[inspection.pk]),
        reverse("supervision:items"),
        reverse("supervision:item", args=[item.pk]),
        reverse("supervision:file", args=[photo.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    for name in ("supervision:item_answer", "supervision:item_check"):
        response = client.post(reverse(name, args=[item.pk]))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("supervision:ledger", "post"),
        ("supervision:items", "post"),
        ("supervision:inspection", "post"),
        ("supervision:item", "post"),
        ("supervision:file", "post"),
        ("supervision:item_answer", "get"),
        ("supervision:item_check", "get"),
    ],
)
def test_each_page_answers_only_its_methods(client, leader, unannounced, unannounced_item, name, method):
    client.force_login(leader)
    pk = {
        "supervision:inspection": unannounced.pk,
        "supervision:file": unannounced.files.get().pk,
    }.get(name, unannounced_item.pk)
    url = reverse(name) if name in ("supervision:ledger", "supervision:items") else reverse(name, args=[pk])
    assert getattr(client, method)(url).status_code == 405


# --- The ledger -----------------------------------------------------------------------------------------

LEDGER_SEES = {
    "cadre": ["inspection"],
    "other_cadre": [],
    "staff": ["unit_inspection"],
    "other_staff": [],
    "nobody": [],
    **{key: ["inspection", "unannounced", "unit_inspection"] for key in OVERSEERS},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_ledger_lists_what_each_persona_may_see(client, log_in, persona, inspection, unannounced, unit_inspection):
    log_in(persona)
    names = {inspection.pk: "inspection", unannounced.pk: "unannounced", unit_inspection.pk: "unit_inspection"}
    response = client.get(reverse("supervision:ledger"))
    assert response.status_code == 200
    assert sorted(names[pk] for pk in _listed(response)) == LEDGER_SEES[persona]


def test_the_ledger_row_says_date_kind_subject_rating_inspectors_and_items(client, leader, unit_inspection):
    client.force_login(leader)
    response = client.get(reverse("supervision:ledger"))
    row = response.context["page"].object_list[0]
    assert (row.items_total, row.items_open, row.items_state) == (1, 1, "open")
    for text in ("区行政审批服务局", "刘海涛", str(unit_inspection.inspected_on)):
        assert shown(response, text)


# --- An inspection's page -------------------------------------------------------------------------------

INSPECTION_OPENS = {
    "inspection": {"cadre", *OVERSEERS},
    "unannounced": set(OVERSEERS),  # never the cadre it is about
    "unit_inspection": {"staff", *OVERSEERS},
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", sorted(INSPECTION_OPENS))
def test_an_inspection_opens_only_for_who_may_see_it(client, log_in, request, persona, which):
    found = request.getfixturevalue(which)
    log_in(persona)
    response = client.get(reverse("supervision:inspection", args=[found.pk]))
    assert response.status_code == (200 if persona in INSPECTION_OPENS[which] else 404)
    circular = client.get(reverse("supervision:inspection", args=[found.pk]), {"format": "docx"})
    assert circular.status_code == (200 if persona in INSPECTION_OPENS[which] else 404)


def test_the_cadre_sees_their_item_of_an_unannounced_visit_but_never_the_visit_nor_its_photo(
    client, cadre, unannounced, unannounced_item
):
    client.force_login(cadre.user)
    assert client.get(reverse("supervision:inspection", args=[unannounced.pk])).status_code == 404
    assert client.get(reverse("supervision:file", args=[unannounced.files.get().pk])).status_code == 404
    page = client.get(reverse("supervision:item", args=[unannounced_item.pk]))
    assert page.status_code == 200
    assert page.context["sees_inspection"] is False
    assert reverse("supervision:inspection", args=[unannounced.pk]) not in page.content.decode()
    assert shown(page, unannounced_item.requirement)
    for note in (unannounced.said_of_cadre, unannounced.method, unannounced.findings):
        assert not shown(page, note)
    items = client.get(reverse("supervision:items"))
    assert _listed(items) == [unannounced_item.pk]


def test_the_overseers_read_the_unannounced_visits_notes(client, leader, unannounced):
    client.force_login(leader)
    response = client.get(reverse("supervision:inspection", args=[unannounced.pk]))
    for note in (unannounced.said_of_cadre, unannounced.said_of_departments, unannounced.method):
        assert shown(response, note)
    assert reverse("supervision:file", args=[unannounced.files.get().pk]) in response.content.decode()


def test_the_inspection_page_lists_its_items_and_offers_overseers_to_raise_one(client, cadre, leader, inspection, item):
    client.force_login(cadre.user)
    response = client.get(reverse("supervision:inspection", args=[inspection.pk]))
    assert [i.pk for i in response.context["items"]] == [item.pk]
    assert response.context["item_form"] is None
    assert reverse("supervision:item_new", args=[inspection.pk]) not in response.content.decode()
    client.force_login(leader)
    response = client.get(reverse("supervision:inspection", args=[inspection.pk]))
    assert response.context["item_form"] is not None


# --- Recording an inspection ----------------------------------------------------------------------------


def _inspection_post(leader, inspected, **changes) -> dict:
    data = {
        TOKEN_FIELD: TOKEN,
        "kind": Kind.CONCENTRATED,
        "inspected_on": timezone.localdate().isoformat(),
        "inspectors": [leader.pk],
        "target": "cadre",
        "cadre": inspected.pk,
        "findings": "走访台账与企业反映一致。",
        "rating": "good",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_overseers_open_the_inspection_form(client, log_in, persona):
    log_in(persona)
    response = client.get(reverse("supervision:inspection_new"))
    assert response.status_code == (200 if persona in OVERSEERS else 403)


def test_the_form_starts_with_the_user_as_inspector_and_a_follow_up_with_what_it_follows(client, leader, inspection):
    client.force_login(leader)
    form = client.get(reverse("supervision:inspection_new")).context["form"]
    assert form["inspectors"].value() == [leader.pk]
    form = client.get(reverse("supervision:inspection_new"), {"follows": inspection.pk}).context["form"]
    assert (form["kind"].value(), form["follows"].value(), form["cadre"].value()) == (
        Kind.FOLLOW_UP,
        inspection.pk,
        inspection.cadre_id,
    )


def test_an_unannounced_visit_is_recorded_in_one_submit_with_its_files(client, leader, cadre, enterprise, media):
    client.force_login(leader)
    data = _inspection_post(
        leader,
        cadre,
        kind=Kind.UNANNOUNCED,
        target="enterprise",
        enterprise=enterprise.pk,
        cadre="",
        visits_confirmed="denied",
        said_of_cadre="本月没有见到干部。",
        rating="poor",
        uploads=[png_upload("车间.png"), png_upload("台账.png")],
    )
    response = client.post(reverse("supervision:inspection_new"), data)
    visit = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision:inspection", args=[visit.pk])
    assert (visit.kind, visit.enterprise, visit.cadre, visit.visits_confirmed) == (
        Kind.UNANNOUNCED,
        enterprise,
        cadre,
        "denied",
    )
    assert sorted(visit.files.values_list("name", flat=True)) == ["台账.png", "车间.png"]
    again = client.post(reverse("supervision:inspection_new"), data)  # a double tap
    assert again.status_code == 302 and Inspection.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"inspected_on": "2099-01-01"}, "inspected_on", "date_out_of_range"),
        ({"target": "enterprise", "cadre": ""}, "enterprise", "no_subject"),
        ({"said_of_cadre": "来过。"}, "visits_confirmed", "said_not_unannounced"),
        ({"findings": "\u200b\u3000"}, "findings", "no_findings"),
    ],
)
def test_a_refused_inspection_says_why_beside_the_field(client, leader, cadre, changes, field, code):
    client.force_login(leader)
    response = client.post(reverse("supervision:inspection_new"), _inspection_post(leader, cadre, **changes))
    assert response.status_code == 400
    assert _field_codes(response.context["form"], field) == [code]
    assert not Inspection.objects.exists()


def test_a_refused_file_is_said_beside_the_files_and_nothing_is_kept(client, leader, cadre, media):
    client.force_login(leader)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("照片.png", attachment_files.html_with_script(), content_type="image/png")
    response = client.post(reverse("supervision:inspection_new"), _inspection_post(leader, cadre, uploads=[bad]))
    assert response.status_code == 400
    assert _field_codes(response.context["form"], "uploads") == ["attachment_content"]
    assert not Inspection.objects.exists() and not SupervisionFile.objects.exists()


def test_a_follow_up_of_something_that_is_not_an_inspection_is_a_form_error(client, leader, cadre):
    client.force_login(leader)
    data = _inspection_post(leader, cadre, kind=Kind.FOLLOW_UP, follows="abc")
    response = client.post(reverse("supervision:inspection_new"), data)
    assert response.status_code == 400
    assert _field_codes(response.context["form"], "follows") == ["invalid_choice"]
    assert client.get(reverse("supervision:inspection_new"), {"follows": "abc"}).status_code == 404


def test_an_inspector_who_is_not_an_overseer_is_no_choice(client, leader, cadre, staff):
    client.force_login(leader)
    data = _inspection_post(leader, cadre, inspectors=[leader.pk, staff.user.pk])
    response = client.post(reverse("supervision:inspection_new"), data)
    assert response.status_code == 400
    assert _field_codes(response.context["form"], "inspectors") == ["invalid_choice"]


# --- Raising an item ------------------------------------------------------------------------------------


def _item_post(**changes) -> dict:
    data = {
        TOKEN_FIELD: TOKEN,
        "requirement": "本月内补齐两次走访。",
        "deadline": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_overseers_raise_items(client, log_in, persona, inspection, cadre):
    log_in(persona)
    url = reverse("supervision:item_new", args=[inspection.pk])
    response = client.post(url, _item_post(cadre=cadre.pk))
    if persona in OVERSEERS:
        assert response.status_code == 302 and inspection.items.count() == 2
    else:
        assert response.status_code == 403 and inspection.items.count() == 1


def test_an_item_is_raised_for_a_unit_and_the_page_says_the_refusals(client, leader, inspection, department, cadre):
    client.force_login(leader)
    url = reverse("supervision:item_new", args=[inspection.pk])
    response = client.post(url, _item_post(deadline="2020-01-01", cadre=cadre.pk))
    assert response.status_code == 400 and _field_codes(response.context["form"], "deadline") == ["deadline_past"]
    response = client.post(url, _item_post(cadre=cadre.pk, department=department.pk))
    assert response.status_code == 400 and _field_codes(response.context["form"], "cadre") == ["one_responsible"]
    response = client.post(url, _item_post(cadre="", department=department.pk))
    assert response.status_code == 302
    assert inspection.items.filter(department=department).exists()


def test_an_item_cannot_be_raised_on_an_inspection_out_of_sight(client, staff, unannounced, leader):
    client.force_login(leader)
    assert client.get(reverse("supervision:item_new", args=[10**6])).status_code == 404


# --- The items list and an item's page ------------------------------------------------------------------

ITEMS_SEE = {
    "cadre": ["inspection", "unannounced"],
    "other_cadre": [],
    "staff": ["unit_inspection"],
    "other_staff": [],
    "nobody": [],
    **{key: ["inspection", "unannounced", "unit_inspection"] for key in OVERSEERS},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_items_list_shows_each_their_own(client, log_in, persona, item, unannounced_item, unit_item):
    log_in(persona)
    names = {item.pk: "inspection", unannounced_item.pk: "unannounced", unit_item.pk: "unit_inspection"}
    response = client.get(reverse("supervision:items"))
    assert sorted(names[pk] for pk in _listed(response)) == ITEMS_SEE[persona]
    for pk, name in names.items():
        page = client.get(reverse("supervision:item", args=[pk]))
        assert page.status_code == (200 if name in ITEMS_SEE[persona] else 404)


def test_the_responsible_cadre_answers_with_evidence_and_the_inspector_accepts(client, cadre, leader, inspection, item):
    client.force_login(cadre.user)
    page = client.get(reverse("supervision:item", args=[item.pk]))
    assert page.context["answer_form"] is not None and page.context["check_form"] is None
    response = client.post(
        reverse("supervision:item_answer", args=[item.pk]),
        {TOKEN_FIELD: TOKEN, "text": "已补齐走访并上传照片。", "uploads": [png_upload()]},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Rectification.Status.ANSWERED
    evidence = Response.objects.get().files.get()
    download = client.get(reverse("supervision:file", args=[evidence.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"

    client.force_login(leader)
    page = client.get(reverse("supervision:item", args=[item.pk]))
    assert page.context["check_form"] is not None and page.context["answer_form"] is None
    response = client.post(
        reverse("supervision:item_check", args=[item.pk]), {TOKEN_FIELD: TOKEN, "verdict": "accept", "note": ""}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    inspection.refresh_from_db()
    assert item.status == Rectification.Status.ACCEPTED and inspection.is_closed


def test_sending_back_needs_a_note(client, cadre, leader, item):
    item_answer(actor=cadre.user, item_id=item.pk, text="已整改。")
    client.force_login(leader)
    url = reverse("supervision:item_check", args=[item.pk])
    response = client.post(url, {TOKEN_FIELD: TOKEN, "verdict": "send_back", "note": " "})
    assert response.status_code == 400 and _field_codes(response.context["check_form"], "note") == ["no_reason"]
    response = client.post(url, {TOKEN_FIELD: TOKEN, "verdict": "send_back", "note": "缺少照片。"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Rectification.Status.SENT_BACK


def test_the_refusals_show_their_message(client, cadre, leader, office, item):
    client.force_login(leader)  # an overseer sees the item but does not answer for it
    response = client.post(
        reverse("supervision:item_answer", args=[item.pk]), {TOKEN_FIELD: TOKEN, "text": "代为答复。"}, follow=True
    )
    assert [code for code, _message in refusals(response)] == ["not_responsible"]
    item_answer(actor=cadre.user, item_id=item.pk, text="已整改。")
    client.force_login(office)  # neither an inspector nor the recorder
    response = client.post(
        reverse("supervision:item_check", args=[item.pk]),
        {TOKEN_FIELD: "5b1f2e64-0c7e-4d2f-9b5e-3a7f8c6d1e20", "verdict": "accept"},
        follow=True,
    )
    assert [code for code, _message in refusals(response)] == ["not_inspector"]
    item.refresh_from_db()
    assert item.status == Rectification.Status.ANSWERED


def test_an_answer_without_text_or_with_a_bad_file_is_shown_again(client, cadre, item, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cadre.user)
    url = reverse("supervision:item_answer", args=[item.pk])
    response = client.post(url, {TOKEN_FIELD: TOKEN, "text": ""})
    assert response.status_code == 400 and _field_codes(response.context["answer_form"], "text") == ["required"]
    bad = SimpleUploadedFile("证明.pdf", attachment_files.png(), content_type="application/pdf")
    response = client.post(url, {TOKEN_FIELD: TOKEN, "text": "已整改。", "uploads": [bad]})
    assert response.status_code == 400
    assert _field_codes(response.context["answer_form"], "uploads") == ["attachment_mismatch"]
    item.refresh_from_db()
    assert item.status == Rectification.Status.OPEN and not Response.objects.exists()


def test_department_staff_answer_their_units_item(client, staff, other_staff, unit_item):
    client.force_login(other_staff.user)
    url = reverse("supervision:item_answer", args=[unit_item.pk])
    assert client.post(url, {TOKEN_FIELD: TOKEN, "text": "已整改。"}).status_code == 404
    client.force_login(staff.user)
    assert client.post(url, {TOKEN_FIELD: TOKEN, "text": "已压缩审批时限。"}).status_code == 302
    unit_item.refresh_from_db()
    assert unit_item.status == Rectification.Status.ANSWERED


# --- Files ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_an_inspections_photo_downloads_only_for_who_sees_the_inspection(client, log_in, persona, unannounced):
    log_in(persona)
    response = client.get(reverse("supervision:file", args=[unannounced.files.get().pk]))
    assert response.status_code == (200 if persona in OVERSEERS else 404)
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == attachment_files.png()


def test_a_stored_file_that_is_not_what_its_name_says_is_never_served(client, leader, unannounced):
    from django.core.files.base import ContentFile

    bad = SupervisionFile.objects.create(
        inspection=unannounced,
        file=ContentFile(attachment_files.html_with_script(), name="x.png"),
        name="x.png",
        uploaded_by=leader,
    )
    client.force_login(leader)
    assert client.get(reverse("supervision:file", args=[bad.pk])).status_code == 404


# --- The menu -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_offers_the_ledger_to_overseers_and_the_items_to_the_responsible(client, log_in, persona):
    log_in(persona)
    page = client.get("/").content.decode()
    assert (f'href="{reverse("supervision:ledger")}"' in page) == (persona in OVERSEERS)
    menu_items = f'class="nav-link" href="{reverse("supervision:items")}"'
    assert (menu_items in page) == (persona in ("cadre", "other_cadre", "staff", "other_staff"))
