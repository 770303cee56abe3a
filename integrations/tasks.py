"""Celery tasks: thin; they load by id and call the services."""

from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import outbox, sending, turns


@shared_task(name="integrations.send_log_entry", ignore_result=True)
def send_log_entry(entry_id, integration_id=None):
    turns.started(integration_id)
    sending.send_entry(entry_id)


@shared_task(name="integrations.send_log_entries", ignore_result=True)
def send_log_entries(entry_ids, integration_id=None, lease=None, bulk=False):
    """Send a batch published together (outbox.enqueue_many); `lease`: handed on, still claimed (integrations.turns)."""
    turns.started(integration_id)
    lease = parse_datetime(lease) if lease else None
    if integration_id and sending.wait_for_a_turn(entry_ids, integration_id=integration_id, lease=lease, bulk=bulk):
        return
    sending.send_entries(entry_ids, lease=lease)


@shared_task(name="integrations.sweep_outbox", ignore_result=True)
def sweep_outbox():
    from ops.heartbeats import SWEEPER, beat

    outbox.sweep()
    beat(SWEEPER)  # for /readyz: beat runs the sweeper, and a worker ran it


@shared_task(name="integrations.refresh_templates", ignore_result=True)
def refresh_templates():
    """Fetch every enabled integration's Notify templates into the cache."""
    from .services import templates_refresh_all

    templates_refresh_all()


@shared_task(name="integrations.poll_delivery_statuses", ignore_result=True, expires=600)
def poll_delivery_statuses():
    """Read delivery statuses that no callback brought (integrations.delivery.polling)."""
    from .delivery.polling import poll_all

    poll_all()


@shared_task(name="integrations.poll_received_texts", ignore_result=True, expires=600)
def poll_received_texts():
    """Read replies from Notify's list that no callback brought (integrations.delivery.received)."""
    from .delivery.received import poll_all_received_texts

    poll_all_received_texts()
