"""Print an enterprise's link, for the campaign office to send by SMS; issue a new one, or revoke it."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enterprises import links
from enterprises.models import Enterprise
from enterprises.uscc import normalize_uscc


class Command(BaseCommand):
    help = (
        "Print the enterprise's current link (freshly signed: its expiry counts from now). "
        "--new issues a new link, revoking the old; --revoke withdraws it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("uscc", help="the enterprise's unified social credit code (18 characters)")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--new", action="store_true", help="issue a new link; the old one stops working")
        action.add_argument("--revoke", action="store_true", help="withdraw the link; nothing opens with it")

    def handle(self, *args: Any, uscc: str, new: bool, revoke: bool, **options: Any) -> None:
        enterprise = Enterprise.objects.filter(uscc=normalize_uscc(uscc)).first()
        if enterprise is None:
            raise CommandError(f"No enterprise has the unified social credit code {uscc!r}.")
        if not enterprise.is_active:
            raise CommandError(f"{enterprise.name} is no longer active: it has no link.")
        if revoke:
            count = links.link_revoke(enterprise=enterprise, actor=None)
            if not count:
                raise CommandError(f"{enterprise.name} has no live link to revoke.")
            self.stdout.write(f"Revoked the link of {enterprise.name}.")
            return
        link = links.link_issue(enterprise=enterprise, actor=None) if new else links.link_current(enterprise)
        if link is None:
            raise CommandError(f"{enterprise.name} has no live link: issue one with --new.")
        self.stdout.write(links.url_for(link))
