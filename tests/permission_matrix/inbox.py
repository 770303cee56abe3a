"""Received texts: caseworkers (and administrators) handle unmatched ones; auditors read them all."""

import uuid

from django.utils import timezone

from inbox.models import ReceivedText

from . import PAGE_ANYONE_SIGNED_IN, Entry, expect
from .test_matrix import WORLD_EXTENSIONS

PAGE_HANDLE = expect(302, 200, 200, 403)
API_READ = expect(401, 200, 200, 200)


def add_received_text(world):
    from integrations.models import Integration

    integration = Integration.objects.create(name="Texts", base_url="http://127.0.0.1:9")
    world.received_text = ReceivedText.objects.create(
        integration=integration, notify_id=uuid.uuid4(), user_number="447700900999", phone="+447700900999",
        content="Hello", received_at=timezone.now(), source="callback")


WORLD_EXTENSIONS.append(add_received_text)
ONE = {"pk": "received_text"}

MATRIX = {
    "inbox:unmatched": Entry(get=PAGE_HANDLE),
    # An empty POST re-renders the page (no action chosen).
    "inbox:text": Entry(get=PAGE_HANDLE, post=expect(302, 200, 200, 403), kwargs=ONE),
    "inbox:received": Entry(get=PAGE_ANYONE_SIGNED_IN),
    "inbox:export": Entry(get=expect(302, 200, 403, 200)),  # as the log's export: not caseworkers
    # Caseworkers read texts too (they put them on cases); only they and administrators change them.
    "api:receivedtext-list": Entry(get=API_READ, post=expect(401, 405, 405, 405)),
    "api:receivedtext-detail": Entry(get=API_READ, kwargs=ONE),
    "api:receivedtext-link": Entry(get=expect(401, 405, 405, 405), post=expect(401, 400, 400, 403), kwargs=ONE),
    "api:receivedtext-dismiss": Entry(get=expect(401, 405, 405, 405), post=expect(401, 400, 400, 403), kwargs=ONE),
    # An empty POST is re-rendered with its errors (pages) or refused with them (API).
    "inbox:reply": Entry(get=expect(302, 200, 200, 403), post=expect(302, 200, 200, 403), kwargs={"case_pk": "case"}),
    "api:case-reply": Entry(get=expect(401, 405, 405, 403), post=expect(401, 400, 400, 403), kwargs={"pk": "case"}),
    "notify_callbacks:received_text": Entry(get=expect(405, 405, 405, 405), post=expect(401, 401, 401, 401),
                                            kwargs={"callback_id": "callback"}),
}
