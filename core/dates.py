"""The window of dates the portal accepts: from 2000-01-01 to ten years after today.

One home for every date a user types or a list carries — pairing (import), visit, errand stage,
deadline, milestone, extension. Services enforce it (``check_date``); forms may ask it too.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import PortalError

EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10
DATE_OUT_OF_RANGE = "date_out_of_range"


class DateOutOfRange(PortalError):
    def __init__(self, message: str) -> None:
        super().__init__(DATE_OUT_OF_RANGE, message)


def latest(today: datetime.date | None = None) -> datetime.date:
    """Ten years after `today` (the local date when not given); 29 February falls back to the 28th."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def out_of_range_message(value: datetime.date, today: datetime.date | None = None) -> str:
    return _("The date %(date)s is outside the accepted range (%(start)s to %(end)s).") % {
        "date": value.isoformat(),
        "start": EARLIEST.isoformat(),
        "end": latest(today).isoformat(),
    }


def in_range(value: datetime.date, today: datetime.date | None = None) -> bool:
    return EARLIEST <= value <= latest(today)


def check_date(value: datetime.date, today: datetime.date | None = None) -> None:
    """Raise `DateOutOfRange` (code ``date_out_of_range``) unless `value` lies in the window."""
    if not in_range(value, today):
        raise DateOutOfRange(out_of_range_message(value, today))
