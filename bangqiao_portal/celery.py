"""The Celery app: its broker and schedule come from Django settings (CELERY_*)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

app = Celery("bangqiao_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_file_broker_folders(sender: Celery, **kwargs: object) -> None:
    """Without Redis, messages wait in files: make their folders before the first one is sent."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if key in options:
            Path(options[key]).mkdir(parents=True, exist_ok=True)
