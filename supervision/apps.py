from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # The forms' search pickers, served by core's one endpoint (core/pickers.py).
        from supervision.pickers import register_pickers

        register_pickers()
