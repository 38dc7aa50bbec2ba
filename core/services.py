"""The portal's own writes: claiming a form's one-time token together with what the form creates."""

import datetime
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import Submission

if TYPE_CHECKING:
    from django.contrib.auth.models import User

T = TypeVar("T")

# A page's form can be sent only within the login that showed it (logging in again rotates the CSRF
# token), so a token older than the longest session can never come back; a week covers the default 8 hours.
SUBMISSION_KEEP = datetime.timedelta(days=7)


class Resubmitted(Exception):
    """The user already sent this form, and it created something: show them that instead.

    Not a `PortalError`: a repeat is no refusal, and views that catch refusals must let it through
    to `core.submissions.submitted_once`, which shows the first result.
    """

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


@transaction.atomic
def submission_run(
    *,
    user: "User",
    token: uuid.UUID,
    create: Callable[[], T],
    result_url: Callable[[T], str],
    now: datetime.datetime | None = None,
) -> T:
    """Create what a form asks for once per token: claim the token, create, record where the result is shown.

    One transaction: when `create` raises (a refusal), the claim is rolled back with everything else
    and the token stays usable for the corrected form. When the user's submission with this token has
    been saved already, raise `Resubmitted` with its result's URL and create nothing.
    """
    claim = _claim(user=user, token=token, now=now or timezone.now())
    result = create()
    claim.result_url = result_url(result)
    claim.save(update_fields=["result_url"])
    return result


def _claim(*, user: "User", token: uuid.UUID, now: datetime.datetime) -> Submission:
    try:
        # A savepoint, so that a refused insert leaves the transaction usable (PostgreSQL).
        with transaction.atomic():
            # On PostgreSQL an insert of a token another transaction has inserted but not committed
            # waits for that transaction: if it commits, this one fails and reads the committed row.
            return Submission.objects.create(user=user, token=token, created_at=now)
    except IntegrityError:
        first = submission_result(user=user, token=token)
        if first is None:  # the database refused something other than a repeat: not ours to hide
            raise
        raise Resubmitted(first) from None


def submission_result(*, user: "User", token: uuid.UUID) -> str | None:
    """Return the URL of what the user's submission with this token created, or None if none was saved."""
    return Submission.objects.filter(user=user, token=token).values_list("result_url", flat=True).first()


def submissions_sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete the tokens too old to be sent again; return how many went."""
    session = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    cutoff = (now or timezone.now()) - max(SUBMISSION_KEEP, session)
    deleted, _by_model = Submission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
