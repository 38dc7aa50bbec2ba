"""What each problem figure counts: the one place that defines them (件件有回应, on time, satisfied, overdue…).

Every figure is a number of problems, and every problem it counts is a row of the ledger: a figure is
a `Measure` whose `condition` selects its problems, so the dashboard counts it, the roll-ups and the
department table group it, the monthly report prints it, and the ledger lists its rows
(`/issues/?measure=<key>&from=YYYY-MM&to=YYYY-MM[&unit=<department id>]`) from the same condition.

A figure is read over a `Window`: a period of whole months and the moment it is read at. While the
period runs, a problem's state is its row as it is now; once the period is over, its state is what its
last event before the period's end recorded (status, flow, department, deadline: `IssueEvent` keeps
them), so a past month gives the same figures however often it is read, whatever happened since.

Three kinds of figure:

- the period's problems (`reported` and what became of them by its end: flow, status, answered);
- the period's moves (resolved on time or late, returned, reopened, extensions, ratings): problems with
  at least one such move dated in the period, counted once however many moves they had;
- the standing at the period's end (overdue, due soon, on track): every problem then with a department.

A department's figures (`unit`) count the moves it made or that were made on its desk (the event's
department: assigned to it, accepted, resolved, extensions; or the department a problem left: returned,
reopened on dissatisfaction), and the problems with it at the period's end for the rest.

The rates divide figures of this module (`Rates`); a rate with nothing to divide is None, shown as "—".
Each rate counts every problem whoever spoke for the enterprise; `RATE_SPLITS` names the figures that say
beside it who did: ratings the enterprise gave itself through its link or a cadre recorded on its behalf
(the events' `enterprise_link` or `actor`), requests the enterprise raised itself (`Issue.source`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Field,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.periods import Period
from core.workdays import due_soon_horizon
from issues.models import DEADLINE_STATUSES, Action, Flow, Issue, IssueEvent, Source, Status

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# The state annotations `with_state` adds: what the problem was at the window's moment.
STATE = ("as_status", "as_flow", "as_department", "as_deadline")
# A slice that keeps every row (`counts`): a LIMIT no list reaches.
EVERY = 2**62


@dataclass(frozen=True)
class Window:
    """A period and the moment its figures are read at (now, or the period's end once it is over)."""

    period: Period
    now: datetime.datetime

    @classmethod
    def of(cls, period: Period, now: datetime.datetime | None = None) -> Window:
        return cls(period, now or timezone.now())

    @property
    def start_at(self) -> datetime.datetime:
        return self.period.start_at

    @property
    def end_at(self) -> datetime.datetime:
        return self.period.end_at

    @property
    def is_over(self) -> bool:
        return self.period.is_over(self.now)

    @property
    def as_of(self) -> datetime.datetime:
        return self.period.as_of(self.now)

    @property
    def as_of_date(self) -> datetime.date:
        """The day overdue and due soon are judged on: the day after the period, or today while it runs."""
        return self.period.as_of_date(self.now)

    def in_period(self, field: str = "created_at") -> Q:
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_at})


def with_state(issues: QuerySet[Issue], window: Window) -> QuerySet[Issue]:
    """Annotate each problem with its state at the window's moment (`STATE`).

    While the period runs that is the row itself; after it, the state the last event before its end
    recorded, which is the row itself for a problem not moved since. A problem reported after the
    period has none (it is not among the `candidates`).
    """
    if not window.is_over:
        return issues.annotate(
            as_status=F("status"), as_flow=F("flow"), as_department=F("department_id"), as_deadline=F("deadline")
        )
    # A problem whose row has not been saved since the period ended (every move saves it, and bumps
    # `updated_at`) stands as its row does; only the others are read back from their last event before
    # the end, an index probe on (issue, created_at) each.
    moved_since = Q(updated_at__gte=window.end_at)
    last = IssueEvent.objects.filter(issue=OuterRef("pk"), created_at__lt=window.end_at).order_by("-created_at", "-pk")

    def then(field: str, column: str, output: Field) -> Case:
        return Case(When(moved_since, then=Subquery(last.values(field)[:1])), default=F(column), output_field=output)

    return issues.annotate(
        as_status=then("to_status", "status", CharField()),
        as_flow=then("flow", "flow", CharField()),
        as_department=then("department_id", "department_id", IntegerField()),
        as_deadline=then("deadline", "deadline", DateField()),
    )


# -- what a move in the period is --------------------------------------------------------------------------

EventCondition = Callable[[Window], Q]


@dataclass(frozen=True)
class Moves:
    """Moves of some kinds dated in the period, credited to the department in `credit` (the event's field)."""

    condition: EventCondition
    # The actions the condition allows (it may ask more of them): what narrows the events read on their
    # (action, created_at) index before the condition is checked.
    actions: tuple[Action, ...]
    credit: str = "department"  # or "from_department": the unit the problem left

    def events(self, window: Window, unit: Any = None) -> QuerySet[IssueEvent]:
        found = IssueEvent.objects.filter(window.in_period()).filter(self.condition(window))
        return found if unit is None else found.filter(**{self.credit: unit})

    def made(self, window: Window, unit: Any = None) -> Q:
        """The problem had at least one such move (on the unit's desk, when one is given).

        An `IN` over the period's moves rather than a correlated `EXISTS`: the database reads the
        period's events once (a hashed subplan), not once per problem.
        """
        return Q(pk__in=self.events(window, unit).values("issue_id"))


def _actions(*actions: Action, **more: Any) -> EventCondition:
    return lambda window: Q(action__in=actions, **more)


def _resolved(on_time: bool) -> EventCondition:
    """A department's reply within (or after) the deadline then in force, extensions granted counted."""

    def condition(window: Window) -> Q:
        day = TruncDate("created_at")  # the local date, in the portal's time zone
        timely = Q(deadline__gte=day) if on_time else Q(deadline__lt=day)
        return Q(action=Action.RESOLVE, from_status__in=DEADLINE_STATUSES, deadline__isnull=False) & timely

    return condition


def _accepted_in_time(window: Window) -> Q:
    """An assignment the department accepted within CAMPAIGN_ACCEPT_DAYS days (受理)."""
    within = datetime.timedelta(days=settings.CAMPAIGN_ACCEPT_DAYS)
    accepted = IssueEvent.objects.filter(
        issue=OuterRef("issue"),
        action=Action.ACCEPT,
        department=OuterRef("department"),
        created_at__gte=OuterRef("created_at"),
        created_at__lte=ExpressionWrapper(OuterRef("created_at") + within, output_field=DateTimeField()),
    ).filter(
        # Implied by the above for an assignment in the period; said outright, it keeps the database to the
        # period's acceptances on the (action, created_at) index instead of every acceptance there ever was.
        created_at__gte=window.start_at,
        created_at__lte=window.end_at + within,
    )
    return Q(action__in=(Action.ASSIGN, Action.REASSIGN)) & Q(Exists(accepted))


ASSIGNED_MOVES = Moves(_actions(Action.ASSIGN, Action.REASSIGN), (Action.ASSIGN, Action.REASSIGN))
ACCEPTED_IN_TIME = Moves(_accepted_in_time, (Action.ASSIGN, Action.REASSIGN))
ON_TIME = Moves(_resolved(on_time=True), (Action.RESOLVE,))
LATE = Moves(_resolved(on_time=False), (Action.RESOLVE,))
RETURNED = Moves(_actions(Action.RETURN), (Action.RETURN,), credit="from_department")
EXTENSION_ASKED = Moves(_actions(Action.REQUEST_EXTENSION), (Action.REQUEST_EXTENSION,))
EXTENSION_GRANTED = Moves(_actions(Action.DECIDE_EXTENSION, kind="extension_approved"), (Action.DECIDE_EXTENSION,))
# The enterprise's rating (满意度): closing takes a satisfied or basically satisfied one, reopening the
# dissatisfied one, so each rating is a move, credited to the department that had resolved the problem.
SATISFIED = Moves(_actions(Action.CLOSE), (Action.CLOSE,), credit="from_department")
DISSATISFIED = Moves(_actions(Action.REOPEN), (Action.REOPEN,), credit="from_department")
# Who gave the rating (issue 15): the enterprise itself through its link (the event's `enterprise_link`), or
# a cadre recording it on the enterprise's behalf (the event's `actor`). Events keep both, so a past
# period splits the same way however often it is read.
RATED_BY_ENTERPRISE = Moves(
    _actions(Action.CLOSE, Action.REOPEN, enterprise_link__isnull=False),
    (Action.CLOSE, Action.REOPEN),
    credit="from_department",
)
RATED_BY_CADRE = Moves(
    _actions(Action.CLOSE, Action.REOPEN, actor__isnull=False), (Action.CLOSE, Action.REOPEN), credit="from_department"
)

# A problem is answered (有回应) once the side it was put to has taken it up or replied: a department
# accepted it, it was resolved (on the spot, by the department, or by the leading group), the leading
# group linked it to a systemic matter it decides, or assigned it after an escalation.
# Said as one list of actions and a test of the index's columns (not an OR of two lists, which PostgreSQL
# read as two bitmap scans and then the table's pages), so the period's answers are one range of the moves'
# index (`issue_event_moves`), read from the index alone.
ANSWERING = Q(action__in=(Action.ACCEPT, Action.RESOLVE, Action.LINK, Action.ASSIGN)) & (
    ~Q(action=Action.ASSIGN) | Q(from_status=Status.ESCALATED)
)


# -- the figures ---------------------------------------------------------------------------------------------

Condition = Callable[[Window, Any], Q]


@dataclass(frozen=True)
class Measure:
    """A figure: its key (the ledger's `measure`), its name, its definition as shown beside it, its problems."""

    key: str
    label: StrPromise
    definition: StrPromise
    condition: Condition
    moves: Moves | None = None  # set for a figure of moves: the department table groups those by unit
    # Which problems the figure can count at all (`reach`): those reported in the period, those with a
    # department at its end (STANDING), or those with a move in it (a figure of moves).
    standing: bool = False

    def q(self, window: Window, unit: Any = None) -> Q:
        # A unit may come as a Department (the ledger's `unit` filter) or its id: `as_department` is an id.
        return self.condition(window, getattr(unit, "pk", unit))


def _reported(window: Window, unit: Any) -> Q:
    """Reported in the period (and, for a unit, with it at the period's end)."""
    q = window.in_period()
    return q if unit is None else q & Q(as_department=unit)


def _with_unit(q: Q, unit: Any) -> Q:
    return q if unit is None else q & Q(as_department=unit)


def _flow(flow: Flow) -> Condition:
    return lambda window, unit: _reported(window, unit) & Q(as_flow=flow)


def _status(status: Status) -> Condition:
    return lambda window, unit: _reported(window, unit) & Q(as_status=status)


def _answers(window: Window) -> Q:
    """Answered by the window's moment. An answer comes after the report, so for a problem reported in the
    period it is among the answers made from the period's start: a short list, read once."""
    answers = IssueEvent.objects.filter(ANSWERING, created_at__gte=window.start_at, created_at__lt=window.as_of)
    return Q(pk__in=answers.values("issue_id"))


def _answered(window: Window, unit: Any) -> Q:
    return _reported(window, unit) & _answers(window)


def _unanswered(window: Window, unit: Any) -> Q:
    return _reported(window, unit) & ~_answers(window)


def _source(source: Source, answered: bool = False) -> Condition:
    """Reported in the period and put into the portal by the cadre or raised by the enterprise (`Issue.source`,
    which never changes); with `answered`, those answered by the period's end."""

    def condition(window: Window, unit: Any) -> Q:
        q = _reported(window, unit) & Q(source=source)
        return q & _answers(window) if answered else q

    return condition


def _moves(moves: Moves) -> Condition:
    return lambda window, unit: moves.made(window, unit)


def _overdue(window: Window, unit: Any) -> Q:
    return _with_unit(Q(as_status__in=DEADLINE_STATUSES, as_deadline__lt=window.as_of_date), unit)


def _horizon(window: Window) -> datetime.date:
    """The last deadline due soon at the window's moment: the desk's own rule (working days, core/workdays.py)."""
    return due_soon_horizon(window.as_of_date)


def _due_soon(window: Window, unit: Any) -> Q:
    q = Q(as_status__in=DEADLINE_STATUSES, as_deadline__gte=window.as_of_date, as_deadline__lte=_horizon(window))
    return _with_unit(q, unit)


def _on_track(window: Window, unit: Any) -> Q:
    return _with_unit(Q(as_status__in=DEADLINE_STATUSES, as_deadline__gt=_horizon(window)), unit)


def _extension_granted(window: Window, unit: Any) -> Q:
    return EXTENSION_GRANTED.made(window, unit)


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "reported",
            _("Problems reported"),
            _(
                "Problems reported in the period: by a cadre, or raised by the enterprise itself through its link"
                " (a request)."
            ),
            _reported,
        ),
        Measure(
            "reported_by_cadre",
            _("Reported by a cadre"),
            _("Problems reported in the period that a cadre put into the portal."),
            _source(Source.CADRE),
        ),
        Measure(
            "raised_by_enterprise",
            _("Raised by the enterprise"),
            _("Problems reported in the period that the enterprise raised itself through its link (requests)."),
            _source(Source.ENTERPRISE),
        ),
        Measure(
            "raised_by_enterprise_answered",
            _("Raised by the enterprise and answered"),
            _("Requests the enterprise raised itself in the period that had an answer by its end."),
            _source(Source.ENTERPRISE, answered=True),
        ),
        Measure(
            "on_the_spot",
            _("Solved on the spot"),
            _("Problems reported in the period whose way at the period's end was: solved on the spot."),
            _flow(Flow.ON_THE_SPOT),
        ),
        Measure(
            "assigned",
            _("Assigned to departments"),
            _("Problems reported in the period whose way at the period's end was: assigned to a department."),
            _flow(Flow.ASSIGNED),
        ),
        Measure(
            "escalated",
            _("Escalated to the leading group"),
            _("Problems reported in the period whose way at the period's end was: escalated to the leading group."),
            _flow(Flow.ESCALATED),
        ),
        *(
            Measure(
                f"status_{status.value}",
                status.label,
                _("Problems reported in the period in this state at the period's end."),
                _status(status),
            )
            for status in Status
        ),
        Measure(
            "answered",
            _("Answered"),
            _(
                "Problems reported in the period that had an answer by its end: a department accepted it, it was"
                " resolved, or the leading group assigned it or linked it to a systemic matter."
            ),
            _answered,
        ),
        Measure(
            "unanswered",
            _("Not yet answered"),
            _("Problems reported in the period with no answer by its end."),
            _unanswered,
        ),
        Measure(
            "resolved_on_time",
            _("Resolved on time"),
            _(
                "Problems a department resolved in the period on or before the deadline then in force"
                " (an extension granted moves the deadline)."
            ),
            _moves(ON_TIME),
            ON_TIME,
        ),
        Measure(
            "resolved_late",
            _("Resolved late"),
            _("Problems a department resolved in the period after the deadline then in force."),
            _moves(LATE),
            LATE,
        ),
        Measure(
            "overdue",
            _("Overdue"),
            _("Problems with a department at the period's end (now, while it runs) whose deadline had passed."),
            _overdue,
            standing=True,
        ),
        Measure(
            "due_soon",
            _("Due soon"),
            _("Problems with a department at the period's end whose deadline was within the coming days."),
            _due_soon,
            standing=True,
        ),
        Measure(
            "on_track",
            _("On track"),
            _("Problems with a department at the period's end whose deadline was further off."),
            _on_track,
            standing=True,
        ),
        Measure(
            "satisfied",
            _("Satisfied"),
            _("Problems the enterprise rated satisfied or basically satisfied in the period (and so closed)."),
            _moves(SATISFIED),
            SATISFIED,
        ),
        Measure(
            "dissatisfied",
            _("Dissatisfied"),
            _("Problems the enterprise rated dissatisfied in the period (and so reopened)."),
            _moves(DISSATISFIED),
            DISSATISFIED,
        ),
        Measure(
            "rated_by_enterprise",
            _("Rated by the enterprise itself"),
            _(
                "Problems the enterprise rated itself through its link in the period (satisfied, basically satisfied"
                " or dissatisfied)."
            ),
            _moves(RATED_BY_ENTERPRISE),
            RATED_BY_ENTERPRISE,
        ),
        Measure(
            "rated_by_cadre",
            _("Rating recorded by a cadre"),
            _("Problems whose rating in the period a cadre recorded on the enterprise's behalf."),
            _moves(RATED_BY_CADRE),
            RATED_BY_CADRE,
        ),
        Measure(
            "returned",
            _("Returned"),
            _("Problems a department returned in the period as not its remit."),
            _moves(RETURNED),
            RETURNED,
        ),
        Measure(
            "extension_asked",
            _("Extensions asked"),
            _("Problems whose department asked for more time in the period."),
            _moves(EXTENSION_ASKED),
            EXTENSION_ASKED,
        ),
        Measure(
            "extension_granted",
            _("Extensions granted"),
            _("Problems granted more time in the period."),
            _extension_granted,
            EXTENSION_GRANTED,
        ),
        Measure(
            "assigned_to_unit",
            _("Assigned in the period"),
            _("Problems assigned (or reassigned) to the department in the period."),
            _moves(ASSIGNED_MOVES),
            ASSIGNED_MOVES,
        ),
        Measure(
            "accepted_in_time",
            _("Accepted in time"),
            _("Problems assigned in the period that the department accepted within the expected days."),
            _moves(ACCEPTED_IN_TIME),
            ACCEPTED_IN_TIME,
        ),
    )
}


# -- reading them ------------------------------------------------------------------------------------------


# The problems a window's figures can concern: reported before its end, and not closed before it began
# (a closed problem makes no more moves, so it counts in no figure of a later period).
def candidates(issues: QuerySet[Issue], window: Window) -> QuerySet[Issue]:
    return issues.filter(created_at__lt=window.end_at).exclude(closed_at__lt=window.start_at).order_by()


def reach(window: Window, keys: Iterable[str]) -> Q:
    """The problems at least one of the figures can count, as a condition the indexes serve.

    Every figure's condition implies its reach, so narrowing the rows read to it changes no figure; it
    keeps a city's count from reading every problem: the period's problems (`issue_ledger_order`), those
    with a department (the (status, deadline) index; once the period is over, also those moved since,
    whose state then is read back from their events), and those with one of the figures' moves in the
    period (saved since it began, `issue_updated_at`; for a past period's moves alone, the events' (action,
    created_at) index).
    """
    chosen = [MEASURES[key] for key in keys]
    found = Q(pk__in=[])
    if any(m.moves is None and not m.standing for m in chosen):
        found |= window.in_period()
    if any(m.standing for m in chosen):
        found |= Q(status__in=DEADLINE_STATUSES)
        if window.is_over:
            found |= Q(updated_at__gte=window.end_at)
    moves = [m.moves for m in chosen if m.moves is not None]
    if moves and (not window.is_over or any(m.standing for m in chosen)):
        # Every move saves its problem (`updated_at`, at or after the move's time), so a problem with a move
        # in the period was saved since the period began: read on the `issue_updated_at` index, not from the
        # period's events. While the period runs that is the problems saved in it; once it is over, the
        # standing figures read those saved since its end already, and this adds those last saved in it.
        found |= Q(updated_at__gte=window.start_at)
    elif moves:
        # A past period's moves alone: those saved since would each have their state read back (`with_state`).
        found |= Q(pk__in=_moves_in(window, moves).values("issue_id"))
    return found


def _moves_in(window: Window, moves: Iterable[Moves]) -> QuerySet[IssueEvent]:
    """The period's events of the actions these moves are made of (on any department's desk): every such move
    and maybe more, read on the (action, created_at) index; each figure's own condition picks its moves."""
    actions = sorted({action for kind in moves for action in kind.actions})
    return IssueEvent.objects.filter(window.in_period(), action__in=actions)


def _counted(issues: QuerySet[Issue], window: Window, keys: Iterable[str]) -> QuerySet[Issue]:
    """The candidates narrowed to the figures' reach, with their state at the window's moment."""
    return with_state(candidates(issues, window).filter(reach(window, keys)), window)


@dataclass(frozen=True)
class Reading:
    """A family of figures as one SQL statement not yet sent, and how its rows make the family's answer.

    `read` sends several families in one statement (a UNION ALL of them); `counts`, `grouped` and
    `by_unit` send theirs alone. `columns` names the statement's columns (its aliases) in the order they
    are read, each with the type it is read back as.
    """

    sql: str | None  # None: it can match no row, and is not sent
    params: tuple[Any, ...]
    columns: tuple[tuple[str, type], ...]
    finish: Callable[[list[dict[str, Any]]], Any]


@dataclass(frozen=True)
class Ask:
    """What a figure function reads (its statements) and how their rows make its answer."""

    readings: tuple[Reading, ...]
    combine: Callable[[list[Any]], Any]


class _Unsent(Exception):  # not an error: how `_statement` stops a query before it is sent
    def __init__(self, sql: str, params: Any) -> None:
        super().__init__(sql)
        self.sql, self.params = sql, tuple(params or ())


def _statement(run: Callable[[], Any]) -> tuple[str | None, tuple[Any, ...]]:
    """The SQL and parameters `run` would send, stopped before it is sent (Django's execute wrapper).

    None when it would send nothing: Django answers a query that can match no row without asking.
    """

    def stop(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        raise _Unsent(sql, params)

    with connection.execute_wrapper(stop):
        try:
            run()
        except _Unsent as unsent:
            # A debug cursor (DEBUG, or a test counting queries) logs the query it stopped as if it had been
            # sent: it was not, so it is not one of the page's queries.
            if connection.queries_logged and connection.queries_log:
                connection.queries_log.pop()
            return unsent.sql, unsent.params
    return None, ()


def _values_reading(rows: QuerySet[Any], columns: tuple[tuple[str, type], ...], finish: Callable[..., Any]) -> Reading:
    sql, params = _statement(lambda: list(rows))
    return Reading(sql, params, columns, finish)


def _typed(value: Any, kind: type) -> Any:
    return value if value is None or isinstance(value, kind) else kind(value)


def read(*asks: Ask) -> list[Any]:
    """Each ask's answer, all read in one SQL statement: the families' statements joined by UNION ALL.

    Each family's statement is a named subquery (WITH) whose columns are named as the family reads them;
    its rows are read back as text beside the family's number, padded to the widest, and typed again here.
    What each family counts, and how, is its own statement, unchanged. A single statement is sent as it is.
    """
    readings = [reading for ask in asks for reading in ask.readings]
    sent = [number for number, reading in enumerate(readings) if reading.sql is not None]
    found: list[list[dict[str, Any]]] = [[] for _ in readings]
    rows: list[Any] = []
    if len(sent) == 1:
        reading = readings[sent[0]]
        with connection.cursor() as cursor:
            cursor.execute(reading.sql or "", reading.params)
            rows = [(sent[0], *row) for row in cursor.fetchall()]
    elif sent:
        width = max(len(readings[number].columns) for number in sent)
        quote = connection.ops.quote_name
        named: list[str] = []
        parts: list[str] = []
        params: list[Any] = []
        for number in sent:
            reading = readings[number]
            columns = [quote(name) for name, _kind in reading.columns]
            named.append(f"r{number} ({', '.join(columns)}) AS ({reading.sql})")
            cells = [f"CAST({column} AS TEXT)" for column in columns] + ["NULL"] * (width - len(columns))
            parts.append(f"SELECT {number} AS f, {', '.join(cells)} FROM r{number}")  # nosec B608 # our own SQL
            params.extend(reading.params)
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {', '.join(named)} {' UNION ALL '.join(parts)}", params)
            rows = cursor.fetchall()
    for number, *values in rows:
        columns = readings[number].columns
        found[number].append({name: _typed(value, kind) for (name, kind), value in zip(columns, values, strict=False)})
    answers = [reading.finish(family) for reading, family in zip(readings, found, strict=True)]
    out: list[Any] = []
    at = 0
    for ask in asks:
        out.append(ask.combine(answers[at : at + len(ask.readings)]))
        at += len(ask.readings)
    return out


def _one(ask: Ask) -> Any:
    """An ask read on its own: each of its statements sent as it is (no UNION)."""
    return ask.combine([read(Ask((reading,), lambda found: found[0]))[0] for reading in ask.readings])


def counting(issues: QuerySet[Issue], window: Window, keys: Iterable[str] | None = None, unit: Any = None) -> Ask:
    """What `counts` reads, for `read` to send with other families."""
    chosen = list(keys or MEASURES)
    # Aggregated over the annotated problems, the state columns are computed once per problem in a
    # subquery and each figure's condition reads them (no condition refers to the outer row itself).
    # Sliced, the problems are read in an inner query that PostgreSQL does not fold into the outer one (a
    # LIMIT fences it): each problem's state is worked out once, not once per figure that reads it.
    sliced = _counted(issues, window, chosen)[:EVERY]
    # Built before the statement is taken: a condition may read the working days' calendar as it is built.
    figures = {key: Count("pk", filter=MEASURES[key].q(window, unit)) for key in chosen}
    sql, params = _statement(lambda: sliced.aggregate(**figures))

    def finish(rows: list[dict[str, Any]]) -> dict[str, int]:
        found = rows[0] if rows else {}
        return {key: found.get(key) or 0 for key in chosen}

    return Ask((Reading(sql, params, tuple((key, int) for key in chosen), finish),), lambda found: found[0])


def counts(
    issues: QuerySet[Issue], window: Window, keys: Iterable[str] | None = None, unit: Any = None
) -> dict[str, int]:
    """Count each figure over the problems given (already scoped to the viewer and filtered), in one query."""
    result: dict[str, int] = _one(counting(issues, window, keys, unit))
    return result


def reported_by_month(issues: QuerySet[Issue], months: list[Any]) -> Ask:
    """The problems `reported` in each of the months (a list of `core.months.Month`), in one statement."""
    span = Window.of(Period(months[0], months[-1]))
    figures = {
        f"m{i}": Count("pk", filter=MEASURES["reported"].q(Window.of(Period.month(month))))
        for i, month in enumerate(months)
    }
    sql, params = _statement(lambda: issues.filter(span.in_period()).order_by().aggregate(**figures))

    def finish(found: list[dict[str, Any]]) -> list[int]:
        row = found[0] if found else {}
        return [row.get(f"m{i}") or 0 for i in range(len(months))]

    reading = Reading(sql, params, tuple((f"m{i}", int) for i in range(len(months))), finish)
    return Ask((reading,), lambda found: found[0])


def _grouped_rows(
    issues: QuerySet[Issue], window: Window, by: str, chosen: list[str], unit: Any, also: tuple[str, ...]
) -> QuerySet[Issue, dict[str, Any]]:
    return (
        _counted(issues, window, chosen)
        .order_by()
        .values(by, *also)
        .annotate(**{key: Count("pk", filter=MEASURES[key].q(window, unit)) for key in chosen})
    )


def grouping(
    issues: QuerySet[Issue],
    window: Window,
    by: str,
    keys: Iterable[str] | None = None,
    unit: Any = None,
    also: tuple[str, ...] = (),
    types: dict[str, type] | None = None,
) -> Ask:
    """What `grouped` reads, for `read` to send with other families. `types`: how the group's fields read
    back (`by` and `also`), an int unless said (a name, a sector: str)."""
    chosen = list(keys or MEASURES)
    rows = _grouped_rows(issues, window, by, chosen, unit, also)
    kinds = types or {}
    columns = (*((name, kinds.get(name, int)) for name in (by, *also)), *((key, int) for key in chosen))

    def finish(found: list[dict[str, Any]]) -> dict[Any, dict[str, Any]]:
        return {row[by]: {key: row[key] for key in (*chosen, *also)} for row in found}

    return Ask((_values_reading(rows, columns, finish),), lambda found: found[0])


def grouped(
    issues: QuerySet[Issue],
    window: Window,
    by: str,
    keys: Iterable[str] | None = None,
    unit: Any = None,
    also: tuple[str, ...] = (),
) -> dict[Any, dict[str, Any]]:
    """Count each figure per value of a field of the problem (`reporter`, `enterprise__street`…), in one query.

    With a `unit`, each group's figures are that department's, as `counts(..., unit=<department>)` gives them.
    A group whose problems count in none of the figures is left out. `also`: more fields of the group to
    return with its figures (its name, say), read in the same query.
    """
    chosen = list(keys or MEASURES)
    rows = _grouped_rows(issues, window, by, chosen, unit, also)
    return {row[by]: {key: row[key] for key in (*chosen, *also)} for row in rows}


def units(issues: QuerySet[Issue], window: Window, keys: Iterable[str] | None = None) -> Ask:
    """What `by_unit` reads (up to three statements, which `read` sends as one), for `read` to send with others."""
    chosen = list(keys or MEASURES)
    readings: list[Reading] = []

    def rows_of(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return found

    standing = [key for key in chosen if MEASURES[key].moves is None]
    parts: list[tuple[str, list[str]]] = []
    if standing:
        rows = (
            _counted(issues, window, standing)  # type: ignore[misc]  # an annotation, which the stubs cannot see
            .order_by()
            .values("as_department")
            .annotate(**{key: Count("pk", filter=MEASURES[key].q(window)) for key in standing})
        )
        columns = (("as_department", int), *((key, int) for key in standing))
        readings.append(_values_reading(rows, columns, rows_of))
        parts.append(("as_department", standing))
    for credit in ("department", "from_department"):
        names = [key for key in chosen if (m := MEASURES[key].moves) is not None and m.credit == credit]
        if not names:
            continue
        events = _moves_in(window, (MEASURES[key].moves for key in names))  # type: ignore[misc]
        if issues.query.has_filters():  # every problem, for an overseer: no list of them to check against
            events = events.filter(issue__in=issues.order_by().values("pk"))
        rows = (
            events.order_by()
            .values(credit)
            .annotate(
                **{
                    key: Count("issue", distinct=True, filter=MEASURES[key].moves.condition(window))  # type: ignore[union-attr]
                    for key in names
                }
            )
        )
        columns = ((credit, int), *((key, int) for key in names))
        readings.append(_values_reading(rows, columns, rows_of))
        parts.append((credit, names))

    def combine(found: list[list[dict[str, Any]]]) -> dict[Any, dict[str, int]]:
        table: dict[Any, dict[str, int]] = {}
        for (column, names), rows in zip(parts, found, strict=True):
            for row in rows:
                if row[column] is None:
                    continue
                mine = table.setdefault(row[column], dict.fromkeys(chosen, 0))
                for name in names:
                    mine[name] = row[name]
        return table

    return Ask(tuple(readings), combine)


def by_unit(issues: QuerySet[Issue], window: Window, keys: Iterable[str] | None = None) -> dict[Any, dict[str, int]]:
    """Count each figure per department, as `counts(..., unit=<department>)` would, in one query.

    A figure of moves is grouped on the moves' department (`Moves.credit`); the others on the
    department the problem was with at the window's moment. Departments with nothing are left out. The
    families' statements (up to three) are sent as one (`read`).
    """
    result: dict[Any, dict[str, int]] = read(units(issues, window, keys))[0]
    return result


def resolve_days(issues: QuerySet[Issue], window: Window) -> dict[Any, float]:
    """Average days a department took to resolve, per department: from its assignment to its reply.

    Over the replies it made in the period (on time or late), each measured from the latest assignment
    of the problem to that department before the reply; one query.
    """
    assigned_at = (
        IssueEvent.objects.filter(
            issue=OuterRef("issue"),
            department=OuterRef("department"),
            action__in=(Action.ASSIGN, Action.REASSIGN),
            created_at__lte=OuterRef("created_at"),
        )
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    took = ExpressionWrapper(F("created_at") - Subquery(assigned_at), output_field=DurationField())
    replies = ON_TIME.events(window) | LATE.events(window)
    # Every problem, for an overseer: no list of them to check against. (At a province's 300,000 problems the
    # list would not fit the planner's hash, and each reply was checked against it row by row: 40 s.)
    if issues.query.has_filters():
        replies = replies.filter(issue__in=issues.order_by().values("pk"))
    rows = replies.order_by().values("department").annotate(took=Avg(took))
    return {row["department"]: round(row["took"].total_seconds() / 86400, 1) for row in rows if row["took"] is not None}


@dataclass(frozen=True)
class Rates:
    """The campaign's three rates, in per cent to one decimal (None when there is nothing to divide)."""

    response: float | None  # answered / reported (件件有回应)
    on_time: float | None  # resolved on time / (resolved on time + resolved late + overdue)
    satisfaction: float | None  # satisfied / (satisfied + dissatisfied)

    @classmethod
    def of(cls, figures: dict[str, int]) -> Rates:
        parts = cls.parts(figures)
        return cls(**{name: _share(*fraction) for name, fraction in parts.items()})

    @staticmethod
    def parts(figures: dict[str, int]) -> dict[str, tuple[int, int]]:
        """Each rate's numerator and denominator, as counts (the annual assessment divides them exactly)."""
        on_time, satisfied = figures.get("resolved_on_time", 0), figures.get("satisfied", 0)
        return {
            "response": (figures.get("answered", 0), figures.get("reported", 0)),
            "on_time": (on_time, on_time + figures.get("resolved_late", 0) + figures.get("overdue", 0)),
            "satisfaction": (satisfied, satisfied + figures.get("dissatisfied", 0)),
        }


# Who each rate's problems came from (issue 15): the rate itself counts them all, and a page says beside it
# how many the enterprise gave itself and how many a cadre recorded (the satisfaction rate's ratings), or
# how many the enterprise raised itself, answered of those, and how many a cadre reported (the response
# rate's problems). A problem rated twice in a period, once each way, counts under both.
RATE_SPLITS: dict[str, tuple[str, ...]] = {
    "response": ("raised_by_enterprise", "raised_by_enterprise_answered", "reported_by_cadre"),
    "satisfaction": ("rated_by_enterprise", "rated_by_cadre"),
}

# The figures each rate reads (`Rates.parts`), for a page that shows them beside it.
RATE_FIGURES: dict[str, tuple[str, ...]] = {
    "response": ("answered", "reported"),
    "on_time": ("resolved_on_time", "resolved_late", "overdue"),
    "satisfaction": ("satisfied", "dissatisfied"),
}
RATE_LABELS: dict[str, StrPromise] = {
    "response": _("Response rate"),
    "on_time": _("On-time resolution rate"),
    "satisfaction": _("Satisfaction rate"),
}
RATE_DEFINITIONS: dict[str, StrPromise] = {
    "response": _("Response rate: problems answered by the period's end, of those reported in it (件件有回应)."),
    "on_time": _(
        "On-time resolution rate: problems resolved on time in the period, of those resolved in it plus those"
        " overdue at its end."
    ),
    "satisfaction": _(
        "Satisfaction rate: problems rated satisfied or basically satisfied in the period, of all those rated in it."
    ),
}


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rows(issues: QuerySet[Issue], key: str, window: Window, unit: Any = None) -> QuerySet[Issue]:
    """The problems behind a figure: what the ledger lists for `?measure=<key>`."""
    measure = MEASURES[key]
    return with_state(candidates(issues, window), window).filter(measure.q(window, unit))
