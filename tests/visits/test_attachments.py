"""Policy attachments: accepted by content through the admin, stored whole or not at all, downloaded in scope."""

import errno
import importlib
import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, reverse

from core.storage import WholeFileStorage
from tests.refusals import shown
from tests.visits import attachment_files as files
from visits.models import Policy

pytestmark = pytest.mark.django_db

ADD = reverse("admin:visits_policy_add")


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploads land in the test's own folder, never under var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _policy_post(attachment=None, **extra) -> dict:
    data = {
        "title": "西安市灞桥区促进民营经济高质量发展若干措施",
        "level": "district",
        "issuing_body": "灞桥区人民政府",
        "summary": "",
        "url": "",
        "published_on": "2026-03-01",
        "is_active": "on",
        "sectors-TOTAL_FORMS": "0",
        "sectors-INITIAL_FORMS": "0",
        "sectors-MIN_NUM_FORMS": "0",
        "sectors-MAX_NUM_FORMS": "1000",
        "_save": "保存",
    }
    if attachment is not None:
        data["attachment"] = attachment
    data.update(extra)
    return data


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    # The browser's content type says "PDF" whatever the file is: it must count for nothing.
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _attachment_codes(response) -> list[str]:
    return [error.code for error in response.context["adminform"].form.errors.as_data().get("attachment", [])]


def _policy(attachment_name: str = "", data: bytes = b"", **fields) -> Policy:
    values = {"title": "关于支持工业企业稳增长的若干措施", "level": "district", "issuing_body": "灞桥区人民政府"}
    values.update(fields)
    if attachment_name:
        values["attachment"] = ContentFile(data, name=attachment_name)
    return Policy.objects.create(**values)


# --- What the office may attach (the admin is the one page that saves attachments) -------------------


@pytest.mark.parametrize("extension", sorted(files.ACCEPTED))
def test_the_office_attaches_each_accepted_kind(client, clerk, media, extension):
    data = files.ACCEPTED[extension]()
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload(f"实施细则.{extension}", data)))

    assert response.status_code == 302, _attachment_codes(response)
    policy = Policy.objects.get()
    assert policy.attachment.name.startswith("policies/")
    assert policy.attachment.name.endswith(f"实施细则.{extension}")
    assert _stored(media) == [media / policy.attachment.name]
    assert (media / policy.attachment.name).read_bytes() == data


def test_an_html_page_with_a_script_named_pdf_is_refused(client, clerk, media):
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload("政策原文.pdf", files.html_with_script())))

    assert response.status_code == 200
    assert _attachment_codes(response) == ["attachment_content"]
    assert not Policy.objects.exists()
    assert _stored(media) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("扫描件.pdf", files.png()),  # an image called a PDF
        ("通知.docx", files.pdf()),
        ("申报表.xlsx", files.docx()),
        ("公文.ofd", files.xlsx()),
        ("照片.png", files.jpeg()),
    ],
)
def test_a_file_whose_name_and_content_disagree_is_refused(client, clerk, media, name, data):
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload(name, data)))

    assert _attachment_codes(response) == ["attachment_mismatch"]
    assert not Policy.objects.exists()
    assert _stored(media) == []


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", files.pdf()),  # the content would pass: the name does not
        ("setup.exe", files.pdf()),
        ("旧版通知.doc", files.ole2()),  # legacy Word: refused on purpose (visits/attachments.py)
        ("旧版公文.wps", files.ole2()),
        ("图.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("无扩展名", files.pdf()),
    ],
)
def test_a_name_outside_the_allow_list_is_refused(client, clerk, media, name, data):
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload(name, data)))

    assert _attachment_codes(response) == ["attachment_type"]
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("材料.docx", files.plain_zip()),
        ("带宏的通知.docx", files.docx(macros=True)),
        ("旧版通知.docx", files.ole2()),
        ("图.png", files.html_with_script()),
        ("公文.ofd", b"PK\x03\x04 a zip that ends here"),
    ],
)
def test_content_outside_the_allow_list_is_refused_whatever_its_name(client, clerk, media, name, data):
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload(name, data)))

    assert _attachment_codes(response) == ["attachment_content"]
    assert not Policy.objects.exists()
    assert _stored(media) == []


def test_an_attachment_over_the_size_cap_is_refused(client, clerk, media, settings):
    settings.CAMPAIGN_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload("大文件.pdf", files.pdf() + b"0" * 1024)))

    assert _attachment_codes(response) == ["attachment_too_large"]
    assert not Policy.objects.exists()


def test_an_empty_attachment_is_refused(client, clerk, media):
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload("空.pdf", b"")))

    # Django's own FileField refuses an empty upload before the allow-list is asked.
    assert _attachment_codes(response) == ["empty"]
    assert not Policy.objects.exists()


def test_the_refusal_is_shown_on_the_form(client, clerk, media):
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload("政策原文.pdf", files.html_with_script())))

    message = response.context["adminform"].form.errors.as_data()["attachment"][0].messages[0]
    assert shown(response, message)


def test_a_long_chinese_file_name_is_stored_short_enough_for_the_disk(client, clerk, media):
    client.force_login(clerk)
    # 92 characters (the form takes up to 100) but 268 bytes: more than a file system takes in a name.
    name = "关于进一步优化营商环境" * 8 + ".pdf"

    response = client.post(ADD, _policy_post(_upload(name, files.pdf())))

    assert response.status_code == 302
    stored = Path(Policy.objects.get().attachment.name)
    assert stored.suffix == ".pdf"
    assert len(stored.name.encode()) < 255


def test_a_policy_edited_without_a_new_file_keeps_its_attachment(client, clerk, media):
    policy = _policy("细则.pdf", files.pdf())
    client.force_login(clerk)

    response = client.post(reverse("admin:visits_policy_change", args=[policy.pk]), _policy_post(title="新标题"))

    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.title == "新标题"
    assert (media / policy.attachment.name).read_bytes() == files.pdf()


def test_the_admin_links_the_stored_attachment_through_the_download_view(client, clerk, media):
    policy = _policy("细则.pdf", files.pdf())
    client.force_login(clerk)

    page = client.get(reverse("admin:visits_policy_change", args=[policy.pk])).content.decode()

    assert f'href="{reverse("visits:policy_attachment", args=[policy.pk])}"' in page
    assert "/media/" not in page
    assert 'accept=".pdf,.docx,.xlsx,.ofd,.png,.jpg,.jpeg"' in page


# --- A disk that will not take the file ------------------------------------------------------------


def _refuse_writes(monkeypatch, error: int) -> None:
    def refuse(self, name, content):
        raise OSError(error, os.strerror(error), str(name))

    monkeypatch.setattr(WholeFileStorage, "_save", refuse)


@pytest.mark.parametrize(
    ("error", "code"),
    [(errno.ENOSPC, "storage_full"), (errno.EACCES, "storage_failed"), (errno.EROFS, "storage_failed")],
)
def test_a_disk_that_refuses_the_file_shows_the_form_again_and_saves_nothing(
    client, clerk, media, monkeypatch, error, code
):
    _refuse_writes(monkeypatch, error)
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload("细则.pdf", files.pdf()), title="不会保存的政策"))

    assert response.status_code == 503
    assert _attachment_codes(response) == [code]
    assert response.context["adminform"].form["title"].value() == "不会保存的政策"  # what was typed is kept
    message = response.context["adminform"].form.errors.as_data()["attachment"][0].messages[0]
    assert shown(response, message)
    assert not Policy.objects.exists()
    assert _stored(media) == []


def test_a_disk_that_refuses_a_new_file_leaves_the_edited_policy_as_it_was(client, clerk, media, monkeypatch):
    policy = _policy("细则.pdf", files.pdf())
    before = policy.attachment.name
    _refuse_writes(monkeypatch, errno.ENOSPC)
    client.force_login(clerk)

    response = client.post(
        reverse("admin:visits_policy_change", args=[policy.pk]),
        _policy_post(_upload("新细则.pdf", files.pdf()), title="改过的标题"),
    )

    assert response.status_code == 503
    assert _attachment_codes(response) == ["storage_full"]
    policy.refresh_from_db()
    assert (policy.title, policy.attachment.name) == ("关于支持工业企业稳增长的若干措施", before)
    assert _stored(media) == [media / before]


def test_a_disk_that_fills_while_the_file_is_written_leaves_no_partial_file(client, clerk, media, monkeypatch):
    # The real storage writes the file, then the disk reports it full when the data reaches it.
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    client.force_login(clerk)

    response = client.post(ADD, _policy_post(_upload("细则.pdf", files.pdf())))

    assert response.status_code == 503
    assert _attachment_codes(response) == ["storage_full"]
    assert not Policy.objects.exists()
    assert (media / "policies").is_dir()  # the file was begun there ...
    assert _stored(media) == []  # ... and is gone, not left at 0 bytes


# --- Downloading ------------------------------------------------------------------------------------


def _download(policy: Policy) -> str:
    return reverse("visits:policy_attachment", args=[policy.pk])


def test_anonymous_is_sent_to_the_login_page(client, media):
    policy = _policy("细则.pdf", files.pdf())

    response = client.get(_download(policy))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["cadre", "staff", "leader", "office"])
def test_each_role_downloads_an_active_policys_attachment(client, media, request, persona):
    user = request.getfixturevalue(persona)
    policy = _policy("关于支持工业企业稳增长的若干措施.pdf", files.pdf())
    client.force_login(getattr(user, "user", user))

    response = client.get(_download(policy))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(Path(policy.attachment.name).name)}"
    assert Path(policy.attachment.name).name == "关于支持工业企业稳增长的若干措施.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == files.pdf()


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("申报表.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("通知.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("公文.ofd", "application/ofd"),
        ("照片.jpg", "image/jpeg"),
    ],
)
def test_the_content_type_is_the_allow_lists_for_the_content(client, cadre, media, name, content_type):
    policy = _policy(name, files.ACCEPTED[name.rsplit(".", 1)[1]]())
    client.force_login(cadre.user)

    response = client.get(_download(policy))

    assert response["Content-Type"] == content_type


def test_an_account_without_a_role_gets_404(client, nobody, media):
    policy = _policy("细则.pdf", files.pdf())
    client.force_login(nobody)

    assert client.get(_download(policy)).status_code == 404
    assert client.get(reverse("visits:policy_detail", args=[policy.pk])).status_code == 404


def test_a_policy_no_longer_in_force_is_the_overseers_alone(client, cadre, office, media):
    policy = _policy("细则.pdf", files.pdf(), is_active=False)

    client.force_login(cadre.user)
    assert client.get(_download(policy)).status_code == 404
    assert client.get(reverse("visits:policy_detail", args=[policy.pk])).status_code == 404

    client.force_login(office)
    assert client.get(_download(policy)).status_code == 200
    assert client.get(reverse("visits:policy_detail", args=[policy.pk])).status_code == 200


def test_a_policy_without_an_attachment_has_nothing_to_download(client, cadre, media):
    client.force_login(cadre.user)

    assert client.get(_download(_policy())).status_code == 404


def test_a_file_stored_before_the_check_and_not_on_the_allow_list_is_not_served(client, cadre, media):
    # The case: an HTML page with a script, stored as a policy's attachment before uploads were checked.
    policy = _policy("政策原文.pdf", files.html_with_script())
    client.force_login(cadre.user)

    assert client.get(_download(policy)).status_code == 404


def test_a_lost_file_is_404_not_500(client, cadre, media):
    policy = _policy("细则.pdf", files.pdf())
    (media / policy.attachment.name).unlink()
    client.force_login(cadre.user)

    assert client.get(_download(policy)).status_code == 404


def test_the_download_is_get_only(client, cadre, media):
    policy = _policy("细则.pdf", files.pdf())
    client.force_login(cadre.user)

    assert client.post(_download(policy)).status_code == 405


def test_the_policy_page_links_the_download_view_not_the_file(client, cadre, media):
    policy = _policy("细则.pdf", files.pdf())
    client.force_login(cadre.user)

    page = client.get(reverse("visits:policy_detail", args=[policy.pk])).content.decode()

    assert f'href="{_download(policy)}"' in page
    assert "/media/" not in page


# --- /media/ is not a folder anyone can read --------------------------------------------------------


@pytest.fixture
def urls_as_in_development(settings):
    """The URLs as `make run` builds them (DEBUG=true), where /media/ used to be served to anyone."""
    from bangqiao_portal import urls

    settings.DEBUG = True
    importlib.reload(urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(urls)
    clear_url_caches()


def test_media_is_not_served_to_anyone_even_in_development(client, cadre, media, urls_as_in_development):
    policy = _policy("细则.pdf", files.pdf())
    url = f"/media/{policy.attachment.name}"
    assert (media / policy.attachment.name).is_file()

    assert client.get(url).status_code == 404
    client.force_login(cadre.user)
    assert client.get(url).status_code == 404
    assert client.get(_download(policy)).status_code == 200  # the file is there, served only by the view
