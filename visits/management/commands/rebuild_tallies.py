from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from visits import tallies

# The drifted pairing-months printed at most; the count says how many there are.
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Recount the visit tally (visits per pairing per month, visits/tallies.py) from the visits, set-based. "
        "With --check, write nothing: list where the tally and the visits disagree and exit 1 if they do. "
        "Beat repairs drift nightly; run this after writing visits outside the services (a bulk load)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report drift and exit 1 if any; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if not check:
            rows = tallies.rebuild()
            self.stdout.write(_("Visit tally rebuilt: %(rows)d pairing-months.") % {"rows": rows})
            return
        found = tallies.drift()
        if not found:
            self.stdout.write(_("The visit tally agrees with the visits."))
            return
        for row in found[:SHOWN]:
            self.stdout.write(
                _("  pairing %(pairing)d, %(month)s: tally %(kept)d, visits %(counted)d")
                % {"pairing": row.pairing_id, "month": f"{row.month:%Y-%m}", "kept": row.kept, "counted": row.counted}
            )
        # Exit 1: a monitor's cron line can alert on it.
        raise CommandError(
            _("The visit tally disagrees with the visits in %(count)d pairing-months; run rebuild_tallies to repair.")
            % {"count": len(found)}
        )
