from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import checks  # noqa: F401  (registers the deploy checks)
        from core.roles import grant_office_permissions

        post_migrate.connect(grant_office_permissions, sender=self)
