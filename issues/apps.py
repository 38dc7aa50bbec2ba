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
        # The roadmap's unit and staff pickers, served by core's one endpoint (core/pickers.py).
        from issues.pickers import register_pickers

        register_pickers()
        # The problems' writes touch their kept figures (core/kept.py).
        from issues import kept

        kept.connect()
