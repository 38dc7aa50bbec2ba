from django.core.management.base import BaseCommand

from core.roles import Role
from demo.seed import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from enterprises.models import Enterprise


class Command(BaseCommand):
    help = "Load the fictional demo district (139 cadres and enterprises); running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds enterprises (so real data never gets demo rows).",
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Enterprise.objects.exists():
            self.stdout.write("数据库中已有企业数据，未加载演示数据。")
        else:
            self._seed()
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for role, first, last, note in DEMO_LOGINS:
            logins = first if first == last else f"{first} … {last}"
            self.stdout.write(f"  {Role(role).label}：{logins}" + (f"（{note}）" if note else ""))

    def _seed(self) -> None:
        result = seed_demo()
        if result.changed:
            made = "，".join(f"{k} {v}" for k, v in result.created.items() if v)
            self.stdout.write(self.style.SUCCESS(f"演示数据已创建：{made}"))
        else:
            self.stdout.write("演示数据已存在，未做任何更改。")
