"""The one-time token itself: claimed with what it creates, released by a refusal, swept when too old."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.errors import PortalError
from core.models import Submission
from core.services import Resubmitted, submission_run, submissions_sweep
from organisation.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _create(name: str):
    return lambda: DepartmentFactory(name=name)


def _url(department: Department) -> str:
    return f"/departments/{department.pk}/"


def test_a_token_is_claimed_with_what_it_creates_and_a_repeat_is_told_where_that_is(nobody):
    token = uuid.uuid4()
    department = submission_run(user=nobody, token=token, create=_create("区发改局"), result_url=_url)

    with pytest.raises(Resubmitted) as repeat:
        submission_run(user=nobody, token=token, create=_create("区发改局（重复）"), result_url=_url)

    assert repeat.value.url == _url(department)
    assert list(Department.objects.values_list("name", flat=True)) == ["区发改局"]


def test_a_refusal_rolls_the_claim_back_with_everything_else(nobody):
    token = uuid.uuid4()

    def refused() -> Department:
        DepartmentFactory(name="区发改局")
        raise PortalError("refused", "不行")

    with pytest.raises(PortalError):
        submission_run(user=nobody, token=token, create=refused, result_url=_url)
    assert not Submission.objects.exists() and not Department.objects.exists()

    submission_run(user=nobody, token=token, create=_create("区发改局"), result_url=_url)
    assert Department.objects.count() == 1


def test_tokens_older_than_a_week_are_swept(nobody, settings):
    settings.SESSION_COOKIE_AGE = 8 * 60 * 60
    now = timezone.now()
    for days in (1, 6, 8, 30):
        Submission.objects.create(
            user=nobody, token=uuid.uuid4(), result_url="/", created_at=now - datetime.timedelta(days=days)
        )
    assert submissions_sweep(now=now) == 2
    assert sorted((now - s.created_at).days for s in Submission.objects.all()) == [1, 6]


def test_tokens_are_kept_as_long_as_the_longest_login(nobody, settings):
    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60  # a page can be sent as long as its login lasts
    now = timezone.now()
    Submission.objects.create(user=nobody, token=uuid.uuid4(), result_url="/", created_at=now - datetime.timedelta(10))
    assert submissions_sweep(now=now) == 0


def test_the_sweep_command_reports_how_many_went(nobody):
    Submission.objects.create(
        user=nobody, token=uuid.uuid4(), result_url="/", created_at=timezone.now() - datetime.timedelta(days=30)
    )
    out = io.StringIO()
    call_command("sweep_submissions", stdout=out)
    assert "记录 1 条" in out.getvalue()
    assert not Submission.objects.exists()
