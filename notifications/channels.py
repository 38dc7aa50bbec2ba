"""The ways a reminder reaches a person. `NOTIFICATION_CHANNELS` lists the ones in use.

A channel is a class with a `name` and a `send(recipient=, reminders=, now=)` that
hands over every pending reminder of one person at once. The delivery service
calls it inside the transaction that marks those reminders sent, so a channel
that raises leaves them pending for the next scan. Adding SMS is a new class here
and one line in the setting; the reminder logic does not change.
"""

import datetime
import logging
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string

from notifications.models import Notification, Reminder

logger = logging.getLogger(__name__)


class Channel(Protocol):
    name: str

    def send(self, *, recipient, reminders: Sequence[Reminder], now: datetime.datetime) -> None: ...


class InAppChannel:
    """The notification centre: one notification per reminder, written in the same transaction."""

    name = "in_app"

    def send(self, *, recipient, reminders: Sequence[Reminder], now: datetime.datetime) -> None:
        self.write(reminders, now=now)

    @staticmethod
    def write(reminders: Sequence[Reminder], *, now: datetime.datetime) -> None:
        """Write the notifications of any number of people's reminders in one query (a move's hand-over)."""
        Notification.objects.bulk_create(
            Notification(
                recipient_id=r.recipient_id,
                reminder=r,
                kind=r.kind,
                params=r.params,
                title=r.title,
                body=r.body,
                link=r.link,
                created_at=now,
            )
            for r in reminders
        )


class EmailChannel:
    """One email per person per delivery, listing every reminder, in the recipient's language, from templates/emails/.

    The mail goes out before the transaction commits: if the server refuses it the
    reminders stay pending. A worker killed between the server's acceptance and the
    commit would send that mail again: SMTP cannot take part in our transaction.
    """

    name = "email"

    def send(self, *, recipient, reminders: Sequence[Reminder], now: datetime.datetime) -> None:
        if not recipient.email:
            logger.debug("User %s has no email address; the in-app notification suffices.", recipient.pk)
            return
        context = {
            "recipient": recipient,
            "reminders": reminders,
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "now": now,
        }
        # Said now, in the reader's language, whoever's move or scan recorded the reminders.
        with translation.override(recipient_language(recipient)):
            subject = render_to_string("emails/reminders_subject.txt", context).strip()
            body = render_to_string("emails/reminders.txt", context)
        send_mail(subject, body, None, [recipient.email], fail_silently=False)


def recipient_language(recipient) -> str:
    """The language a person's mail is written in: the campaign's (LANGUAGE_CODE).

    The portal keeps no language per person (the footer's switch is a cookie in one browser);
    a preference, once kept, is read here.
    """
    return settings.LANGUAGE_CODE


def channels() -> list[Channel]:
    """Return the channels in use, in the order of NOTIFICATION_CHANNELS."""
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]
