from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoiceConfig(AppConfig):
    """The enterprise's own voice: its pages through its signed link, and the staff's page for that link."""

    name = "voice"
    verbose_name = _("The enterprise's link")
