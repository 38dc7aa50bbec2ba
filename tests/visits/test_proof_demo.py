"""The demo district's proof of visits (demo/proof.py): a few visits show thumbnails, their photos stripped."""

import pytest
from django.urls import reverse
from PIL import Image

from visits.models import VisitFile

pytestmark = pytest.mark.django_db


def test_the_demo_district_has_visits_with_photos_and_a_pdf(demo_district, client):
    photos = VisitFile.objects.filter(content_type="image/jpeg").select_related("visit__pairing__cadre__user")
    assert demo_district.created["visit_files"] == VisitFile.objects.count() == photos.count() + 1 >= 4
    # ganbu001, the cadre persona, sees thumbnails on their own visits.
    mine = photos.filter(visit__pairing__cadre__user__username="ganbu001")
    assert mine.count() == 3

    photo = mine.first()
    assert photo.thumbnail
    stored = Image.open(photo.file.path)
    assert 0x8825 not in stored.getexif() and 0x010F not in stored.getexif()  # the seed's GPS and make are gone
    client.force_login(photo.visit.pairing.cadre.user)
    page = client.get(reverse("visits:visit_detail", args=[photo.visit_id])).content.decode()
    assert reverse("visits:visit_file_thumbnail", args=[photo.pk]) in page
    assert client.get(reverse("visits:visit_file_thumbnail", args=[photo.pk])).status_code == 200
