"""Supervision's fixtures: inspections of the personas, their items, and uploads kept in the test's own folder.

- `inspection`: a concentrated inspection of `cadre` by `leader`, with an open item for the cadre;
- `unannounced`: an unannounced visit by `leader` to `enterprise` (so about `cadre`, who serves it), with
  what the enterprise said, a photo, and an item for the cadre: the cadre sees the item, never the visit;
- `unit_inspection`: an open visit to `department`, with an item for it.
"""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision.models import Confirmation, Kind, Rating, SupervisionFile, Target
from tests.factories import InspectionFactory, RectificationFactory
from tests.visits import attachment_files


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploads land in the test's own folder, never under var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def png_upload(name: str = "现场照片.png") -> SimpleUploadedFile:
    # The browser's content type counts for nothing: the content decides.
    return SimpleUploadedFile(name, attachment_files.png(), content_type="image/png")


def file_on(leader, **record) -> SupervisionFile:
    return SupervisionFile.objects.create(
        file=ContentFile(attachment_files.png(), name="photo.png"), name="现场照片.png", uploaded_by=leader, **record
    )


@pytest.fixture
def inspection(cadre, leader):
    found = InspectionFactory(cadre=cadre, created_by=leader, inspectors=[leader], method="查阅走访台账。")
    RectificationFactory(inspection=found)
    return found


@pytest.fixture
def item(inspection):
    return inspection.items.get()


@pytest.fixture
def unannounced(cadre, enterprise, leader):
    visit = InspectionFactory(
        kind=Kind.UNANNOUNCED,
        target=Target.ENTERPRISE,
        enterprise=enterprise,
        cadre=cadre,
        created_by=leader,
        inspectors=[leader],
        method="未打招呼，直奔企业车间。",
        findings="企业反映本月未见帮扶干部上门。",
        rating=Rating.POOR,
        visits_confirmed=Confirmation.DENIED,
        said_of_cadre="本月没有见到王建国。",
        said_of_departments="审批局服务热情。",
    )
    file_on(leader, inspection=visit)
    RectificationFactory(inspection=visit, requirement="本月内补齐两次走访并如实记录。")
    return visit


@pytest.fixture
def unannounced_item(unannounced):
    return unannounced.items.get()


@pytest.fixture
def unit_inspection(department, leader):
    visit = InspectionFactory(
        kind=Kind.OPEN_VISIT,
        target=Target.DEPARTMENT,
        cadre=None,
        department=department,
        created_by=leader,
        inspectors=[leader],
        rating=Rating.AVERAGE,
    )
    RectificationFactory(inspection=visit, department=department, cadre=None, requirement="压缩审批时限。")
    return visit


@pytest.fixture
def unit_item(unit_inspection):
    return unit_inspection.items.get()
