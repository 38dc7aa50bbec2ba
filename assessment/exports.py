"""The year's assessment as an xlsx: a sheet of cadres, one of departments (every row), and the 红黑榜."""

from collections.abc import Iterator

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from assessment import rules
from assessment.models import Subject
from assessment.scores import Assessment, Score
from core.spreadsheets import workbook_response, write_rows


def _headers(assessment: Assessment, subject: str) -> list[str]:
    name = _("Cadre") if subject == Subject.CADRE else _("Department")
    measures = assessment.measures(subject)
    return [
        _("Rank"),
        name,
        _("Score"),
        _("Out of"),
        *(f"{rules.RULES[key].label} ({assessment.weights.weight(subject, key)})" for key in measures),
        *(_("%(measure)s: figures") % {"measure": rules.RULES[key].label} for key in measures),
    ]


def _rows(assessment: Assessment, subject: str) -> Iterator[list[object]]:
    measures = assessment.measures(subject)
    for score in assessment.scores(subject):
        parts = [score.part(key) for key in measures]
        yield [
            score.rank,
            score.name,
            score.score,
            score.out_of,
            *(part.points if part else None for part in parts),
            *(part.text if part else "" for part in parts),
        ]


def _board_rows(assessment: Assessment, size: int) -> Iterator[list[object]]:
    for subject, kind in ((Subject.CADRE, _("Cadres")), (Subject.DEPARTMENT, _("Departments"))):
        board = assessment.board(subject, size)
        lists: tuple[tuple[str, list[Score]], ...] = ((_("Red list"), board.top), (_("Black list"), board.bottom))
        for title, shown in lists:
            for score in shown:
                yield [kind, title, score.rank, score.name, score.score, score.out_of]


def workbook(assessment: Assessment, size: int) -> FileResponse:
    """The cadres, the departments and the board, headed in the reader's language."""
    book = Workbook(write_only=True)
    for subject, title in ((Subject.CADRE, _("Cadres")), (Subject.DEPARTMENT, _("Departments"))):
        write_rows(book.create_sheet(title=title[:31]), _headers(assessment, subject), _rows(assessment, subject))
    write_rows(
        book.create_sheet(title=_("Red and black lists")[:31]),
        [_("Assessed"), _("List"), _("Rank"), _("Name"), _("Score"), _("Out of")],
        _board_rows(assessment, size),
    )
    return workbook_response(book, _("assessment-%(year)d.xlsx") % {"year": assessment.year})
