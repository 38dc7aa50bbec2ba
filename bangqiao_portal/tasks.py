from celery import shared_task


@shared_task
def ping() -> str:
    """Answer 'pong'; lets the health check and the tests see a worker round-trip."""
    return "pong"
