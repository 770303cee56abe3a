"""The endpoint Notify POSTs delivery statuses to: POST /notify/callbacks/<callback id>/delivery-status/.

No session and no CSRF: the integration's own token (Authorization: Bearer) is the only credential. The answer
is 2xx only once the report is stored, so Notify tries again (after 5xx) whenever it is not; a request that can
never succeed (bad token, bad body) gets a 4xx, which Notify does not retry.
"""

import json
import logging

from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from rest_framework import serializers

from ..models import Integration
from . import statuses
from .models import Source
from .record import record
from .tokens import token_matches

logger = logging.getLogger(__name__)
MAX_BODY = 16 * 1024


class DeliveryStatusCallback(serializers.Serializer):
    """Notify's delivery-status callback body (the keys it sends; unknown keys are ignored)."""

    id = serializers.UUIDField()
    reference = serializers.CharField(max_length=100, allow_null=True, allow_blank=True, required=False)
    to = serializers.CharField(max_length=600, allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=statuses.ALL)
    created_at = serializers.DateTimeField(required=False, allow_null=True)
    completed_at = serializers.DateTimeField(required=False, allow_null=True)
    sent_at = serializers.DateTimeField(required=False, allow_null=True)
    notification_type = serializers.ChoiceField(choices=("email", "sms", "letter"), required=False)
    template_id = serializers.UUIDField(required=False, allow_null=True)
    template_version = serializers.IntegerField(required=False, allow_null=True, min_value=0)


def problem(status, message, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


def read_body(request):
    """The request's JSON object, or an error response: 413 over 16 KB, 400 when it is not a JSON object."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY:
        return None, problem(413, f"The body is over {MAX_BODY // 1024} KB")
    raw = request.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return None, problem(413, f"The body is over {MAX_BODY // 1024} KB")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None, problem(400, "The body is not JSON")
    if not isinstance(body, dict):
        return None, problem(400, "The body must be a JSON object")
    return body, None


def authorised_integration(request, callback_id, kind):
    """The integration the address names, if the request carries its token of this kind; else a 401 response."""
    integration = get_object_or_404(Integration, callback_id=callback_id)
    if not token_matches(integration, kind, request.headers.get("Authorization")):
        response = problem(401, "The bearer token is missing or wrong")
        response["WWW-Authenticate"] = 'Bearer realm="notify-callbacks"'
        return None, response
    return integration, None


def accepted(request, callback_id, kind, schema, name):
    """The steps every callback takes before it is stored: the integration's token of this kind (401), a JSON body
    of at most 16 KB (413, 400), Notify's keys (400 naming the fields). Returns (integration, data, None), or
    (None, None, the refusal)."""
    integration, refused = authorised_integration(request, callback_id, kind)
    if refused:
        return None, None, refused
    body, refused = read_body(request)
    if refused:
        return None, None, refused
    report = schema(data=body)
    if not report.is_valid():
        return None, None, problem(400, f"The body is not a {name} callback", fields=report.errors)
    return integration, report.validated_data, None


@csrf_exempt
@require_POST
def delivery_status(request, callback_id):
    integration, data, refused = accepted(request, callback_id, "delivery_status", DeliveryStatusCallback,
                                          "delivery status")
    if refused:
        return refused
    try:
        event = record(integration=integration, status=data["status"], source=Source.CALLBACK, notify_id=data["id"],
                       reference=data.get("reference") or "",
                       status_at=data.get("completed_at") or data.get("sent_at") or data.get("created_at"))
    except DatabaseError:
        logger.exception("Could not store a delivery status for integration %s", integration.pk)
        return problem(503, "The status could not be stored now; Notify will try again")
    return JsonResponse({"stored": True, "matched": event.entry_id is not None, "applied": event.applied})

