"""The audit trail in the API: GET /api/history/ with filters object_type, object_id, user, since and until."""

import datetime

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import PageNumberPagination

from accounts.permissions import requires

from .history import OTHER_TYPES, TRACKED, audit_trail


class ChangeSerializer(serializers.Serializer):
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    object = serializers.CharField(source="label")
    version = serializers.IntegerField(help_text="The version's id (its history record)")
    number = serializers.IntegerField(allow_null=True, help_text="Which version of the object it is: 1 for the first")
    at = serializers.DateTimeField()
    user = serializers.CharField()
    action = serializers.CharField()
    changes = serializers.SerializerMethodField()

    def get_changes(self, change) -> list[dict]:
        return [{"field": words, "before": before, "after": after} for words, before, after in change.changes]


class HistoryQuery(serializers.Serializer):
    object_type = serializers.ChoiceField(choices=[*TRACKED, *OTHER_TYPES], required=False)
    object_id = serializers.IntegerField(required=False, min_value=1)
    user = serializers.CharField(required=False, max_length=150)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, data):
        if data.get("object_id") and not data.get("object_type"):
            raise serializers.ValidationError({"object_type": ["Give the object_type of the object_id"]})
        return data


def _day(value, days=0):
    if not value:
        return None
    from django.utils import timezone

    return timezone.make_aware(datetime.datetime.combine(value + datetime.timedelta(days=days), datetime.time()))


@extend_schema(parameters=[OpenApiParameter(name, str, required=False) for name in
                           ("object_type", "object_id", "user", "since", "until", "page")],
               responses=inline_serializer("PaginatedChangeList", {
                   "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
                   "previous": serializers.URLField(allow_null=True), "results": ChangeSerializer(many=True)}))
@api_view(["GET"])
@permission_classes([requires("governance.view_history")])
def history_api(request):
    """Every change to settings and roles, newest first (the newest 2,000 that fit the filters), paginated."""
    query = HistoryQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    given = query.validated_data
    changes = audit_trail(object_type=given.get("object_type"), object_id=given.get("object_id"),
                          user=given.get("user"), since=_day(given.get("since")),
                          until=_day(given.get("until"), 1), limit=2_000)
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(changes, request)
    return paginator.get_paginated_response(ChangeSerializer(page, many=True).data)
