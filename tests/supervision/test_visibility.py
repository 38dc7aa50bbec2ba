"""Who sees which inspections, items and files: every persona, through the models' `visible_to`."""

import pytest

from supervision.models import Inspection, Rectification, SupervisionFile
from supervision.services import item_answer
from tests.supervision.conftest import png_upload
from tests.visibility import expected, seen_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspections(inspection, unannounced, unit_inspection):
    return {"inspection": inspection, "unannounced": unannounced, "unit_inspection": unit_inspection}


def _names(found: dict, rows) -> list[str]:
    by_pk = {row.pk: name for name, row in found.items()}
    return [by_pk[pk] for pk in rows.values_list("pk", flat=True)]


def test_a_cadre_never_sees_an_unannounced_visit_not_even_about_themselves(everyone, inspections):
    seen = seen_by(everyone, lambda user: _names(inspections, Inspection.objects.visible_to(user)))
    assert seen == expected(
        inspections,
        cadre=["inspection"],
        other_cadre=[],
        successor=[],
        staff=["unit_inspection"],
        other_staff=[],
    )


def test_each_sees_their_own_items_the_unannounced_visits_included(everyone, inspections):
    items = {name: inspection.items.get() for name, inspection in inspections.items()}
    seen = seen_by(everyone, lambda user: _names(items, Rectification.objects.visible_to(user)))
    assert seen == expected(
        items,
        cadre=["inspection", "unannounced"],
        other_cadre=[],
        successor=[],
        staff=["unit_inspection"],
        other_staff=[],
    )


def test_an_inspection_with_an_item_for_a_unit_shows_to_that_unit(everyone, inspection, staff, department, leader):
    from tests.factories import RectificationFactory

    RectificationFactory(inspection=inspection, cadre=None, department=department)
    assert inspection in Inspection.objects.visible_to(staff.user)


def test_files_show_with_their_record(everyone, unannounced, unannounced_item, cadre, media):
    evidence = item_answer(actor=cadre.user, item_id=unannounced_item.pk, text="已补齐走访。", files=[png_upload()])
    files = {"photo": unannounced.files.get(), "evidence": evidence.files.get()}
    seen = seen_by(everyone, lambda user: _names(files, SupervisionFile.visible_to(user)))
    assert seen == expected(files, cadre=["evidence"], other_cadre=[], successor=[], staff=[], other_staff=[])


def test_only_overseers_read_an_unannounced_visits_notes(everyone):
    readers = sorted(name for name, user in everyone.items() if Inspection.objects.shows_notes_to(user))
    assert readers == ["leader", "office", "superuser"]
