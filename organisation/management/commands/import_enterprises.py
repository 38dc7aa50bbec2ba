from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from enterprises.importers import ImportFileError, check_size
from organisation.imports import enterprise_import


class Command(BaseCommand):
    help = "Import an enterprise list (.xlsx or .csv, UTF-8 or GBK) all or nothing; exit 1 when any row is invalid."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the list: .xlsx or .csv")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file: Path, dry_run: bool = False, **options):
        try:
            check_size(file.stat().st_size)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}) from exc
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        report = enterprise_import(data=file.read_bytes(), dry_run=dry_run, filename=file.name)
        for error in report.errors:
            self.stderr.write(str(error))
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(_("Please check: %(warning)s") % {"warning": warning}))
        counts = _("%(new)d new, %(updated)d updated, %(unchanged)d unchanged.") % {
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if not report.ok:
            raise CommandError(_("%(count)d problem(s) found; nothing was written.") % {"count": len(report.errors)})
        if dry_run:
            self.stdout.write(_("Dry run: %(counts)s Nothing was written.") % {"counts": counts})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported: %(counts)s") % {"counts": counts}))
