"""The Celery app: its broker and schedule come from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangqiao_portal.settings")

app = Celery("bangqiao_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
