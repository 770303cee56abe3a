"""The Celery app. Its settings live in Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("notify_cases")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
