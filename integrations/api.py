"""The integrations API (administrators only): settings with the same verification as the pages."""

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .delivery.tokens import make_callback_tokens
from .models import Integration
from .notify.errors import NotifyError
from .serializers import (
    CallbackTokensSerializer,
    IntegrationSerializer,
    NotifyTemplateSerializer,
    VerifyResultSerializer,
)
from .services import IntegrationNotVerified, integration_check, integration_save, templates_refresh


@sensitive_variables("data", "new_key")
def _save(instance, data):
    new_key = data.pop("api_key", None) or None
    for name, value in data.items():
        setattr(instance, name, value)
    try:
        return integration_save(integration=instance, new_key=new_key)
    except IntegrationNotVerified as failure:
        raise serializers.ValidationError({failure.field or "non_field_errors": [failure.reason]}) from None
    except ValueError as error:
        raise serializers.ValidationError({"api_key": [str(error)]}) from None


# Every frame below dispatch hides the values that can hold the key (the serializer and its data) in error reports.
@method_decorator(sensitive_variables("serializer", "data", "validated_data", "attrs", "value", "new_key"),
                  name="dispatch")
@method_decorator(sensitive_post_parameters("api_key"), name="dispatch")
class IntegrationViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                         mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Integration.objects.all()
    serializer_class = IntegrationSerializer

    def perform_create(self, serializer):
        serializer.instance = _save(Integration(), dict(serializer.validated_data))

    def perform_update(self, serializer):
        # A copy, so a failed check leaves the stored row exactly as it was.
        serializer.instance = _save(Integration.objects.get(pk=serializer.instance.pk), dict(serializer.validated_data))

    @extend_schema(request=None, responses={200: VerifyResultSerializer, 400: VerifyResultSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        integration = self.get_object()
        try:
            verified = integration_check(integration=integration)
        except IntegrationNotVerified as failure:
            return Response({"verified": False, "service": "", "detail": failure.reason},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"verified": True, "service": verified.description})

    @extend_schema(request=None, responses={201: CallbackTokensSerializer},
                   description="Make new callback tokens (the old ones stop working) and return them: the only time "
                               "they are shown.")
    @action(detail=True, methods=["post"], url_path="callback-tokens")
    def callback_tokens(self, request, pk=None):
        return Response(make_callback_tokens(self.get_object()), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("refresh", bool, description="Fetch them from Notify first")],
                   responses={200: NotifyTemplateSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="notify-templates")
    def notify_templates(self, request, pk=None):
        integration = self.get_object()
        if request.query_params.get("refresh") in ("1", "true", "yes"):
            if not integration.has_key:
                return Response({"detail": "No API key is set"}, status=status.HTTP_400_BAD_REQUEST)
            try:
                templates_refresh(integration=integration)
            except NotifyError as error:
                return Response({"detail": f"Could not fetch the templates: {error.reason}"},
                                status=status.HTTP_400_BAD_REQUEST)
        return Response(NotifyTemplateSerializer(integration.notify_templates.all(), many=True).data)
