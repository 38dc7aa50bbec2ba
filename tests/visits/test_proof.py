"""What a visit's proof may be (visits/proof.py), and the services that store it whole or not at all."""

import datetime
import io
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image

from core.errors import PortalError
from core.storage import WholeFileStorage
from tests import factories
from tests.visits import proof_files as files
from visits import proof
from visits.models import Visit, VisitFile
from visits.services import VisitData, visit_file_remove, visit_files_add, visit_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploads land in the test's own folder, never under var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def prepare(name: str, data: bytes) -> proof.Prepared:
    return proof.prepare(io.BytesIO(data), name, len(data))


def code_of(name: str, data: bytes) -> str:
    with pytest.raises(proof.ProofError) as refused:
        prepare(name, data)
    return refused.value.code


def data(**extra) -> VisitData:
    return VisitData(visited_on=timezone.localdate(), mode=Visit.Mode.ON_SITE, summary="走访", **extra)


def pairing_of(cadre):
    return cadre.pairings.get(ended_on=None)


# --- What is accepted ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(files.ACCEPTED))
def test_each_accepted_kind_is_prepared(name):
    prepared = prepare(name, files.ACCEPTED[name]())

    assert prepared.kind.content_type in {"image/jpeg", "image/png", "image/webp", "application/pdf"}
    assert (prepared.thumbnail is not None) == prepared.is_photo


def test_a_pdf_is_stored_as_it_came():
    original = files.pdf()

    assert prepare("纪要.pdf", original).content == original


# --- What is refused, by content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "code"),
    [
        ("photo.jpg", files.html, "proof_type"),  # an HTML page named .jpg
        ("minutes.pdf", files.png, "proof_mismatch"),  # a PNG named .pdf
        ("IMG_0001.jpg", files.heic, "proof_heic"),  # an iPhone photo renamed .jpg: the content says HEIC
        ("IMG_0001.HEIC", files.heic, "proof_heic"),
        ("bomb.png", files.bomb, "proof_too_many_pixels"),
        ("empty.jpg", lambda: b"", "proof_empty"),
        ("truncated.jpg", lambda: files.jpeg()[:200], "proof_unreadable"),
        ("report.docx", lambda: files.attachment_files.docx(), "proof_type"),  # the library takes it, a visit not
    ],
)
def test_a_file_is_refused_by_its_content(name, make, code):
    assert code_of(name, make()) == code


def test_the_heic_refusal_names_the_file():
    # Its sentence (locale/pending/proof.tsv) tells the cadre the camera setting 兼容性最佳; the code is what is tested.
    with pytest.raises(proof.ProofError) as refused:
        prepare("IMG_0001.HEIC", files.heic())

    assert refused.value.code == "proof_heic"
    assert refused.value.message.startswith("IMG_0001.HEIC")


def test_a_file_too_large_is_refused_before_it_is_read(settings):
    settings.CAMPAIGN_VISIT_FILE_MAX_BYTES = 1000
    photo = files.jpeg(size=(400, 400))
    assert len(photo) > 1000

    assert code_of("photo.jpg", photo) == "proof_too_large"


def test_pillow_s_own_bomb_limit_is_a_refusal_too(monkeypatch):
    # Below our own limit, but past Pillow's (lowered here): its warning is a refusal, not a log line.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    assert code_of("photo.png", files.png(size=(64, 32))) == "proof_too_many_pixels"


def test_one_file_too_many_is_refused(settings):
    settings.CAMPAIGN_VISIT_FILES_MAX = 2
    uploads = [files.upload(f"p{i}.jpg", files.jpeg()) for i in range(3)]

    with pytest.raises(proof.ProofError) as refused:
        proof.prepare_all(uploads)
    assert refused.value.code == "proof_too_many"
    with pytest.raises(proof.ProofError):
        proof.prepare_all(uploads[:1], having=2)
    assert len(proof.prepare_all(uploads[:2])) == 2


# --- What a photo keeps, and what it loses ------------------------------------------------------------------


def test_location_and_device_data_are_stripped_from_a_stored_photo(cadre, media):
    upload = files.jpeg(exif=files.phone_exif())
    sent = Image.open(io.BytesIO(upload)).getexif()
    assert sent[files.MAKE] == "Apple" and sent[files.MODEL] == "iPhone 15 Pro"
    assert sent.get_ifd(files.GPS_IFD)[2] == (34.0, 16.0, 30.0)

    visit = visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data(), files=[prepare("IMG.jpg", upload)])

    row = visit.files.get()
    for field in (row.file, row.thumbnail):
        kept = Path(field.path).read_bytes()
        assert b"iPhone" not in kept and b"Apple" not in kept and b"Exif" not in kept
        exif = Image.open(field.path).getexif()
        assert files.MAKE not in exif and files.MODEL not in exif and files.GPS_IFD not in exif
    assert row.content_type == "image/jpeg" and row.size == Path(row.file.path).stat().st_size


def test_a_png_and_a_webp_lose_their_exif_too():
    for name, make in (("a.png", files.png), ("a.webp", files.webp)):
        cleaned = prepare(name, make(exif=files.phone_exif())).content
        assert b"iPhone" not in cleaned
        assert files.GPS_IFD not in Image.open(io.BytesIO(cleaned)).getexif()


def test_xmp_is_stripped_too():
    # XMP can carry the position as well (exif:GPSLatitude), outside the EXIF block.
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>34,16.5N</exif:GPSLatitude></x:xmpmeta>'
    Image.new("RGB", (32, 32), "red").save(out, "JPEG", xmp=xmp)
    assert b"GPSLatitude" in out.getvalue()

    cleaned = prepare("a.jpg", out.getvalue()).content

    assert b"GPSLatitude" not in cleaned and "xmp" not in Image.open(io.BytesIO(cleaned)).info


def test_a_phone_s_multi_picture_jpeg_is_accepted_as_its_first_picture():
    # MPO: a JPEG with a second picture appended (a depth map, a live photo's frame), as many phones write.
    out = io.BytesIO()
    Image.new("RGB", (64, 32), "red").save(
        out, "MPO", save_all=True, append_images=[Image.new("RGB", (32, 16), "blue")], exif=files.phone_exif()
    )
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"

    stored = Image.open(io.BytesIO(prepare("IMG.jpg", out.getvalue()).content))

    assert stored.format == "JPEG" and stored.size == (64, 32) and getattr(stored, "n_frames", 1) == 1
    assert files.GPS_IFD not in stored.getexif()


def test_the_photo_is_turned_upright_by_its_orientation():
    # Orientation 6: the camera was held upright, the sensor wrote the picture lying on its side.
    prepared = prepare("IMG.jpg", files.jpeg(size=(64, 32), exif=files.phone_exif(orientation=6)))

    upright = Image.open(io.BytesIO(prepared.content))
    assert upright.size == (32, 64)
    # Turned 90° clockwise: the left half (red) is now on top, the right (blue) below.
    top, bottom = upright.convert("RGB").getpixel((16, 4)), upright.convert("RGB").getpixel((16, 60))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (32, 64)


def test_the_thumbnail_is_a_small_jpeg():
    prepared = prepare("big.png", files.png(size=(2000, 1000)))

    thumb = Image.open(io.BytesIO(prepared.thumbnail))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == proof.THUMB_SIZE and thumb.size == (320, 160)
    assert len(prepared.thumbnail) < 20_000


# --- The services: stored whole, or not at all ------------------------------------------------------------


def test_a_visit_is_logged_with_its_files(cadre, media):
    prepared = [prepare("现场.jpg", files.jpeg()), prepare("签到表.pdf", files.pdf())]

    visit = visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data(), files=prepared)

    rows = list(visit.files.order_by("pk"))
    assert [(r.name, r.content_type, bool(r.thumbnail)) for r in rows] == [
        ("现场.jpg", "image/jpeg", True),
        ("签到表.pdf", "application/pdf", False),
    ]
    assert len(stored(media)) == 3  # two files and one thumbnail
    # The disk never holds the cadre's own name for the file (it is kept on the row).
    assert all(p.name.isascii() for p in stored(media))


def test_a_disk_that_refuses_the_second_file_leaves_no_visit_and_no_file(cadre, media, monkeypatch):
    real_save = WholeFileStorage._save
    calls = []

    def failing_save(self, name, content):
        calls.append(name)
        if len(calls) == 3:  # the first file and its thumbnail were written; the second file is not
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(WholeFileStorage, "_save", failing_save)
    prepared = [prepare("a.jpg", files.jpeg()), prepare("b.jpg", files.jpeg())]

    with pytest.raises(PortalError) as refused:
        visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data(), files=prepared)

    assert refused.value.code == "storage_full"
    assert len(calls) == 3
    assert not Visit.objects.exists() and not VisitFile.objects.exists()
    assert stored(media) == []


def test_a_failure_after_the_service_removes_the_files_it_wrote(cadre, media):
    # As when the one-time token cannot be saved after the visit was: the view's block fails, its files go.
    with pytest.raises(RuntimeError), proof.removed_on_failure():
        visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data(), files=[prepare("a.jpg", files.jpeg())])
        assert len(stored(media)) == 2
        raise RuntimeError("the token could not be saved")

    assert stored(media) == []


def test_too_many_files_are_refused_by_the_service_too(cadre, settings):
    settings.CAMPAIGN_VISIT_FILES_MAX = 1
    prepared = [prepare("a.jpg", files.jpeg()), prepare("b.jpg", files.jpeg())]

    with pytest.raises(PortalError) as refused:
        visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data(), files=prepared)
    assert refused.value.code == "proof_too_many"


def test_files_are_added_and_removed_while_the_visit_can_be_corrected(cadre, media, django_capture_on_commit_callbacks):
    visit = visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data())

    visit_files_add(actor=cadre.user, visit=visit, files=[prepare("a.jpg", files.jpeg())])
    row = visit.files.get()
    assert len(stored(media)) == 2

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        visit_file_remove(actor=cadre.user, file=row)
    # Until the removal commits, the file stays on the disk (a rollback keeps the row, which needs it).
    assert not visit.files.exists() and len(stored(media)) == 2
    for callback in callbacks:
        callback()
    assert stored(media) == []


def test_files_cannot_be_added_to_a_locked_visit_or_by_another_cadre(cadre, other_cadre, settings):
    logged = timezone.now() - datetime.timedelta(days=settings.CAMPAIGN_VISIT_EDIT_DAYS + 1)
    locked = factories.VisitFactory(pairing=pairing_of(cadre), created_at=logged)
    fresh = factories.VisitFactory(pairing=pairing_of(cadre))
    photo = [prepare("a.jpg", files.jpeg())]

    for actor, visit, code in ((cadre.user, locked, "visit_locked"), (other_cadre.user, fresh, "not_own_pairing")):
        with pytest.raises(PortalError) as refused:
            visit_files_add(actor=actor, visit=visit, files=photo)
        assert refused.value.code == code
    assert not VisitFile.objects.exists()


def test_a_file_cannot_be_removed_from_a_locked_visit(cadre, settings):
    visit = visit_log(actor=cadre.user, pairing=pairing_of(cadre), data=data(), files=[prepare("a.jpg", files.jpeg())])
    later = timezone.now() + datetime.timedelta(days=settings.CAMPAIGN_VISIT_EDIT_DAYS + 1)

    with pytest.raises(PortalError) as refused:
        visit_file_remove(actor=cadre.user, file=visit.files.get(), now=later)
    assert refused.value.code == "visit_locked"
    assert visit.files.exists()
