"""The enterprise list as the campaign office exports it: the import template's columns, so it re-imports."""

import datetime
from collections.abc import Iterator

from django.db.models import OuterRef, Subquery
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import Sheet
from core.roles import PortalUser
from enterprises.importers import (
    EXAMPLE_NAME,
    HEADERS,
    KIND_VALUES,
    ORIGIN_VALUES,
    SECTOR_VALUES,
    Words,
    allowed_values,
    canonical_word,
)
from enterprises.models import Enterprise
from organisation.models import Pairing

# The template's columns, in its order; the export adds a 序号 the import ignores.
TEMPLATE_COLUMNS = (
    "name",
    "uscc",
    "kind",
    "origin",
    "sector",
    "street",
    "contact_person",
    "phone",
    "cadre",
    "cadre_title",
    "cadre_mobile",
    "paired_on",
)
SERIAL_HEADER = "序号"
# The template's example, on its own sheet: the list sheet is left empty, so a template uploaded as it
# was downloaded imports nothing, and a row copied from the example is refused by its name.
EXAMPLE_ROW = (
    EXAMPLE_NAME,
    "91610111MA6U000014",
    "企业",
    "市级确定",
    "工业",
    "纺织城街道",
    "张三",
    "029-83500000",
    "王建国",
    "区发展和改革委员会主任",
    "13900000000",
    datetime.date(2026, 6, 17),
)


def template_headers() -> list[str]:
    return [HEADERS[column][0] for column in TEMPLATE_COLUMNS]


def export_headers() -> list[str]:
    return [SERIAL_HEADER, *template_headers()]


def allowed_value_rows() -> Iterator[list[str]]:
    """Rows for the template's second sheet: each coded column and the words it accepts."""
    for column, values in (("kind", KIND_VALUES), ("origin", ORIGIN_VALUES), ("sector", SECTOR_VALUES)):
        yield [
            HEADERS[column][0],
            "、".join(allowed_values(values)),
            "、".join(w for ws in values.values() for w in ws),
        ]
    yield [HEADERS["uscc"][0], _("18 characters; required for an enterprise, optional for a project."), ""]
    yield [
        HEADERS["cadre_mobile"][0],
        _(
            "The cadre's 11-digit mobile: the key that finds the cadre. With it, a new title replaces the old "
            "and namesakes stay apart; without it, the name and title decide."
        ),
        "",
    ]
    yield [HEADERS["paired_on"][0], _("A date such as 2026-06-17; required when a cadre is named."), ""]


# The coded columns, written as the canonical Chinese word the import reads back.
CODED_COLUMNS: dict[str, Words] = {"kind": KIND_VALUES, "origin": ORIGIN_VALUES, "sector": SECTOR_VALUES}


def enterprise_export_rows(user: PortalUser) -> Iterator[list[object]]:
    """Yield one row per enterprise the user may see, with its current cadre; one query, streamed."""
    active = Pairing.objects.active().filter(enterprise=OuterRef("pk")).order_by("-started_on")
    rows = (
        Enterprise.objects.visible_to(user)
        .annotate(
            cadre=Subquery(active.values("cadre__name")[:1]),
            cadre_title=Subquery(active.values("cadre__title")[:1]),
            cadre_mobile=Subquery(active.values("cadre__mobile")[:1]),
            paired_on=Subquery(active.values("started_on")[:1]),
        )
        .order_by("origin", "name")
        .values_list(*TEMPLATE_COLUMNS)
    )
    for serial, values in enumerate(rows.iterator(chunk_size=500), start=1):
        yield [
            serial,
            *(
                canonical_word(CODED_COLUMNS[column], value) if column in CODED_COLUMNS else value
                for column, value in zip(TEMPLATE_COLUMNS, values, strict=True)
            ),
        ]


def enterprise_sheet(user: PortalUser, params: QueryDict) -> Sheet:
    """The enterprises the user may see, with their current cadre, in the import template's columns."""
    return Sheet(
        filename=_("enterprises-%(date)s.xlsx") % {"date": timezone.localdate().isoformat()},
        title=_("List"),
        headers=export_headers(),
        rows=lambda: enterprise_export_rows(user),
        count=lambda: Enterprise.objects.visible_to(user).count(),
    )
