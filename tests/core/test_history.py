"""core/history.py writes the same history rows as django-simple-history's own bulk helpers, set-based."""

import pytest
from simple_history import utils as library
from simple_history.models import HistoricalRecords

from core import history
from enterprises.models import Enterprise, Sector
from tests import factories

pytestmark = pytest.mark.django_db

# What a history row says that two enterprises made alike share: not their keys, names, codes and times.
OWN = {"id", "name", "uscc", "created_at", "updated_at"}
SAID = [field.attname for field in Enterprise.history.model.tracked_fields if field.attname not in OWN] + [
    "history_type",
    "history_change_reason",
    "history_user_id",
]


def unsaved(prefix: str, n: int) -> list[Enterprise]:
    return [factories.EnterpriseFactory.build(name=f"{prefix}{i}有限公司") for i in range(n)]


def said(enterprises: list[Enterprise]) -> list[tuple]:
    """Each enterprise's history rows, oldest first, as they read (what two enterprises made alike share)."""
    rows = Enterprise.history.filter(id__in=[e.pk for e in enterprises]).order_by("id", "history_id")
    return [tuple(row) for row in rows.values_list(*SAID)]


def copied(enterprises: list[Enterprise]) -> bool:
    """Each enterprise's latest history row holds what its own row holds now, to the microsecond."""
    for enterprise in Enterprise.objects.filter(pk__in=[e.pk for e in enterprises]):
        latest = enterprise.history.order_by("-history_id").first()
        fields = [f.attname for f in Enterprise.history.model.tracked_fields]
        if [getattr(latest, f) for f in fields] != [getattr(enterprise, f) for f in fields]:
            return False
    return True


@pytest.fixture
def request_by(rf):
    """A request by an office user, as django-simple-history's middleware leaves it for the history's user."""
    user = factories.UserFactory(username="history-office")
    request = rf.post("/")
    request.user = user
    HistoricalRecords.context.request = request
    yield user
    del HistoricalRecords.context.request


def test_created_rows_have_the_history_the_library_writes(request_by):
    ours = history.bulk_create_with_history(unsaved("我们的企业", 5), Enterprise, batch_size=2)
    theirs = library.bulk_create_with_history(unsaved("他们的企业", 5), Enterprise, batch_size=2)
    assert all(e.pk for e in ours)
    assert said(ours) == said(theirs) and copied(ours)
    assert {row[-1] for row in said(ours)} == {request_by.pk}
    assert {row[-3] for row in said(ours)} == {"+"}
    assert Enterprise.history.filter(id__in=[e.pk for e in ours]).count() == 5


def test_updated_rows_have_the_history_the_library_writes(request_by):
    ours = history.bulk_create_with_history(unsaved("我们的企业", 3), Enterprise, batch_size=10)
    theirs = history.bulk_create_with_history(unsaved("他们的企业", 3), Enterprise, batch_size=10)
    for enterprise in [*ours, *theirs]:
        enterprise.sector, enterprise.street = Sector.COMMERCE, "新筑街道"
    history.bulk_update_with_history(ours, Enterprise, fields=["sector", "street"], batch_size=2)
    library.bulk_update_with_history(theirs, Enterprise, fields=["sector", "street"], batch_size=2)
    assert said(ours) == said(theirs) and copied(ours)
    latest = Enterprise.history.filter(id=ours[0].pk).order_by("-history_id").first()
    assert (latest.history_type, latest.sector, latest.street) == ("~", Sector.COMMERCE, "新筑街道")


def test_without_a_request_the_history_has_no_user():
    [enterprise] = history.bulk_create_with_history(unsaved("无人企业", 1), Enterprise, batch_size=10)
    assert list(enterprise.history.values_list("history_type", "history_user")) == [("+", None)]
