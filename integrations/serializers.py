from rest_framework import serializers

from .delivery.tokens import callback_urls
from .keys import parse_api_key
from .models import Integration, NotifyTemplate
from .services import normalise_base_url


class IntegrationSerializer(serializers.ModelSerializer):
    api_key = serializers.CharField(write_only=True, required=False, allow_blank=True, trim_whitespace=True,
                                    help_text="Write only. Leave out (or empty) to keep the stored key.")
    key_hint = serializers.CharField(read_only=True, help_text="The key's name and last 4 characters.")
    delivery_status_callback_url = serializers.SerializerMethodField(
        help_text="The address to paste into Notify's delivery receipts callback.")
    received_text_callback_url = serializers.SerializerMethodField(
        help_text="The address to paste into Notify's received text messages callback.")

    class Meta:
        model = Integration
        fields = ["id", "name", "enabled", "base_url", "api_key", "key_hint", "service_id", "reply_to_id",
                  "sms_sender_id", "rate_limit", "verified_at", "verified_service", "delivery_status_callback_url",
                  "received_text_callback_url",
                  "callback_tokens_made_at", "created_at", "updated_at"]
        read_only_fields = ["service_id", "verified_at", "verified_service", "callback_tokens_made_at", "created_at",
                            "updated_at"]

    def get_delivery_status_callback_url(self, integration) -> str:
        return callback_urls(integration, self.context.get("request"))["delivery_status"]

    def get_received_text_callback_url(self, integration) -> str:
        return callback_urls(integration, self.context.get("request"))["received_text"]

    def validate_base_url(self, value):
        try:
            return normalise_base_url(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_api_key(self, value):
        if value:
            try:
                parse_api_key(value)
            except ValueError as error:
                raise serializers.ValidationError(str(error)) from None
        return value


class NotifyTemplateSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="notify_id")

    class Meta:
        model = NotifyTemplate
        fields = ["id", "name", "type", "version", "subject", "body", "placeholders", "fetched_at"]


class VerifyResultSerializer(serializers.Serializer):
    verified = serializers.BooleanField()
    service = serializers.CharField()


class CallbackTokensSerializer(serializers.Serializer):
    delivery_status_token = serializers.CharField()
    received_text_token = serializers.CharField()
