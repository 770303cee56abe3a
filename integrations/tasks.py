"""Celery tasks: thin; they load by id and call the services."""

import logging

from celery import shared_task

from . import outbox, sending

logger = logging.getLogger(__name__)


@shared_task(name="integrations.send_log_entry", ignore_result=True)
def send_log_entry(entry_id):
    sending.send_entry(entry_id)


@shared_task(name="integrations.send_log_entries", ignore_result=True)
def send_log_entries(entry_ids):
    """Send a batch published together (outbox.enqueue_many); one entry's error never stops the rest."""
    for entry_id in entry_ids:
        try:
            sending.send_entry(entry_id)
        except Exception:  # recorded on the entry where it could be; the sweeper retries what was left
            logger.exception("Sending log entry %s failed", entry_id, extra={"log_entry_id": entry_id})


@shared_task(name="integrations.sweep_outbox", ignore_result=True)
def sweep_outbox():
    outbox.sweep()
