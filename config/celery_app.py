"""The Celery app. Its settings live in Django settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")  # `make run` sets local

app = Celery("notify_cases")
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from config.worker_watchdog import Watchdog  # noqa: E402

app.steps["consumer"].add(Watchdog)


@task_prerun.connect
@task_postrun.connect
def _database_connections(**kwargs):
    """Treat each task as Django treats a request: keep the connection for CONN_MAX_AGE, check it, replace it.

    Celery's own Django fix-up closes the connection around every task unless DB_REUSE_MAX is set; opening
    one costs more than a send's queries. Django's close_old_connections also drops a broken connection.
    """
    from django.db import close_old_connections

    close_old_connections()
