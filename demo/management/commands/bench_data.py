import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo import scale


class Command(BaseCommand):
    help = (
        "Build a benchmark tier quickly into an empty database: district (139 pairings), city (13,900) or province "
        "(135,000; 9.7 million visits); --stress adds 1,000,000 open problems, 5% overdue, for the reminder scan. "
        "City, province and the stress set need PostgreSQL. The logins are city-lead, city-office, city00001…, "
        "city-dept001…; see demo/scale.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tier", choices=sorted(scale.TIERS), help="the tier to build")
        parser.add_argument("--stress", action="store_true", help="add the reminder scan's stress set")
        parser.add_argument(
            "--into-existing",
            action="store_true",
            help="build even though the database holds pairings or problems (never on real data)",
        )

    def handle(self, *args, tier: str | None = None, stress: bool = False, into_existing: bool = False, **options):
        if not tier and not stress:
            raise CommandError("Give --tier district|city|province, --stress, or both.")
        postgresql = connection.vendor == "postgresql"
        if (stress or (tier and scale.TIERS[tier].postgresql_only)) and not postgresql:
            what = f"the {tier} tier" if tier and scale.TIERS[tier].postgresql_only else "the stress set"
            raise CommandError(
                f"{what.capitalize()} is built on PostgreSQL only; this database is {connection.vendor}."
            )
        if tier:
            if scale.has_data() and not into_existing:
                raise CommandError(
                    "This database holds pairings or problems already: bench_data builds into an empty database "
                    "only, so it never mixes into real data (--into-existing to build anyway)."
                )
            started = time.perf_counter()
            took = scale.build(scale.TIERS[tier])
            parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in took.items())
            self.stdout.write(f"Built the {tier} tier in {time.perf_counter() - started:.1f} s ({parts}).")
        if stress:
            if not scale.has_data():
                raise CommandError("The stress set goes on top of a tier: give --tier too, or build one first.")
            started = time.perf_counter()
            due = scale.build_stress()
            self.stdout.write(
                f"Built the stress set in {time.perf_counter() - started:.1f} s "
                f"({scale.STRESS_OPEN:,} open problems, {due:,} overdue)."
            )
        sizes = ", ".join(f"{value:,} {name}" for name, value in scale.counts().items())
        self.stdout.write(f"The database now holds {sizes}.")
