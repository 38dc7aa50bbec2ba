from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Reminders and notifications")

    def ready(self) -> None:
        # The problems app sits below this one and may not import it: it announces each move, and
        # this app tells whoever's turn it is now (notifications/handovers.py).
        from issues.models import Issue
        from issues.signals import issue_moved
        from notifications.handovers import on_issue_moved

        issue_moved.connect(on_issue_moved, sender=Issue, dispatch_uid="notifications.handovers")

        # Core's /health/ may not import this app either: it asks the probes registered with it.
        from core import health
        from notifications.health import reminders

        health.register("reminders", reminders)

        # An export written in the background tells its user when it is ready (notifications/exports.py).
        from core.exports import export_finished
        from core.models import ExportJob
        from notifications.exports import on_export_finished

        export_finished.connect(on_export_finished, sender=ExportJob, dispatch_uid="notifications.exports")
