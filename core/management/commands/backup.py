from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder (make backup)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new or empty folder")

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            report = backup(folder=folder)
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{report.folder}: {sum(report.counts.values())} rows in {len(report.counts)} tables")
