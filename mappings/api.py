"""Mapping templates over the API: administrators write (with the same checks); caseworkers preview."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import requires
from cases.models import Case

from .models import MappingTemplate
from .services import mapping_template_delete, mapping_template_preview, mapping_template_save


class PlaceholderSerializer(serializers.Serializer):
    placeholder = serializers.CharField()
    source = serializers.DictField(help_text='For example {"source": "person", "role": "Applicant", "detail": "first_name"}')
    optional = serializers.BooleanField(default=False)
    citizen_text = serializers.BooleanField(default=False)


class MappingTemplateSerializer(serializers.ModelSerializer):
    placeholders = PlaceholderSerializer(many=True, required=False)
    recipient = serializers.DictField(required=False,
                                      help_text='email/sms: {"source": "person", "role": "Applicant"}; letter: '
                                                '{"person_role": "Applicant", "address": {"of": "case", "role": '
                                                '"Property"}}; precompiled_letter: none (the address is in the PDF)')

    class Meta:
        model = MappingTemplate
        fields = ["id", "name", "integration", "case_type", "channel", "notify_template_id", "notify_template_name",
                  "template_version", "enabled", "recipient", "email_reply_to_id", "sms_sender_id",
                  "skip_failed_contacts", "document_type", "postage", "file_confirm_email", "file_retention_weeks",
                  "placeholders"]
        read_only_fields = ["notify_template_name", "template_version"]

    def _save(self, mapping, data):
        rows = {row["placeholder"]: row for row in data.pop("placeholders", [])}
        for name, value in data.items():
            setattr(mapping, name, value)
        try:
            return mapping_template_save(mapping=mapping, rows=rows)
        except DjangoValidationError as error:
            detail = {}
            for key, messages in error.message_dict.items():
                if key.startswith("placeholder:"):
                    detail.setdefault("placeholders", {})[key.split(":", 1)[1]] = messages
                else:
                    detail[key] = messages
            raise serializers.ValidationError(detail) from None

    def create(self, validated_data):
        return self._save(MappingTemplate(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class PreviewRequestSerializer(serializers.Serializer):
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all())


class PreviewSerializer(serializers.Serializer):
    problems = serializers.ListField(child=serializers.CharField())
    recipient = serializers.CharField(allow_null=True)
    personalisation = serializers.DictField()
    subject = serializers.CharField(allow_null=True)
    body = serializers.CharField(allow_null=True)
    notify_error = serializers.CharField(allow_null=True)


class MappingTemplateViewSet(viewsets.ModelViewSet):
    queryset = MappingTemplate.objects.select_related("integration", "case_type").prefetch_related("placeholders")
    serializer_class = MappingTemplateSerializer
    filterset_fields = ["integration", "case_type", "channel"]

    def perform_destroy(self, instance):
        try:
            mapping_template_delete(mapping=instance)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"detail": error.messages}) from None

    @extend_schema(request=PreviewRequestSerializer, responses={200: PreviewSerializer})
    @action(detail=True, methods=["post"], permission_classes=[requires("cases.view_case")])
    def preview(self, request, pk=None):
        mapping = MappingTemplate.objects.select_related("integration").filter(pk=pk).first()
        if mapping is None:
            return Response({"detail": "No such mapping template."}, status=status.HTTP_404_NOT_FOUND)
        body = PreviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(mapping_template_preview(mapping=mapping, case=body.validated_data["case"]))
