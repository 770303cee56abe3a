"""The integration log API: read (with the page's filters), export as CSV, resend. Nobody edits entries."""

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from config.validation import IdFilter

from .delivery.models import Source
from .delivery.record import history as delivery_history
from .exports import log_csv_response
from .log import Attempt, Channel, LogEntry, Status
from .log_services import NotResendable, log_entry_rebuild, log_entry_refresh_status, log_entry_resend
from .selectors import DELIVERY_CHOICES, log_entries


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attempt
        fields = ["number", "started_at", "duration_ms", "outcome", "status_code", "error_type", "message"]


class LogEntryListSerializer(serializers.ModelSerializer):
    integration = serializers.CharField(source="integration.name")

    class Meta:
        model = LogEntry
        fields = ["id", "created_at", "status", "failure_kind", "reason", "channel", "integration", "case",
                  "case_reference", "rule_id", "rule_name", "mapping_template_id", "mapping_template_name", "recipient",
                  "template_id", "template_version", "reference", "notify_id", "delivery_status", "delivery_status_at",
                  "delivery_note", "attempt_count", "retry_count", "next_attempt_at", "sent_at", "follows",
                  "rule_version", "mapping_template_version", "personal_data_removed_at", "personal_data_removed_by"]


class DeliveryChangeSerializer(serializers.Serializer):
    status = serializers.CharField()
    at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=Source.choices)


class LogEntrySerializer(LogEntryListSerializer):
    """One entry with its personalisation, every attempt, and every change of its delivery status."""

    attempts = AttemptSerializer(many=True, read_only=True)
    delivery_status_history = serializers.SerializerMethodField()

    class Meta(LogEntryListSerializer.Meta):
        fields = [*LogEntryListSerializer.Meta.fields, "personalisation", "document", "postage", "rebuilt_from",
                  "attempts", "delivery_status_history"]

    @extend_schema_field(DeliveryChangeSerializer(many=True))
    def get_delivery_status_history(self, entry):
        return DeliveryChangeSerializer(delivery_history(entry), many=True).data


class LogFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    integration = IdFilter()
    case = IdFilter()
    case_reference = django_filters.CharFilter()
    rule = django_filters.CharFilter(help_text="Rule name contains")
    mapping_template = django_filters.CharFilter(help_text="Mapping template name contains")
    notify_id = django_filters.UUIDFilter()
    delivery = django_filters.ChoiceFilter(choices=DELIVERY_CHOICES, help_text="What became of it after sending")
    date_from = django_filters.DateFilter()
    date_to = django_filters.DateFilter()

    class Meta:
        model = LogEntry
        fields = []

    def filter_queryset(self, queryset):
        return log_entries(filters=self.form.cleaned_data, entries=queryset)


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class LogPermission(BasePermission):
    """Auditors and administrators read; caseworkers read one case's log (?case=); admins resend."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action in ("resend", "rebuild"):
            return user.has_perm("integrations.resend_logentry")
        if view.action == "refresh_status":
            return user.has_perm("integrations.view_logentry")
        if view.action == "export":
            return user.has_perm("integrations.export_logentry")
        if user.has_perm("integrations.view_logentry"):
            return True
        return bool(view.action == "list" and request.query_params.get("case") and user.has_perm("integrations.view_case_log"))


class LogEntryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = LogEntry.objects.select_related("integration")
    serializer_class = LogEntrySerializer

    def get_serializer_class(self):
        return LogEntryListSerializer if self.action == "list" else LogEntrySerializer

    def get_queryset(self):
        entries = super().get_queryset()
        return entries.prefetch_related("attempts") if self.action != "list" else entries
    filterset_class = LogFilter
    pagination_class = NewestFirst
    permission_classes = [LogPermission]

    @extend_schema(request=None, responses={202: LogEntrySerializer, 400: OpenApiResponse(description="Not resendable")})
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        try:
            entry = log_entry_resend(entry=self.get_object(), actor=request.user)
        except NotResendable as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(entry).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={201: LogEntrySerializer, 400: OpenApiResponse(description="Cannot be built")},
                   description="Build a failed message again from its case and mapping template as they are now; "
                               "the new log entry is returned (its `rebuilt_from` is this one).")
    @action(detail=True, methods=["post"])
    def rebuild(self, request, pk=None):
        try:
            entry = log_entry_rebuild(entry=self.get_object(), actor=request.user)
        except NotResendable as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LogEntrySerializer, 400: OpenApiResponse(description="No status")})
    @action(detail=True, methods=["post"], url_path="refresh-status")
    def refresh_status(self, request, pk=None):
        try:
            entry = log_entry_refresh_status(entry=self.get_object())
        except NotResendable as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(self.get_serializer(entry).data)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    @action(detail=False, methods=["get"], url_path="export.csv", pagination_class=None)
    def export(self, request):
        return log_csv_response(self.filter_queryset(LogEntry.objects.select_related("integration")))
