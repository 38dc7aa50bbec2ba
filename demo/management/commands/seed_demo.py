from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.seed import seed_demo
from enterprises.models import Enterprise


class Command(BaseCommand):
    help = (
        "Load the fictional demo district (139 cadres and enterprises); running it again changes nothing. "
        "`manage.py demo_logins` prints its logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds enterprises (so real data never gets demo rows).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Enterprise.objects.exists():
            self.stdout.write(_("The database holds enterprises already: the demo district was not loaded."))
        else:
            self._seed()

    def _seed(self) -> None:
        result = seed_demo()
        if result.changed:
            made = ", ".join(f"{k} {v}" for k, v in result.created.items() if v)
            self.stdout.write(self.style.SUCCESS(_("Demo district created: %(made)s") % {"made": made}))
        else:
            self.stdout.write(_("The demo district is there already; nothing changed."))
