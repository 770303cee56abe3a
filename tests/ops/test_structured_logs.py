"""Logs as a platform team reads them: one JSON object a line; each line about a message carries its log entry
id, reference, integration and Notify id; and a whole send, a retry, a callback and a failure leave no API key,
token or personal data (email, phone, address, personalisation) in them."""

import io
import json
import logging

import pytest
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from integrations import outbox, sending
from integrations.delivery.tokens import make_callback_tokens
from integrations.log import LogEntry, Status
from mappings.resolve import Message


@pytest.fixture
def json_logs(settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(settings.LOGGING["formatters"]["json"]["fmt"],
                                       rename_fields=settings.LOGGING["formatters"]["json"]["rename_fields"]))
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def put(integration, template, recipient, name, address):
    message = Message(channel="email", template_id=template, template_version=1, recipient=recipient,
                      personalisation={"name": name, "reference": address, "decision": "Approved"},
                      reference=outbox.new_reference())
    return outbox.put(integration=integration, message=message)


@pytest.mark.django_db
def test_a_whole_send_retry_callback_and_failure_log_ids_and_no_secrets(json_logs, integration, sandbox, notify_key,
                                                                        client):
    template = sandbox.create_template("email", name="Logs", subject="Hi", body="((name)) ((reference)) ((decision))")
    secrets = ["zed.quill@example.org", "Zed Quill", "17 Quillfeather Crescent", notify_key, notify_key[-36:]]
    tokens = make_callback_tokens(integration)
    secrets += list(tokens.values())

    sent = put(integration, template, "zed.quill@example.org", "Zed Quill", "17 Quillfeather Crescent")
    sending.send_entry(sent.pk)  # a send
    retried = put(integration, template, "zed.quill@example.org", "Zed Quill", "17 Quillfeather Crescent")
    sandbox.set_faults(fail_rate=1.0)
    try:
        sending.send_entry(retried.pk)  # a 500: retried later
    finally:
        sandbox.set_faults(fail_rate=0.0)
    failed = put(integration, "8fa2a4f5-3a1e-4a51-9a7a-6f0a1c1e0d01", "zed.quill@example.org", "Zed Quill",
                 "17 Quillfeather Crescent")
    sending.send_entry(failed.pk)  # Notify has no such template: failed, not retried
    sent.refresh_from_db()
    callback = client.post(reverse("notify_callbacks:delivery_status", args=[integration.callback_id]),
                           json.dumps({"id": str(sent.notify_id), "reference": sent.reference,
                                       "to": "zed.quill@example.org", "status": "delivered",
                                       "notification_type": "email", "created_at": "2026-12-01T10:00:00.000000Z",
                                       "completed_at": "2026-12-01T10:00:05.000000Z", "sent_at": None,
                                       "template_id": template, "template_version": 1}),
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {tokens['delivery_status_token']}")
    assert callback.status_code == 200, callback.content
    assert LogEntry.objects.get(pk=retried.pk).status == Status.RETRYING
    assert LogEntry.objects.get(pk=failed.pk).status == Status.FAILED

    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.strip()]
    about = [line for line in lines if "log_entry_id" in line]
    assert {line["log_entry_id"] for line in about} >= {sent.pk, retried.pk, failed.pk}
    for line in about:
        assert {"reference", "integration_id", "notify_id", "time", "level", "logger", "message"} <= set(line), line
    sent_line = next(line for line in about if line["message"] == f"Sent log entry {sent.pk}")
    assert (sent_line["reference"], sent_line["notify_id"]) == (sent.reference, str(sent.notify_id))
    assert any(line.get("delivery_status") == "delivered" for line in about)  # the callback's line
    text = json_logs.getvalue()
    assert [secret for secret in secrets if secret in text] == []
