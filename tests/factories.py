"""Factories for every model the tests build; one place, so a model change is one edit."""

import datetime
import itertools
from typing import Any

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from core.roles import Role
from enterprises.models import Enterprise, Kind, Origin, Sector
from enterprises.uscc import check_character
from issues.models import Flow, Issue, IssueCategory, Status
from organisation.models import Cadre, Department, DepartmentStaff, Pairing
from supervision.models import Inspection, Rating, Rectification, Target
from supervision.models import Kind as InspectionKind
from visits import tallies
from visits.models import Visit

_uscc_serial = itertools.count(1)


def make_uscc() -> str:
    body = f"91610111{next(_uscc_serial):09d}"
    return body + check_character(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("secret-pass-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=role)[0])


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"区测试局{n}")


class DepartmentStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentStaff

    user = factory.SubFactory(UserFactory, roles=[Role.DEPARTMENT_STAFF])
    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"承办人{n}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"西安测试企业{n}有限公司")
    uscc = factory.LazyFunction(make_uscc)
    kind = Kind.ENTERPRISE
    origin = Origin.CITY
    sector = Sector.INDUSTRY
    street = "纺织城街道"


class CadreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cadre

    user = factory.SubFactory(UserFactory, roles=[Role.CADRE])
    name = factory.Sequence(lambda n: f"干部{n}")
    title = "副局长"
    unit = factory.SubFactory(DepartmentFactory)


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    cadre = factory.SubFactory(CadreFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    started_on = datetime.date(2026, 6, 17)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    pairing = factory.SubFactory(PairingFactory)
    visited_on = datetime.date(2026, 11, 2)
    mode = Visit.Mode.ON_SITE
    summary = "走访了解生产经营情况。"
    created_by = factory.LazyAttribute(lambda o: o.pairing.cadre.user)

    @classmethod
    def _create(cls, model_class: type[Visit], *args: Any, **kwargs: Any) -> Visit:
        """Counted in the visit tally, as visits/services.py counts every visit it writes."""
        visit = super()._create(model_class, *args, **kwargs)
        tallies.count([(visit.pairing_id, visit.visited_on)])
        return visit


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    enterprise = factory.SubFactory(EnterpriseFactory)
    reporter = factory.SubFactory(CadreFactory)
    title = factory.Sequence(lambda n: f"问题{n}")
    category = factory.LazyFunction(lambda: category())
    flow = Flow.ESCALATED
    status = Status.ESCALATED


CATEGORY_NAMES = {"approvals": "审批许可", "utilities": "水电气路", "financing": "融资贷款", "other": "其他"}


def logged_on(day: datetime.date) -> datetime.datetime:
    """A visit logged on the day it took place (noon in Asia/Shanghai): a past month's figures count it."""
    from zoneinfo import ZoneInfo

    return datetime.datetime.combine(day, datetime.time(12), tzinfo=ZoneInfo("Asia/Shanghai"))


def visit_logged(pairing: Pairing, day: datetime.date, **fields) -> Visit:
    """A visit on `day`, logged that day."""
    return VisitFactory(pairing=pairing, visited_on=day, created_at=logged_on(day), **fields)


def category(code: str = "other") -> IssueCategory:
    # A migration creates the categories, but transactional tests (browser, concurrency) flush them.
    return IssueCategory.objects.get_or_create(code=code, defaults={"name": CATEGORY_NAMES.get(code, code)})[0]


def issue_in(status: str, *, department=None, **fields) -> Issue:
    """A problem already in `status`; with a department, a deadline far ahead, where the state needs them."""
    with_department = status in (Status.ASSIGNED, Status.IN_PROGRESS)
    return IssueFactory(
        status=status,
        department=department if with_department else None,
        deadline=datetime.date(2030, 1, 1) if with_department else None,
        **fields,
    )


def issue_resolved(*, days_ago: int = 1, **fields) -> Issue:
    """A problem resolved `days_ago` days ago and waiting for the enterprise's feedback."""
    return IssueFactory(
        status=Status.RESOLVED,
        flow=Flow.ASSIGNED,
        resolved_at=timezone.now() - datetime.timedelta(days=days_ago),
        **fields,
    )


class InspectionFactory(factory.django.DjangoModelFactory):
    """An inspection of a cadre, rated good; set `target` with `enterprise=` or `department=` for the others.

    Built straight into the table (no service's checks): `supervision.services.inspection_record` is tested
    on its own; give `inspectors=[...]` to name them.
    """

    class Meta:
        model = Inspection
        skip_postgeneration_save = True

    kind = InspectionKind.CONCENTRATED
    inspected_on = factory.LazyFunction(timezone.localdate)
    target = Target.CADRE
    cadre = factory.SubFactory(CadreFactory)
    findings = "走访记录与企业反映一致。"
    rating = Rating.GOOD
    created_by = factory.SubFactory(UserFactory, roles=[Role.LEADING_GROUP])

    @factory.post_generation
    def inspectors(self, create, extracted, **kwargs):
        if create:
            self.inspectors.set(extracted if extracted is not None else [self.created_by])


class RectificationFactory(factory.django.DjangoModelFactory):
    """An open item for the inspection's cadre (or give `department=` and `cadre=None`)."""

    class Meta:
        model = Rectification

    inspection = factory.SubFactory(InspectionFactory)
    cadre = factory.LazyAttribute(lambda o: o.inspection.cadre if o.department is None else None)
    department = None
    requirement = "每月按时走访并如实记录。"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    created_by = factory.LazyAttribute(lambda o: o.inspection.created_by)


def reported_at(cadre: Cadre, when: datetime.datetime, route) -> Issue:
    """A problem the cadre reports on their enterprise at `when`, routed as `route` says (the real service)."""
    from issues.services import issue_report

    enterprise = cadre.pairings.get(ended_on__isnull=True).enterprise
    return issue_report(
        actor=cadre.user, enterprise=enterprise, title="问题", category=category("approvals"), route=route, now=when
    )


def moved_at(issue: Issue, user: User, action, payload, when: datetime.datetime) -> Issue:
    """The problem after `user` makes the move at `when` (the real transition, at the problem's current version)."""
    from issues.services import issue_transition

    issue.refresh_from_db()
    return issue_transition(
        issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload, now=when
    )
