"""Received texts in the API: list (filters case, matched), detail, link to a case, dismiss."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.permissions import requires
from cases.models import Case
from config.validation import IdFilter

from .models import ReceivedText
from .reply import ReplyRefused, case_reply, reply_check, reply_templates
from .services import NotDismissible, received_text_dismiss, received_text_link


class ReceivedTextSerializer(serializers.ModelSerializer):
    received_at = serializers.DateTimeField()

    class Meta:
        model = ReceivedText
        fields = ["id", "notify_id", "user_number", "content", "received_at", "case", "person", "match",
                  "dismissed_reason", "integration", "source"]


class LinkSerializer(serializers.Serializer):
    case = serializers.PrimaryKeyRelatedField(queryset=Case.objects.all())


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ReceivedTextFilter(django_filters.FilterSet):
    case = IdFilter()
    matched = django_filters.BooleanFilter(method="filter_matched", help_text="On a case (true) or not (false)")

    class Meta:
        model = ReceivedText
        fields = []

    def filter_matched(self, queryset, name, value):
        return queryset.filter(case__isnull=not value)


class ReceivedTextPermission(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if view.action in ("link", "dismiss"):
            return user.has_perm("inbox.handle_receivedtext")
        return user.has_perm("inbox.view_receivedtext")


class ReceivedTextViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ReceivedText.objects.all().order_by("-received_at", "-id")
    serializer_class = ReceivedTextSerializer
    filterset_class = ReceivedTextFilter
    permission_classes = [ReceivedTextPermission]

    @extend_schema(request=LinkSerializer, responses={200: ReceivedTextSerializer, 400: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        given = LinkSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        text = received_text_link(text=self.get_object(), case=given.validated_data["case"], actor=request.user)
        return Response(ReceivedTextSerializer(text).data)

    @extend_schema(request=DismissSerializer, responses={200: ReceivedTextSerializer, 400: OpenApiResponse()})
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        given = DismissSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            text = received_text_dismiss(text=self.get_object(), reason=given.validated_data["reason"],
                                         actor=request.user)
        except NotDismissible as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ReceivedTextSerializer(text).data)





class ReplySerializer(serializers.Serializer):
    mapping_template = serializers.IntegerField(help_text="A text-message mapping template with a typed placeholder")
    text = serializers.CharField(max_length=918, trim_whitespace=False)
    check = serializers.BooleanField(default=False, help_text="Only check: the text, its length and texts, no send")


class ReplyResultSerializer(serializers.Serializer):
    text = serializers.CharField()
    characters = serializers.IntegerField()
    fragments = serializers.IntegerField()
    replaced = serializers.ListField(child=serializers.CharField())
    log_entry = serializers.IntegerField(allow_null=True)


@extend_schema(request=ReplySerializer, responses={200: ReplyResultSerializer, 201: ReplyResultSerializer,
                                                   400: OpenApiResponse(description="The reason it cannot be sent")})
@api_view(["POST"])
@permission_classes([requires("cases.change_case")])
def case_reply_api(request, pk):
    """Reply to the case by text: check it (length and texts as Notify counts them), or send it."""
    case = get_object_or_404(Case, pk=pk)
    given = ReplySerializer(data=request.data)
    given.is_valid(raise_exception=True)
    mapping = next((m for m in reply_templates(case) if m.pk == given.validated_data["mapping_template"]), None)
    if mapping is None:
        return Response({"mapping_template": ["Choose a text message template for replies of this case type"]},
                        status=status.HTTP_400_BAD_REQUEST)
    typed = given.validated_data["text"]
    check = reply_check(case=case, mapping=mapping, typed=typed)
    if check.problems:
        return Response({"text": check.problems}, status=status.HTTP_400_BAD_REQUEST)
    result = {"text": check.text, "characters": check.length.characters, "fragments": check.length.fragments,
              "replaced": list(check.length.replaced), "log_entry": None}
    if given.validated_data["check"]:
        return Response(result)
    try:
        entry = case_reply(case=case, mapping=mapping, typed=typed, actor=request.user)
    except ReplyRefused as refusal:
        return Response({"text": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response({**result, "log_entry": entry.pk}, status=status.HTTP_201_CREATED)
