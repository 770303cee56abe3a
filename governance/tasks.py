from celery import shared_task


@shared_task(name="governance.apply_retention", ignore_result=True)
def apply_retention_task():
    """Daily on beat: what the retention policy says is due (governance.retention)."""
    from .retention import apply_retention

    apply_retention()
