from django.core.management.base import BaseCommand

from core.services import submissions_sweep


class Command(BaseCommand):
    help = (
        "Delete the one-time tokens of forms submitted too long ago to be sent again (older than a week, or than "
        "the longest login). Beat runs this nightly; for cron-only deployments, run it once a day."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"已清理过期的表单提交记录 {submissions_sweep()} 条。")
