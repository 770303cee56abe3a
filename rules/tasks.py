"""Celery tasks of the rules app: thin wrappers over the services."""

from celery import shared_task

from . import dates


@shared_task(name="rules.check_dates", ignore_result=True)
def check_dates():
    dates.check_dates()
