from django.core.management.base import BaseCommand

from demo.seed import demo_login_lines


class Command(BaseCommand):
    help = "Print the demo district's logins and their password (`make run` shows them); writes nothing."

    def handle(self, *args, **options):
        for line in demo_login_lines():
            self.stdout.write(line)
