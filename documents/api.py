"""Case documents in the API: list and add on a case (multipart `file`, `document_type`), read, download and
delete (with a `reason`) one document. The same checks as the pages."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import FormParser
from rest_framework.response import Response

from accounts.permissions import requires
from cases.models import Case

from .checks import CONTENT_TYPES, DocumentRefused
from .models import Document
from .services import NotDeletable, document_add, document_delete
from .uploads import NameKeepingMultiPartParser, too_big_words


class DocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    deleted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "case", "document_type", "filename", "kind", "size", "sha256", "version", "pages",
                  "letter_problems", "uploaded_by", "uploaded_at", "deleted_at", "deleted_by", "delete_reason",
                  "download_url"]

    def get_download_url(self, document) -> str | None:
        if document.deleted:
            return None
        return self.context["request"].build_absolute_uri(f"/api/documents/{document.pk}/download/")


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    document_type = serializers.CharField(max_length=100)


class DeleteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


@extend_schema(request={"multipart/form-data": UploadSerializer}, responses={200: DocumentSerializer(many=True),
                                                                             201: DocumentSerializer})
@api_view(["GET", "POST"])
@parser_classes([NameKeepingMultiPartParser, FormParser])
@permission_classes([requires("cases.view_case", "documents.view_document")])
def case_documents_api(request, pk):
    case = get_object_or_404(Case.objects.select_related("case_type"), pk=pk)
    if request.method == "GET":
        documents = Document.objects.filter(case=case).select_related("uploaded_by", "deleted_by")
        return Response(DocumentSerializer(documents, many=True, context={"request": request}).data)
    if not request.user.has_perm("documents.add_document"):
        return Response({"detail": "You do not have permission to add documents."}, status=status.HTTP_403_FORBIDDEN)
    data = request.data  # parsed here: the upload handler marks an upload it stopped
    if getattr(request._request, "upload_too_large", False):
        return Response({"file": [too_big_words() + ". Nothing was stored."]},
                        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    given = UploadSerializer(data=data)
    given.is_valid(raise_exception=True)
    try:
        document = document_add(case=case, document_type=given.validated_data["document_type"],
                                upload=given.validated_data["file"], actor=request.user,
                                filename=getattr(request._request, "upload_name_with_folder", None))
    except DocumentRefused as refusal:
        field = "document_type" if "document type" in str(refusal) else "file"
        return Response({field: [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response(DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _document(pk):
    return get_object_or_404(Document.objects.select_related("uploaded_by", "deleted_by"), pk=pk)


@extend_schema(methods=["GET"], responses=DocumentSerializer)
@extend_schema(methods=["DELETE"], request=DeleteSerializer, responses=DocumentSerializer,
               parameters=[OpenApiParameter("reason", str, description="Why it is deleted (or in the body)")])
@api_view(["GET", "DELETE"])
@permission_classes([requires("cases.view_case", "documents.view_document")])
def document_api(request, pk):
    document = _document(pk)
    if request.method == "DELETE":
        if not request.user.has_perm("documents.delete_document"):
            return Response({"detail": "You do not have permission to delete documents."},
                            status=status.HTTP_403_FORBIDDEN)
        data = request.data if hasattr(request.data, "get") and request.data.get("reason") else request.query_params
        given = DeleteSerializer(data={"reason": data.get("reason", "")})
        given.is_valid(raise_exception=True)
        try:
            document = document_delete(document=document, reason=given.validated_data["reason"], actor=request.user)
        except NotDeletable as refusal:
            return Response({"reason": [str(refusal)]}, status=status.HTTP_400_BAD_REQUEST)
    return Response(DocumentSerializer(document, context={"request": request}).data)


@extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                          410: OpenApiResponse(description="The document was deleted")})
@api_view(["GET"])
@permission_classes([requires("cases.view_case", "documents.view_document")])
def document_download_api(request, pk):
    document = _document(pk)
    if document.deleted:
        return Response({"detail": f"This document was deleted on {document.deleted_at:%d %B %Y}: "
                                   f"{document.delete_reason}"}, status=status.HTTP_410_GONE)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The document's file is missing from the storage") from None
    response = FileResponse(handle, as_attachment=True, filename=document.filename,
                            content_type=CONTENT_TYPES.get(document.kind, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    return response
