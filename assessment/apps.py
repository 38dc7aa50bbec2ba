from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Annual assessment")

    def ready(self) -> None:
        # Weights, rating values, freezes and what it reads of supervision touch its kept figures (core/kept.py).
        from assessment import kept

        kept.connect()
