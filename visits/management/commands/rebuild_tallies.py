from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from visits import reach, tallies

# The drifted rows printed at most, of each summary; the count says how many there are.
SHOWN = 20


class Command(BaseCommand):
    help = (
        "Recount the summaries the visit services keep, set-based: the visit tally (visits per pairing per month, "
        "visits/tallies.py) from the visits, the policies' reach (visits/reach.py) from the visits' policies. "
        "With --check, write nothing: list where a summary and its source disagree and exit 1 if they do. "
        "Beat repairs drift nightly; run this after writing visits outside the services (a bulk load)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Report drift and exit 1 if any; change nothing.")

    def handle(self, *args, check: bool = False, **options):
        if not check:
            rows = tallies.rebuild()
            self.stdout.write(_("Visit tally rebuilt: %(rows)d pairing-months.") % {"rows": rows})
            rows = reach.rebuild()
            self.stdout.write(_("Policy reach rebuilt: %(rows)d policy-enterprises.") % {"rows": rows})
            return
        months, pairs = tallies.drift(), reach.drift()
        if not months:
            self.stdout.write(_("The visit tally agrees with the visits."))
        for row in months[:SHOWN]:
            self.stdout.write(
                _("  pairing %(pairing)d, %(month)s: tally %(kept)d, visits %(counted)d")
                % {"pairing": row.pairing_id, "month": f"{row.month:%Y-%m}", "kept": row.kept, "counted": row.counted}
            )
        if not pairs:
            self.stdout.write(_("The policies' reach agrees with the visits."))
        for pair in pairs[:SHOWN]:
            self.stdout.write(
                _("  policy %(policy)d, enterprise %(enterprise)d: kept %(kept)s, visits %(counted)s")
                % {
                    "policy": pair.policy_id,
                    "enterprise": pair.enterprise_id,
                    "kept": _reach_figure(*pair.kept),
                    "counted": _reach_figure(*pair.counted),
                }
            )
        # Exit 1: a monitor's cron line can alert on it.
        if months:
            raise CommandError(
                _(
                    "The visit tally disagrees with the visits in %(count)d pairing-months; "
                    "run rebuild_tallies to repair."
                )
                % {"count": len(months)}
            )
        if pairs:
            raise CommandError(
                _(
                    "The policies' reach disagrees with the visits for %(count)d policy-enterprises; "
                    "run rebuild_tallies to repair."
                )
                % {"count": len(pairs)}
            )


def _reach_figure(visits, last_on) -> str:
    return f"{visits} ({last_on:%Y-%m-%d})" if last_on else str(visits)
