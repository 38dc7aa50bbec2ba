"""The problem flow's refusals. Each carries a stable code (for programs and tests) and a message (for the user)."""

from core.errors import PortalError


class WorkflowError(PortalError):
    """A report or move on a problem that was refused; nothing was written."""


class MoveNotAllowed(WorkflowError):
    """The actor may not make this move, or no such move leads from the problem's state."""


class StaleIssue(WorkflowError):
    """Someone moved the problem after the actor's page was drawn."""
