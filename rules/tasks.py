"""Celery tasks of the rules app: thin wrappers over the services."""

from celery import shared_task

from . import bulk, dates


@shared_task(name="rules.check_dates", ignore_result=True)
def check_dates():
    dates.check_dates()


@shared_task(name="rules.run_bulk_job", ignore_result=True)
def run_bulk_job(job_id):
    bulk.bulk_job_run(job_id)


@shared_task(name="rules.resume_bulk_jobs", ignore_result=True)
def resume_bulk_jobs():
    bulk.bulk_jobs_resume()
