"""Celery tasks: thin, each calls a service."""

from celery import shared_task

from visits import reach, tallies


@shared_task
def repair_tallies() -> int:
    """Rebuild what drifted of the visits' summaries: the visit tally's pairings, the policies' reach; nightly."""
    return len(tallies.repair()) + len(reach.repair())
