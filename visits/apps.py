from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Service visits")

    def ready(self) -> None:
        # The visits per month's export, streamed or written in the background by core (core/exports.py).
        from core import exports
        from visits.exports import visit_month_sheet

        exports.register("visits_per_month", visit_month_sheet, label=_("Visits per cadre per month"))
        # The visits' writes touch their kept figures (core/kept.py).
        from visits import kept

        kept.connect()
