"""Who reads which notifications: `Notification.objects.visible_to(user)`, persona by persona."""

import pytest

from notifications.models import Kind, Notification
from tests.visibility import seen_by

pytestmark = pytest.mark.django_db


def test_each_persona_reads_only_their_own_notifications_overseers_included(everyone):
    for name, user in everyone.items():
        if user.is_authenticated:
            for n in (1, 2):
                Notification.objects.create(recipient=user, kind=Kind.ISSUE_OVERDUE, title=f"{name}-{n}")

    seen = seen_by(everyone, lambda user: Notification.objects.visible_to(user).values_list("title", flat=True))

    # Nobody reads anyone else's, not even those who see the whole district.
    assert seen == {name: ([] if name == "anonymous" else [f"{name}-1", f"{name}-2"]) for name in everyone}
