from celery import shared_task


@shared_task(name="ops.worker_heartbeat", ignore_result=True)
def worker_heartbeat():
    """Scheduled by beat, run by whichever worker takes it: proof that workers consume the queue."""
    from .heartbeats import WORKER, beat

    beat(WORKER)
