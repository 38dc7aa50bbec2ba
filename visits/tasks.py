"""Celery tasks: thin, each calls a service."""

from celery import shared_task

from visits import tallies


@shared_task
def repair_tallies() -> int:
    """Rebuild the pairings whose visit tally has drifted from their visits; beat runs this nightly."""
    return len(tallies.repair())
