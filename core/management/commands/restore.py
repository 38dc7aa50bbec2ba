from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup folder into this installation's empty database and MEDIA_ROOT (make restore)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a folder made by manage.py backup")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            report = restore(folder=folder)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{report.folder}: {sum(report.counts.values())} rows in {len(report.counts)} tables")
