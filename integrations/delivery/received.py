"""Replies from citizens to the service's texts, as Notify hands them over: its received-text callback
(POST /notify/callbacks/<callback id>/received-text/) and its list (GET /v2/received-text-messages), read by beat.

Integrations knows nothing of cases: what keeps a reply (and matches it to a case) registers itself here
(`received_text_keeper_set`, the inbox app does when Django starts). A reply is stored once by Notify's id,
whichever path brings it first; the callback answers 2xx only once it is stored.
"""

import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework import serializers

from ..models import Integration
from ..notify.client import NotifyGateway
from .callbacks import accepted, problem
from .polling import for_each_integration

logger = logging.getLogger(__name__)
MAX_CONTENT = 2000  # Notify's longest text is 918 characters; anything far longer is not a reply
_keeper = None


def received_text_keeper_set(keeper):
    """Register keeper(integration=, notify_id=, user_number=, notify_number=, content=, received_at=, source=)
    -> (text, created)."""
    global _keeper
    _keeper = keeper


class ReceivedTextCallback(serializers.Serializer):
    """Notify's received-text callback body (id, source_number, destination_number, message, date_received)."""

    id = serializers.UUIDField()
    source_number = serializers.CharField(max_length=30)
    destination_number = serializers.CharField(max_length=30, allow_blank=True, required=False)
    message = serializers.CharField(max_length=MAX_CONTENT, allow_blank=True, trim_whitespace=False)
    date_received = serializers.DateTimeField()


@csrf_exempt
@require_POST
def received_text(request, callback_id):
    integration, data, refused = accepted(request, callback_id, "received_text", ReceivedTextCallback,
                                          "received-text")
    if refused:
        return refused
    if _keeper is None:
        return problem(503, "Received texts cannot be kept now; Notify will try again")
    try:
        text, created = _keeper(integration=integration, notify_id=data["id"], user_number=data["source_number"],
                                notify_number=data.get("destination_number") or "", content=data["message"],
                                received_at=data["date_received"], source="callback")
    except DatabaseError:
        logger.exception("Could not store a received text for integration %s", integration.pk)
        return problem(503, "The text could not be stored now; Notify will try again")
    return JsonResponse({"stored": True, "new": created})


def poll_received_texts(integration):
    """Read Notify's received texts from the newest back to the newest that the last read stored, or an empty page.
    Returns (calls, new texts, texts read)."""
    from django.utils.dateparse import parse_datetime

    gateway, older_than, calls, new, read, newest = NotifyGateway(integration), None, 0, 0, 0, None
    stop_at = integration.received_texts_read_to
    while True:
        found = gateway.received_texts_page(older_than)
        calls += 1
        if not found:
            break
        newest = newest or found[0]["id"]
        reached = False
        for item in found:
            if stop_at and item["id"] == stop_at:
                reached = True
                break
            _, created = _keeper(integration=integration, notify_id=item["id"], user_number=item.get("user_number", ""),
                                 notify_number=item.get("notify_number") or "", content=str(item.get("content") or ""),
                                 received_at=parse_datetime(str(item.get("created_at") or "")), source="poll")
            new += int(created)
            read += 1
        if reached or len(found) < 250:
            break
        older_than = found[-1]["id"]
    if newest:
        Integration.objects.filter(pk=integration.pk).update(received_texts_read_to=newest)
    return calls, new, read


def poll_all_received_texts():
    if _keeper is None:
        return {}
    return for_each_integration(poll_received_texts, "Reading received texts")
