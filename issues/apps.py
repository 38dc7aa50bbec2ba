from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Problems")

    def ready(self) -> None:
        # The ledger's export, streamed or written in the background by core (core/exports.py).
        from core import exports
        from issues.exports import ledger_sheet

        exports.register("ledger", ledger_sheet, label=_("Problem ledger"))
