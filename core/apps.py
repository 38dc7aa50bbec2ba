from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from core import (
            checks,  # noqa: F401  (registers the deploy checks)
            kept_receivers,
            workdays,  # noqa: F401  (forgets a year's cached calendar when its rows change)
        )
        from core.drafts import forget_on_logout

        kept_receivers.connect()  # the working-days calendar touches the figures judged against it

        user_logged_out.connect(forget_on_logout, dispatch_uid="core.drafts.forget_on_logout")
