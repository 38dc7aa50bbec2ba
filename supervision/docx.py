"""An inspection's circular (督查通报) as a Word file: the document the leading group circulates.

The same facts as the inspection's page, in the reader's language, on a district office's paper
(core/wordfiles.py): the title, the date, the kind, what was inspected, the inspectors, the rating, how it
was done, the findings, and the rectification items (responsible, requirement, deadline, status).

The circular goes beyond the leading group and the office. So for an unannounced visit (暗访) it leaves
out its notes, which only they may read: how the visit was done, and what the enterprise said of its
cadre's visits, of its cadre and of the departments.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from docx.shared import Pt

from core import wordfiles
from supervision.models import Inspection, Rectification

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject


def circular_title(inspection: Inspection) -> str:
    return _("Supervision circular: %(kind)s of %(subject)s") % {
        "kind": inspection.get_kind_display(),
        "subject": inspection.subject_name,
    }


def circular_filename(inspection: Inspection) -> str:
    return _("supervision-circular-%(number)d-%(date)s.docx") % {
        "number": inspection.pk,
        "date": f"{inspection.inspected_on:%Y%m%d}",
    }


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "Y-m-d")


def circular_docx(
    inspection: Inspection,
    inspectors: Sequence[str],
    items: Sequence[Rectification],
    now: datetime.datetime | None = None,
) -> bytes:
    """Write the inspection's circular and return its bytes; `items` with their responsible cadre or unit loaded."""
    now = now or timezone.now()
    title = circular_title(inspection)
    document = wordfiles.office_document(title, now)
    wordfiles.title(document, title, _("Issued %(date)s") % {"date": _date(timezone.localdate(now))})

    document.add_heading(_("The inspection"), level=1)
    facts = [
        [_("Date"), _date(inspection.inspected_on)],
        [_("Kind"), str(inspection.get_kind_display())],
        [_("What was inspected"), f"{inspection.get_target_display()}: {inspection.subject_name}"],
    ]
    if inspection.cadre is not None and inspection.cadre.name != inspection.subject_name:
        facts.append([_("Cadre serving it"), inspection.cadre.name])
    facts += [
        [_("Inspectors"), "、".join(inspectors)],
        [_("Rating"), str(inspection.get_rating_display())],
    ]
    wordfiles.table(document, [_("Item"), _("Record")], facts, numbers=False)

    if inspection.method and not inspection.is_unannounced:
        document.add_heading(_("How it was done"), level=1)
        _paragraphs(document, inspection.method)
    document.add_heading(_("Findings"), level=1)
    _paragraphs(document, inspection.findings)

    document.add_heading(_("Rectification items"), level=1)
    wordfiles.table(
        document,
        [_("Responsible"), _("What must change"), _("Deadline"), _("Status")],
        [
            [item.responsible_name, item.requirement, _date(item.deadline), str(item.get_status_display())]
            for item in items
        ],
        empty=_("No rectification was ordered."),
        numbers=False,
    )
    return wordfiles.to_bytes(document)


def _paragraphs(document: DocumentObject, text: str) -> None:
    """Each line of what was typed as a paragraph of its own, indented two characters as an office's are."""
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip()).paragraph_format.first_line_indent = Pt(24)
