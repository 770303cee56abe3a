"""Integrations take turns at the workers: a send task whose integration has no rate-limit slot free hands the rest
of its batch on, instead of sleeping for the slot, while another integration's sends wait.

A worker process that sleeps for one integration's next slot sends nothing for the others: four processes sleeping
for four integrations at 600 a minute would leave sixteen more with nothing sent at all (#20, P7). So while sends of
another integration wait in the queues, a task that has to wait publishes the rest of its batch again, for when the
limiter will have a burst of slots free, and ends; the process takes the next task. A task also hands on after
TURN_SECONDS of sending while others wait, so a slow or failing Notify service holds a worker for a turn at most.
With one integration sending (or none waiting) nothing changes: the task waits for its slots, as it always did.

The entries handed on stay claimed: the task carries the lease (the time they were claimed) and the next turn takes
up exactly those still held under it (integrations.claims.resume).

Which integrations have sends waiting is counted in Redis (a hash: send tasks published and not yet started, by
integration). A count can drift (a queue purged by hand): it only chooses between waiting and handing on, never
whether a message is sent, and the sweeper clears the counts whenever the send queues are empty.
"""

import logging

from django.conf import settings
from redis.exceptions import RedisError

from ops.metrics import redis_for

logger = logging.getLogger(__name__)

WAITING = "notify-sends:waiting"
TURN_SECONDS = 1.0


def _client():
    url = getattr(settings, "REDIS_URL", "")
    return redis_for(url) if url else None  # without Redis there is one worker: nobody to take turns with


def _add(integration_id, tasks):
    client = _client()
    if client is None or integration_id is None:
        return
    try:
        if client.hincrby(WAITING, str(integration_id), tasks) < 0:  # started after the counts were cleared
            client.hset(WAITING, str(integration_id), 0)
    except RedisError as error:  # a count never stops a send
        logger.warning("Could not count waiting sends (%s)", type(error).__name__)


def published(integration_id, tasks=1):
    _add(integration_id, tasks)


def started(integration_id):
    _add(integration_id, -1)


def others_waiting(integration_id):
    """True when send tasks of another integration wait in the queues."""
    client = _client()
    if client is None:
        return False
    try:
        counts = client.hgetall(WAITING)
    except RedisError:
        return False
    return any(int(count) > 0 for key, count in counts.items() if key.decode() != str(integration_id))


def forget():
    """Clear the counts (the sweeper, when no send task waits)."""
    client = _client()
    if client is not None:
        try:
            client.delete(WAITING)
        except RedisError:
            return
