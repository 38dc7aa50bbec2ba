"""A visit's proof on the pages: the visit form's files, the scoped downloads, logged-at and the enterprise's
confirmation on the visit page, list and 我的企业, the confirmation filter and the per-visit export."""

import datetime
import io
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from tests import factories
from tests.refusals import refusals
from tests.submissions import with_token
from tests.visits import proof_files as files
from visits import proof
from visits.models import EnterpriseAnswer, Visit, VisitFile
from visits.services import VisitData, visit_log

pytestmark = pytest.mark.django_db
VISIT_NEW = reverse("visits:visit_new")
LIST = reverse("visits:visit_list")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def visit_form(**extra) -> dict:
    return with_token(
        {
            "visited_on": timezone.localdate().isoformat(),
            "mode": "on_site",
            "summary": "走访座谈",
            "problems-TOTAL_FORMS": "0",
            "problems-INITIAL_FORMS": "0",
            "problems-MIN_NUM_FORMS": "0",
            "problems-MAX_NUM_FORMS": "10",
            **extra,
        }
    )


def prepare(name: str, data: bytes) -> proof.Prepared:
    return proof.prepare(io.BytesIO(data), name, len(data))


@pytest.fixture
def visit(cadre):
    """The cadre's visit with a photo (its EXIF stripped) and a PDF."""
    data = VisitData(visited_on=timezone.localdate(), mode=Visit.Mode.ON_SITE, summary="走访")
    photo = prepare("现场 照片.jpg", files.jpeg(exif=files.phone_exif()))
    return visit_log(
        actor=cadre.user,
        pairing=cadre.pairings.get(ended_on=None),
        data=data,
        files=[photo, prepare("签到表.pdf", files.pdf())],
    )


def photo_of(visit: Visit) -> VisitFile:
    return visit.files.get(content_type="image/jpeg")


def pdf_of(visit: Visit) -> VisitFile:
    return visit.files.get(content_type="application/pdf")


# --- The visit form --------------------------------------------------------------------------------------


def test_the_form_offers_photos_and_pdfs_to_a_phone_and_says_files_are_not_kept(client, cadre):
    client.force_login(cadre.user)
    page = client.get(VISIT_NEW).content.decode()

    assert 'enctype="multipart/form-data"' in page
    assert 'accept="image/*,application/pdf"' in page and " multiple " in page


def test_a_visit_is_logged_with_its_photos_and_files(client, cadre, media):
    client.force_login(cadre.user)
    upload = [files.upload("现场.jpg", files.jpeg()), files.upload("签到表.pdf", files.pdf(), "application/pdf")]

    response = client.post(VISIT_NEW, visit_form(proof_files=upload))

    visit = Visit.objects.get()
    assert response.status_code == 302 and response.url == reverse("visits:visit_detail", args=[visit.pk])
    assert sorted(visit.files.values_list("name", flat=True)) == ["现场.jpg", "签到表.pdf"]
    assert len(stored(media)) == 3


def test_one_refused_file_refuses_the_whole_visit_and_writes_nothing(client, cadre, media):
    client.force_login(cadre.user)
    upload = [files.upload("现场.jpg", files.jpeg()), files.upload("fake.jpg", files.html(), "image/jpeg")]

    response = client.post(VISIT_NEW, visit_form(proof_files=upload))

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["proof_files"]] == ["proof_type"]
    assert not Visit.objects.exists() and stored(media) == []
    # The browser keeps what was typed, never the files: the page says to choose them again.
    assert 'id="files-again"' in response.content.decode()


def test_one_file_too_many_refuses_the_visit(client, cadre, media, settings):
    settings.CAMPAIGN_VISIT_FILES_MAX = 1
    client.force_login(cadre.user)
    upload = [files.upload("a.jpg", files.jpeg()), files.upload("b.jpg", files.jpeg())]

    response = client.post(VISIT_NEW, visit_form(proof_files=upload))

    assert [e.code for e in response.context["form"].errors.as_data()["proof_files"]] == ["proof_too_many"]
    assert not Visit.objects.exists() and stored(media) == []


def test_the_visit_sent_twice_with_its_photo_is_filed_once(client, cadre, media):
    client.force_login(cadre.user)
    form = visit_form()

    for _ in range(2):
        client.post(VISIT_NEW, {**form, "proof_files": [files.upload("a.jpg", files.jpeg())]})

    assert Visit.objects.count() == 1 and VisitFile.objects.count() == 1
    assert len(stored(media)) == 2


# --- Adding and removing later ----------------------------------------------------------------------------


def test_the_cadre_adds_and_removes_files_on_the_visit_page(client, cadre, visit, media):
    client.force_login(cadre.user)
    add = reverse("visits:visit_files_add", args=[visit.pk])

    response = client.post(add, with_token({"proof_files": [files.upload("补充.png", files.png(), "image/png")]}))
    assert response.status_code == 302
    assert visit.files.count() == 3

    response = client.post(reverse("visits:visit_file_remove", args=[pdf_of(visit).pk]))
    assert response.status_code == 302
    assert visit.files.count() == 2


def test_a_refused_addition_is_said_by_its_code(client, cadre, visit):
    client.force_login(cadre.user)

    response = client.post(
        reverse("visits:visit_files_add", args=[visit.pk]),
        with_token({"proof_files": [files.upload("IMG.HEIC", files.heic())]}),
        follow=True,
    )

    assert [code for code, _ in refusals(response)] == ["proof_heic"]
    assert visit.files.count() == 2


def test_a_locked_visit_shows_no_add_form_and_refuses_an_addition(client, cadre, visit, settings):
    Visit.objects.filter(pk=visit.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=settings.CAMPAIGN_VISIT_EDIT_DAYS + 1)
    )
    client.force_login(cadre.user)
    assert client.get(reverse("visits:visit_detail", args=[visit.pk])).context["files_form"] is None

    response = client.post(
        reverse("visits:visit_files_add", args=[visit.pk]),
        with_token({"proof_files": [files.upload("a.jpg", files.jpeg())]}),
        follow=True,
    )
    assert [code for code, _ in refusals(response)] == ["visit_locked"]
    response = client.post(reverse("visits:visit_file_remove", args=[pdf_of(visit).pk]), follow=True)
    assert [code for code, _ in refusals(response)] == ["visit_locked"]
    assert visit.files.count() == 2


def test_another_cadre_cannot_add_or_remove(client, other_cadre, leader, visit):
    client.force_login(other_cadre.user)
    photo = {"proof_files": [files.upload("a.jpg", files.jpeg())]}
    assert client.post(reverse("visits:visit_files_add", args=[visit.pk]), with_token(photo)).status_code == 404
    assert client.post(reverse("visits:visit_file_remove", args=[pdf_of(visit).pk])).status_code == 404
    client.force_login(leader)
    assert client.post(reverse("visits:visit_file_remove", args=[pdf_of(visit).pk])).status_code == 403
    assert visit.files.count() == 2


def test_adding_and_removing_are_post_only(client, cadre, visit):
    client.force_login(cadre.user)
    assert client.get(reverse("visits:visit_files_add", args=[visit.pk])).status_code == 405
    assert client.get(reverse("visits:visit_file_remove", args=[pdf_of(visit).pk])).status_code == 405


def test_anonymous_is_sent_to_log_in_to_add_or_remove(client, visit):
    for url in (
        reverse("visits:visit_files_add", args=[visit.pk]),
        reverse("visits:visit_file_remove", args=[pdf_of(visit).pk]),
    ):
        response = client.post(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Downloads ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("cadre", 200), ("other_cadre", 404), ("staff", 404), ("leader", 200), ("office", 200)],
)
def test_downloads_are_served_only_to_who_sees_the_visit(client, everyone, visit, persona, status):
    client.force_login(everyone[persona])
    for url in (
        reverse("visits:visit_file", args=[photo_of(visit).pk]),
        reverse("visits:visit_file_thumbnail", args=[photo_of(visit).pk]),
        reverse("visits:visit_file", args=[pdf_of(visit).pk]),
    ):
        assert client.get(url).status_code == status, url


def test_anonymous_is_sent_to_log_in_for_a_download(client, visit):
    for name in ("visit_file", "visit_file_thumbnail"):
        response = client.get(reverse(f"visits:{name}", args=[photo_of(visit).pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_photo_is_served_with_its_name_its_type_and_no_copy_kept(client, cadre, visit):
    client.force_login(cadre.user)
    response = client.get(reverse("visits:visit_file", args=[photo_of(visit).pk]))

    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert quote("现场 照片.jpg") in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"iPhone" not in body and Image.open(io.BytesIO(body)).format == "JPEG"


def test_a_pdf_is_downloaded_never_shown_in_the_page(client, cadre, visit):
    client.force_login(cadre.user)
    response = client.get(reverse("visits:visit_file", args=[pdf_of(visit).pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    # A PDF has no thumbnail.
    assert client.get(reverse("visits:visit_file_thumbnail", args=[pdf_of(visit).pk])).status_code == 404


def test_the_thumbnail_is_a_small_jpeg(client, cadre, visit):
    client.force_login(cadre.user)
    response = client.get(reverse("visits:visit_file_thumbnail", args=[photo_of(visit).pk]))

    thumb = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert response["Content-Type"] == "image/jpeg" and thumb.format == "JPEG"
    assert max(thumb.size) <= proof.THUMB_SIZE


def test_a_lost_or_swapped_file_is_not_served(client, cadre, visit):
    client.force_login(cadre.user)
    photo = photo_of(visit)
    Path(photo.file.path).write_bytes(files.html())  # something else now stands under the photo's name
    assert client.get(reverse("visits:visit_file", args=[photo.pk])).status_code == 404
    Path(pdf_of(visit).file.path).unlink()
    assert client.get(reverse("visits:visit_file", args=[pdf_of(visit).pk])).status_code == 404


def test_downloads_are_get_only(client, cadre, visit):
    client.force_login(cadre.user)
    assert client.post(reverse("visits:visit_file", args=[photo_of(visit).pk])).status_code == 405
    assert client.post(reverse("visits:visit_file_thumbnail", args=[photo_of(visit).pk])).status_code == 405


def test_media_is_never_served_directly(client, cadre, visit):
    client.force_login(cadre.user)
    assert client.get(f"/media/{photo_of(visit).file.name}").status_code == 404


# --- What the pages show -------------------------------------------------------------------------------------


def test_the_visit_page_shows_logged_at_thumbnails_and_links(client, leader, visit):
    client.force_login(leader)
    page = client.get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()

    logged = timezone.localtime(visit.created_at).strftime("%Y-%m-%d %H:%M")
    assert logged in page.split('id="visit-logged"')[1].split("</p>")[0]
    assert reverse("visits:visit_file_thumbnail", args=[photo_of(visit).pk]) in page
    assert reverse("visits:visit_file", args=[pdf_of(visit).pk]) in page
    assert 'data-confirmation="none"' in page
    # An overseer sees the proof but may not change it.
    assert reverse("visits:visit_files_add", args=[visit.pk]) not in page


@pytest.mark.parametrize("answer", EnterpriseAnswer.values)
def test_the_visit_page_shows_the_enterprise_s_answer_with_its_remark_and_time(client, cadre, visit, answer):
    Visit.objects.filter(pk=visit.pk).update(
        enterprise_answer=answer, enterprise_remark="书记来过", enterprise_answered_at=timezone.now()
    )
    client.force_login(cadre.user)
    page = client.get(reverse("visits:visit_detail", args=[visit.pk])).content.decode()

    assert f'data-confirmation="{answer}"' in page
    assert "书记来过" in page.split('id="enterprise-remark"')[1]


def test_my_enterprise_shows_each_visit_s_confirmation(client, cadre, visit):
    Visit.objects.filter(pk=visit.pk).update(enterprise_answer=EnterpriseAnswer.CONFIRMED)
    client.force_login(cadre.user)

    page = client.get(reverse("visits:my_enterprise")).content.decode()

    assert 'data-confirmation="confirmed"' in page


def _visits(cadre, n: int) -> None:
    pairing = cadre.pairings.get(ended_on=None)
    answers = ["", EnterpriseAnswer.CONFIRMED, EnterpriseAnswer.DENIED]
    for i in range(n):
        v = factories.VisitFactory(pairing=pairing, enterprise_answer=answers[i % 3])
        VisitFile.objects.create(
            visit=v, name=f"{i}.pdf", content_type="application/pdf", size=10, uploaded_by=cadre.user
        )


@pytest.mark.parametrize(("value", "expected"), [("confirmed", 2), ("denied", 2), ("none", 2), ("", 6)])
def test_the_list_filters_on_the_enterprise_s_confirmation(client, leader, cadre, value, expected):
    _visits(cadre, 6)
    client.force_login(leader)

    response = client.get(LIST, {"confirmation": value})

    assert response.context["page"].paginator.count == expected


def test_the_list_shows_logged_at_the_confirmation_and_the_file_count(client, leader, cadre):
    _visits(cadre, 2)
    client.force_login(leader)
    page = client.get(LIST).content.decode()

    assert 'data-confirmation="none"' in page and 'data-confirmation="confirmed"' in page
    assert page.count('data-file-count="1"') == 2


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx)


def test_the_list_and_its_export_run_the_same_queries_for_more_visits(client, settings, leader, cadre):
    settings.KEPT_SECONDS = 0  # the list's count made every time (tests/visits/test_kept_figures.py: kept)
    client.force_login(leader)
    _visits(cadre, 2)
    small = (_queries(client, LIST), _queries(client, f"{LIST}?format=xlsx"))
    _visits(cadre, 10)
    large = (_queries(client, LIST), _queries(client, f"{LIST}?format=xlsx"))

    assert small == large
    assert large == LIST_AND_EXPORT_QUERIES


# The session, the user and their roles (3); the list: the count, the bell's count, the streets' and units'
# choices, the page (its files counted in it); the export: the rows (their files counted in them).
LIST_AND_EXPORT_QUERIES = (8, 4)


def test_the_export_has_a_row_per_visit_with_logged_at_the_answer_and_the_files(client, leader, cadre):
    _visits(cadre, 3)
    client.force_login(leader)

    response = client.get(f"{LIST}?format=xlsx&confirmation=confirmed")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one confirmed visit
    header, row = rows
    visit = Visit.objects.get(enterprise_answer=EnterpriseAnswer.CONFIRMED)
    assert len(header) == len(row) == 12
    # Visited on, logged at (the district's local time), …, the enterprise's answer, …, the number of files.
    assert row[0] == datetime.datetime.combine(visit.visited_on, datetime.time.min)
    assert row[1] == timezone.localtime(visit.created_at).replace(tzinfo=None, microsecond=0)
    assert row[8] == str(EnterpriseAnswer.CONFIRMED.label)
    assert row[-1] == 1


def test_the_export_is_scoped_to_who_sees_the_visits(client, other_cadre, cadre):
    _visits(cadre, 2)
    client.force_login(other_cadre.user)

    sheet = load_workbook(io.BytesIO(b"".join(client.get(f"{LIST}?format=xlsx").streaming_content))).active

    assert sheet.max_row == 1


def test_the_visit_admin_lists_its_files_read_only_through_the_scoped_download(client, superuser, visit):
    client.force_login(superuser)
    page = client.get(reverse("admin:visits_visit_change", args=[visit.pk])).content.decode()

    assert reverse("visits:visit_file", args=[photo_of(visit).pk]) in page
    assert "/media/" not in page  # the file fields' own widget would link there
    assert 'name="files-0-name"' not in page  # nothing to edit
