from functools import cached_property

from notifications.models import Notification


class Bell:
    """The header bell's unread count, read from the database only when a template shows it.

    The database, not Redis: the bell keeps working when the broker or the cache is down.
    """

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        return Notification.objects.visible_to(self.user).unread().count()


def bell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell": Bell(user)}
