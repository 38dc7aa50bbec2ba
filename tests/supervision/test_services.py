"""Supervision's writes: each refusal by its code, nothing half-written, an inspection closed and opened again."""

import dataclasses
import datetime
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.errors import PortalError
from core.roles import Role
from organisation.models import Department
from supervision.models import (
    Confirmation,
    Inspection,
    Kind,
    Rating,
    Rectification,
    Response,
    SupervisionFile,
    Target,
)
from supervision.services import (
    InspectionData,
    SupervisionError,
    cadre_serving,
    inspection_record,
    item_answer,
    item_check,
    item_raise,
    may_answer,
    may_check,
)
from tests.factories import DepartmentFactory, UserFactory
from tests.supervision.conftest import png_upload, stored_files
from tests.visits import attachment_files

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
LATER = NOW + datetime.timedelta(days=3)


def _data(leader, cadre, **changes) -> InspectionData:
    data = InspectionData(
        kind=Kind.CONCENTRATED,
        inspected_on=TODAY,
        inspectors=[leader],
        target=Target.CADRE,
        cadre=cadre,
        findings="走访台账与企业反映一致。",
        rating=Rating.GOOD,
    )
    return dataclasses.replace(data, **changes)


def _refused(code: str, call, **kwargs) -> None:
    with pytest.raises(PortalError) as exc:
        call(**kwargs)
    assert exc.value.code == code


# --- Recording an inspection -----------------------------------------------------------------------------


def test_the_leading_group_records_an_inspection_with_its_files(leader, office, cadre, media):
    data = _data(leader, cadre, inspectors=[leader, office], method="查阅台账。", files=[png_upload()])
    inspection = inspection_record(actor=leader, data=data, now=NOW)
    assert set(inspection.inspectors.all()) == {leader, office}
    assert (inspection.kind, inspection.target, inspection.cadre, inspection.created_at) == (
        Kind.CONCENTRATED,
        Target.CADRE,
        cadre,
        NOW,
    )
    assert [f.name for f in inspection.files.all()] == ["现场照片.png"]
    assert len(stored_files(media)) == 1


def test_an_inspection_of_an_enterprise_counts_for_the_cadre_serving_it_that_day(leader, cadre, enterprise, successor):
    data = _data(leader, None, target=Target.ENTERPRISE, enterprise=enterprise)
    assert inspection_record(actor=leader, data=data, now=NOW).cadre == cadre
    # former_enterprise was served by `cadre` until 16 June 2026, by `successor` since.
    former = successor.pairings.get().enterprise
    assert cadre_serving(former, datetime.date(2026, 6, 1)) == cadre
    assert cadre_serving(former, datetime.date(2026, 6, 17)) == successor


@pytest.mark.parametrize("who", ["cadre", "staff", "nobody"])
def test_only_overseers_record_inspections(request, leader, cadre, who):
    actor = request.getfixturevalue(who)
    actor = getattr(actor, "user", actor)
    _refused("not_an_overseer", inspection_record, actor=actor, data=_data(leader, cadre), now=NOW)
    assert not Inspection.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"inspected_on": TODAY + datetime.timedelta(days=1)}, "inspection_in_future"),
        ({"inspected_on": datetime.date(1999, 12, 31)}, "date_out_of_range"),
        ({"inspectors": []}, "no_inspectors"),
        ({"findings": " \u200b "}, "no_findings"),
        ({"target": Target.ENTERPRISE}, "no_subject"),
        ({"target": Target.DEPARTMENT}, "no_subject"),
        ({"target": Target.STREET}, "no_subject"),
        ({"said_of_cadre": "没见过干部。"}, "said_not_unannounced"),
        ({"visits_confirmed": Confirmation.DENIED, "kind": Kind.UNANNOUNCED}, "said_not_unannounced"),
    ],
)
def test_an_inspection_is_refused_with_its_code(leader, cadre, changes, code):
    _refused(code, inspection_record, actor=leader, data=_data(leader, cadre, **changes), now=NOW)
    assert not Inspection.objects.exists()


def test_the_inspectors_are_overseers(leader, cadre, staff):
    data = _data(leader, cadre, inspectors=[leader, staff.user])
    _refused("inspector_not_overseer", inspection_record, actor=leader, data=data, now=NOW)
    retired = UserFactory(roles=[Role.LEADING_GROUP], is_active=False)
    data = _data(leader, cadre, inspectors=[retired])
    _refused("inspector_not_overseer", inspection_record, actor=leader, data=data, now=NOW)


def test_a_department_is_not_a_street_nor_a_street_a_department(leader, department):
    street = DepartmentFactory(name="灞桥街道办事处", kind=Department.Kind.STREET)
    wrong = [(Target.STREET, department), (Target.DEPARTMENT, street)]
    for target, unit in wrong:
        data = _data(leader, None, target=target, department=unit)
        _refused("no_subject", inspection_record, actor=leader, data=data, now=NOW)
    data = _data(leader, None, target=Target.STREET, department=street)
    assert inspection_record(actor=leader, data=data, now=NOW).department == street


def test_only_a_follow_up_follows_an_earlier_inspection(leader, cadre):
    earlier = inspection_record(actor=leader, data=_data(leader, cadre), now=NOW)
    data = _data(leader, cadre, follows=earlier)
    _refused("follows_not_follow_up", inspection_record, actor=leader, data=data, now=NOW)
    later = inspection_record(actor=leader, data=_data(leader, cadre, follows=earlier, kind=Kind.FOLLOW_UP), now=NOW)
    assert list(earlier.follow_ups.all()) == [later]


def test_an_unannounced_visit_to_an_enterprise_records_what_it_said(leader, enterprise):
    data = _data(
        leader,
        None,
        kind=Kind.UNANNOUNCED,
        target=Target.ENTERPRISE,
        enterprise=enterprise,
        visits_confirmed=Confirmation.PARTLY,
        said_of_cadre="来过一次。",
        said_of_departments="审批很快。",
    )
    visit = inspection_record(actor=leader, data=data, now=NOW)
    assert (visit.visits_confirmed, visit.said_of_cadre) == (Confirmation.PARTLY, "来过一次。")


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("现场.png", attachment_files.html_with_script(), "attachment_content"),
        ("记录.html", attachment_files.html_with_script(), "attachment_type"),
        ("照片.pdf", attachment_files.png(), "attachment_mismatch"),
        ("空.png", b"", "attachment_empty"),
        ("旧.doc", attachment_files.ole2(), "attachment_type"),
    ],
)
def test_a_file_refused_by_its_content_refuses_the_whole_inspection(leader, cadre, media, name, content, code):
    files = [png_upload(), SimpleUploadedFile(name, content, content_type="image/png")]
    _refused(code, inspection_record, actor=leader, data=_data(leader, cadre, files=files), now=NOW)
    assert not Inspection.objects.exists()
    assert not SupervisionFile.objects.exists()
    assert stored_files(media) == []


def test_a_file_too_large_is_refused(settings, leader, cadre, media):
    settings.CAMPAIGN_ATTACHMENT_MAX_BYTES = 50
    _refused(
        "attachment_too_large",
        inspection_record,
        actor=leader,
        data=_data(leader, cadre, files=[png_upload()]),
        now=NOW,
    )
    assert stored_files(media) == []


# --- Raising items ---------------------------------------------------------------------------------------


def _raise(actor, inspection, **kwargs) -> Rectification:
    kwargs.setdefault("requirement", "本月内补齐走访。")
    kwargs.setdefault("deadline", TODAY + datetime.timedelta(days=10))
    if "department" not in kwargs:
        kwargs.setdefault("cadre", inspection.cadre)
    return item_raise(actor=actor, inspection=inspection, now=kwargs.pop("now", NOW), **kwargs)


@pytest.fixture
def recorded(leader, cadre):
    return inspection_record(actor=leader, data=_data(leader, cadre), now=NOW)


def test_items_are_raised_by_overseers_for_one_cadre_or_one_unit(recorded, leader, office, cadre, staff, department):
    assert _raise(leader, recorded).cadre == cadre
    assert _raise(office, recorded, cadre=None, department=department).department == department
    _refused("not_an_overseer", _raise, actor=cadre.user, inspection=recorded)
    _refused("not_an_overseer", _raise, actor=staff.user, inspection=recorded)
    _refused("one_responsible", _raise, actor=leader, inspection=recorded, cadre=cadre, department=department)
    _refused("one_responsible", _raise, actor=leader, inspection=recorded, cadre=None, department=None)
    _refused("no_requirement", _raise, actor=leader, inspection=recorded, requirement="\u3000")
    _refused("deadline_past", _raise, actor=leader, inspection=recorded, deadline=TODAY - datetime.timedelta(days=1))
    _refused("date_out_of_range", _raise, actor=leader, inspection=recorded, deadline=datetime.date(2099, 1, 1))
    assert recorded.items.count() == 2


# --- Answering and checking ------------------------------------------------------------------------------


def test_the_cadre_answers_and_the_inspector_accepts_which_closes_the_inspection(recorded, leader, cadre, media):
    item = _raise(leader, recorded)
    response = item_answer(actor=cadre.user, item_id=item.pk, text="已补齐走访。", files=[png_upload()], now=NOW)
    item.refresh_from_db()
    assert item.status == Rectification.Status.ANSWERED
    assert [f.name for f in response.files.all()] == ["现场照片.png"]
    item_check(actor=leader, item_id=item.pk, accept=True, now=LATER)
    item.refresh_from_db()
    recorded.refresh_from_db()
    assert (item.status, item.accepted_at, item.answered_at, item.was_on_time) == (
        Rectification.Status.ACCEPTED,
        LATER,
        NOW,
        True,
    )
    assert recorded.closed_at == LATER


def test_the_inspection_closes_on_its_last_item_accepted_and_opens_again_with_a_new_one(recorded, leader, cadre):
    first, second = _raise(leader, recorded), _raise(leader, recorded)
    for item in (first, second):
        item_answer(actor=cadre.user, item_id=item.pk, text="已整改。", now=NOW)
    item_check(actor=leader, item_id=first.pk, accept=True, now=NOW)
    recorded.refresh_from_db()
    assert recorded.closed_at is None
    item_check(actor=leader, item_id=second.pk, accept=True, now=LATER)
    recorded.refresh_from_db()
    assert recorded.closed_at == LATER
    _raise(leader, recorded)
    recorded.refresh_from_db()
    assert recorded.closed_at is None


def test_a_sent_back_answer_is_answered_again_and_counted_by_the_accepted_answer(recorded, leader, cadre):
    item = _raise(leader, recorded, deadline=TODAY + datetime.timedelta(days=1))
    item_answer(actor=cadre.user, item_id=item.pk, text="已整改。", now=NOW)
    _refused("no_reason", item_check, actor=leader, item_id=item.pk, accept=False, note=" ")
    item_check(actor=leader, item_id=item.pk, accept=False, note="缺少走访照片。", now=NOW)
    item.refresh_from_db()
    assert item.status == Rectification.Status.SENT_BACK
    late = NOW + datetime.timedelta(days=5)
    item_answer(actor=cadre.user, item_id=item.pk, text="补充照片。", now=late)
    item_check(actor=leader, item_id=item.pk, accept=True, now=late)
    item.refresh_from_db()
    assert (item.answered_at, item.was_on_time) == (late, False)
    verdicts = list(item.responses.values_list("verdict", flat=True))
    assert verdicts == [Response.Verdict.SENT_BACK, Response.Verdict.ACCEPTED]
    assert list(Rectification.objects.accepted_late()) == [item]
    assert not Rectification.objects.accepted_on_time().exists()


def test_only_the_responsible_answer_and_only_while_it_waits(recorded, leader, cadre, other_cadre, staff, department):
    item = _raise(leader, recorded)
    for actor in (other_cadre.user, staff.user, leader):
        _refused("not_responsible", item_answer, actor=actor, item_id=item.pk, text="已整改。")
    _refused("no_answer", item_answer, actor=cadre.user, item_id=item.pk, text="\u200b")
    item_answer(actor=cadre.user, item_id=item.pk, text="已整改。", now=NOW)
    _refused("not_waiting", item_answer, actor=cadre.user, item_id=item.pk, text="再答一次。")
    unit_item = _raise(leader, recorded, cadre=None, department=department)
    assert may_answer(staff.user, unit_item) and not may_answer(cadre.user, unit_item)
    item_answer(actor=staff.user, item_id=unit_item.pk, text="已压缩时限。", now=NOW)


def test_only_the_inspectors_or_the_recorder_check(recorded, leader, office, superuser, cadre):
    other_leader = UserFactory(roles=[Role.LEADING_GROUP])
    item = _raise(leader, recorded)
    _refused("not_answered", item_check, actor=leader, item_id=item.pk, accept=True)
    item_answer(actor=cadre.user, item_id=item.pk, text="已整改。", now=NOW)
    for actor in (other_leader, office, cadre.user):
        _refused("not_inspector", item_check, actor=actor, item_id=item.pk, accept=True)
    assert may_check(superuser, recorded) and may_check(leader, recorded)
    item_check(actor=superuser, item_id=item.pk, accept=True, now=NOW)


def test_a_refused_evidence_file_leaves_the_item_waiting_and_nothing_stored(recorded, leader, cadre, media):
    item = _raise(leader, recorded)
    bad = SimpleUploadedFile("证明.png", attachment_files.html_with_script(), content_type="image/png")
    _refused(
        "attachment_content",
        item_answer,
        actor=cadre.user,
        item_id=item.pk,
        text="已整改。",
        files=[png_upload(), bad],
    )
    item.refresh_from_db()
    assert item.status == Rectification.Status.OPEN
    assert not Response.objects.exists()
    assert stored_files(media) == []


def test_a_refusal_is_a_supervision_error():
    assert issubclass(SupervisionError, PortalError)
