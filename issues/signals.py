"""What the problems app announces to the apps above it, which it may not import (docs/architecture.md).

`issue_moved` is sent by `issues.services.issue_transition` inside the move's transaction,
once the timeline event is written, with `move=MoveMade(...)`. A receiver's writes are part of
the move: they commit with it or roll back with it, and a receiver that raises refuses the move.
Anything that must not happen before the commit (a mail, a task) belongs in `on_commit`.
"""

from dataclasses import dataclass

from django.dispatch import Signal

from issues.models import Issue, IssueEvent


@dataclass(frozen=True, kw_only=True)
class MoveMade:
    """One move just made: the problem as it is now, its timeline event, and whose desk it left."""

    issue: Issue
    event: IssueEvent  # the move's action, actor, states and time; its id names the move
    # The department and responsible account the problem was with before the move (None: none).
    from_department_id: int | None
    from_responsible_staff_id: int | None


issue_moved = Signal()
