import json

import pytest
from django.urls import reverse

from integrations import outbox
from integrations.delivery.tokens import make_callback_tokens
from integrations.log import LogEntry, Status
from integrations.models import Integration
from mappings.resolve import Message
from tests.workers import purge_queue


@pytest.fixture
def tokens(integration):
    return make_callback_tokens(integration)


@pytest.fixture
def sent_entry(integration):
    """A message Notify accepted (as the worker records it), with its Notify id."""

    def make(*, notify_id="7b3b4a0e-96a1-4a6a-9d5e-0c5b8f2c1a11", channel="email", recipient="amira@example.com",
             status=Status.SENT):
        message = Message(channel=channel, template_id="f33517ff-2a88-4f6e-b855-c550268ce08a", template_version=1,
                          recipient=recipient, personalisation={}, reference=outbox.new_reference())
        entry = outbox.put(integration=integration, message=message)
        LogEntry.objects.filter(pk=entry.pk).update(status=status, notify_id=notify_id if status == Status.SENT else None)
        entry.refresh_from_db()
        return entry

    return make


def callback_body(entry, status="delivered", *, notify_id=None, reference=None, completed_at="2026-12-01T10:00:05.000000Z"):
    """A delivery-status callback as Notify sends it, keys in Notify's order."""
    return {"id": str(notify_id or entry.notify_id), "reference": entry.reference if reference is None else reference,
            "to": entry.recipient, "status": status, "created_at": "2026-12-01T10:00:00.000000Z",
            "completed_at": completed_at, "sent_at": "2026-12-01T10:00:01.000000Z",
            "notification_type": entry.channel, "template_id": entry.template_id, "template_version": 1}


def post_callback(client, integration, body, token, **extra):
    url = reverse("notify_callbacks:delivery_status", args=[integration.callback_id])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json", **headers, **extra)


@pytest.fixture
def other_integration(db, sandbox, notify_key):
    from integrations.services import integration_save

    return integration_save(integration=Integration(name="Housing", enabled=True, base_url=sandbox.base_url),
                            new_key=notify_key)


@pytest.fixture
def quiet_broker():
    purge_queue()
    yield
    purge_queue()
