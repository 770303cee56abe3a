"""A worker that no longer consumes restarts its consumer (docs/decisions/0003-worker-watchdog.md).

Celery's Redis transport has a family of reports of a worker that reconnects after a broker blip and then
never takes another task, silently. The watchdog is a consumer bootstep: every WORKER_WATCHDOG_SECONDS the
worker's event loop checks whether tasks wait in the broker for the queues this worker serves while the
worker has free pool slots and has received nothing since the last check. Two such checks in a row mean
the consumer is deaf: it logs an error, subscribes again to every queue in CELERY_TASK_QUEUES, and raises a
connection error inside the event loop, which Celery answers as it answers a lost broker connection: it
rebuilds the consumer and its connection.
"""

import logging

from celery import bootsteps
from celery.signals import task_received
from celery.worker import state
from django.conf import settings
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)
STRIKES = 2


class ConsumerDeaf(RedisConnectionError):
    """Raised in the worker's event loop to have Celery rebuild a consumer that stopped consuming."""


def is_deaf(*, received, waiting, active, concurrency):
    """Whether a check finds the consumer deaf: tasks wait, slots are free, and none arrived since the last check."""
    return received == 0 and waiting > 0 and active < concurrency


class Watchdog(bootsteps.StartStopStep):
    """The consumer bootstep (added in config/celery_app.py); only for a Redis broker."""

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, consumer, **kwargs):
        self.interval = float(getattr(settings, "WORKER_WATCHDOG_SECONDS", 60.0))
        self.timer = None
        self.received = 0
        self.strikes = 0
        task_received.connect(self._on_received, weak=False)
        super().__init__(consumer, **kwargs)

    def include_if(self, consumer):
        return self.interval > 0 and consumer.app.conf.broker_url.startswith(("redis://", "rediss://"))

    def _on_received(self, **kwargs):
        self.received += 1

    def start(self, consumer):
        self.strikes, self.received = 0, 0
        if consumer.hub is not None:
            self.timer = consumer.hub.call_repeatedly(self.interval, self.check, consumer)

    def stop(self, consumer):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    shutdown = stop

    def check(self, consumer):
        received, self.received = self.received, 0
        waiting = waiting_tasks(consumer.app)
        deaf = is_deaf(received=received, waiting=waiting, active=len(state.active_requests),
                       concurrency=consumer.pool.num_processes if consumer.pool else 1)
        # A task received clears the count; a check that finds nothing waiting only lowers it (a message being
        # bounced between the broker and a deaf consumer can be missed by one look).
        self.strikes = 0 if received else (self.strikes + 1 if deaf else max(0, self.strikes - 1))
        if deaf:
            logger.warning("The worker received no task in the last %.0f s while %s wait in the broker "
                           "(check %s of %s before its consumer is restarted)", self.interval, waiting, self.strikes,
                           STRIKES)
        if self.strikes < STRIKES:
            return
        logger.error("The worker received no task for %.0f s while %s wait in the broker and it has free slots: "
                     "restarting its consumer", self.interval * STRIKES, waiting)
        queues = consumer.app.amqp.queues
        for name in settings.CELERY_TASK_QUEUES:
            if name in queues and name not in queues.consume_from:
                queues.select_add(queues[name])
        raise ConsumerDeaf("the consumer stopped consuming")


def waiting_tasks(app, queues=None):
    """How many tasks wait in the broker in `queues` (default: every queue; 0 when the broker cannot say)."""
    waiting = 0
    try:
        with app.connection_for_read() as connection:
            channel = connection.default_channel
            for name in queues or settings.CELERY_TASK_QUEUES:
                try:
                    waiting += channel.queue_declare(queue=name, passive=True).message_count
                except connection.channel_errors:  # a queue nothing was ever sent to
                    continue
    except Exception:  # the broker is down: the consumer's own reconnecting deals with that
        return 0
    return waiting
