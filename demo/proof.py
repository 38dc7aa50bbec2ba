"""The demo district's proof of visits: a few visits carry a photo (drawn with Pillow at seed time) and one a PDF.

Made through `visits.services.visit_files_add` with `now=` the visit's logged time (so the edit window
holds), from a photo with a phone's EXIF (make, model, GPS) that `visits/proof.py` strips, as it would
a real one. Which visits: ganbu001's latest three (the cadre persona's pages show thumbnails) and the
latest visit of the next few pairings (the overseers' list shows file counts). A few small pictures
keep the seed fast (about 0.1 s in all).
"""

import io
import random

from django.contrib.auth.models import User
from django.db.models import Max
from PIL import Image, ImageDraw

from organisation.models import Pairing
from visits import proof
from visits.models import Visit, VisitFile
from visits.services import visit_files_add

PHOTO_SIZE = (1200, 900)
# A sign-in sheet as a PDF: one page, no fonts needed (the words are the demo's, not a real document's).
SIGN_IN_SHEET = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 44>>stream\n0 0 0 RG 72 700 m 523 700 l S 72 650 m 523 650 l S\nendstream endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def site_photo(rng: random.Random) -> bytes:
    """A picture of a factory under a sky, with the EXIF a phone writes (make, model, where it was taken)."""
    width, height = PHOTO_SIZE
    picture = Image.new("RGB", PHOTO_SIZE, (135, 180, 225))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, height * 2 // 3, width, height), fill=(120, 120, 110))  # the yard
    left = rng.randint(80, 300)
    top = rng.randint(250, 380)
    colour = rng.choice([(200, 200, 205), (190, 170, 150), (170, 190, 200)])
    draw.rectangle((left, top, left + 700, height * 2 // 3 + 40), fill=colour, outline=(60, 60, 60), width=4)
    for column in range(6):
        for row in range(2):
            x, y = left + 40 + column * 110, top + 40 + row * 120
            draw.rectangle((x, y, x + 70, y + 70), fill=(80, 110, 140))
    draw.rectangle((left + 300, height * 2 // 3 - 80, left + 400, height * 2 // 3 + 40), fill=(70, 70, 70))  # a door
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "HUAWEI", "Mate 60"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (34.0, 16.0, 12.0), "E", (109.0, 3.0, 54.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def _prepare(name: str, content: bytes) -> proof.Prepared:
    return proof.prepare(io.BytesIO(content), name, len(content))


def seed_proof(first_pairing: Pairing, others: int = 3) -> int:
    """Attach a photo to ganbu001's latest visits and to a few other pairings' latest; return the files made."""
    if VisitFile.objects.exists():
        return 0
    rng = random.Random(15)  # nosec B311 # a repeatable demo, not security
    visits = list(Visit.objects.filter(pairing=first_pairing).order_by("-created_at", "-pk")[:3])
    latest = (
        Visit.objects.exclude(pairing=first_pairing)
        .values("pairing")
        .annotate(last=Max("pk"))
        .order_by("pairing")
        .values_list("last", flat=True)[:others]
    )
    visits += list(Visit.objects.filter(pk__in=list(latest)).order_by("pk"))
    cadres = dict(Visit.objects.filter(pk__in=[v.pk for v in visits]).values_list("pk", "pairing__cadre__user"))
    users = User.objects.in_bulk(set(cadres.values()))
    made = 0
    for number, visit in enumerate(visits):
        files = [_prepare(f"走访现场{number + 1}.jpg", site_photo(rng))]
        if number == 0:
            files.append(_prepare("座谈会签到表.pdf", SIGN_IN_SHEET))
        visit_files_add(actor=users[cadres[visit.pk]], visit=visit, files=files, now=visit.created_at)
        made += len(files)
    return made
