from django.core.management.base import BaseCommand

from core.exports import Status, export_run, exports_sweep
from core.models import ExportJob


class Command(BaseCommand):
    help = "Write the exports waiting for a worker, here, then sweep expired files (a host with cron and no Celery)."

    def handle(self, *args: object, **options: object) -> None:
        waiting = list(ExportJob.objects.filter(status=Status.PENDING).order_by("pk").values_list("pk", flat=True))
        written = [job for job_id in waiting if (job := export_run(job_id=job_id)) is not None]
        failed = sum(job.status == Status.FAILED for job in written)
        swept = exports_sweep()
        self.stdout.write(
            f"{len(written)} export(s) run, {failed} failed; {swept.expired} expired file(s) deleted, "
            f"{swept.failed} interrupted job(s) failed."
        )
        if failed:
            raise SystemExit(1)
