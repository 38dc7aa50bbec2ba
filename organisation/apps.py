from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationConfig(AppConfig):
    name = "organisation"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # The enterprise list's export, streamed or written in the background by core (core/exports.py).
        from core import exports
        from organisation.exports import enterprise_sheet

        exports.register("enterprises", enterprise_sheet, label=_("Enterprises and their current cadre"))
        # Pairings, names and groups touch the kept figures that read them (core/kept.py).
        from organisation import kept

        kept.connect()
