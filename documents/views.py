"""Caseworkers' document pages: add a document to a case, download it, delete it with a reason."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import page_permission_required
from cases.models import Case

from .checks import CONTENT_TYPES, DocumentRefused
from .forms import DeleteForm, DocumentForm
from .models import Document
from .services import NotDeletable, document_add, document_delete, document_types_of
from .uploads import too_big_words


@page_permission_required("cases.view_case", "documents.add_document")
@require_http_methods(["GET", "POST"])
def document_add_page(request, case_pk):
    case = get_object_or_404(Case.objects.select_related("case_type"), pk=case_pk)
    types = document_types_of(case)
    form = DocumentForm(request.POST or None, request.FILES or None, document_types=types)
    if request.method == "POST":
        if getattr(request, "upload_too_large", False):
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", too_big_words())
        elif form.is_valid():
            try:
                document = document_add(case=case, document_type=form.cleaned_data["document_type"],
                                        upload=form.cleaned_data["file"], actor=request.user,
                                        filename=getattr(request, "upload_name_with_folder", None))
            except DocumentRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                messages.success(request, f"{document.describe()} is added to the case")
                return redirect(case_url(case.pk))
    return render(request, "documents/add.html", {"case": case, "form": form, "types": types})


def _document_for(pk):
    document = Document.objects.select_related("case").filter(pk=pk).first()
    if document is None:
        raise Http404("No such document")
    return document


@page_permission_required("cases.view_case", "documents.view_document")
def document_download(request, pk):
    """The file, as an attachment (never shown in the browser), under the name it was added with."""
    document = _document_for(pk)
    if document.deleted:
        raise Http404("This document was deleted")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The document's file is missing from the storage") from None
    response = FileResponse(handle, as_attachment=True, filename=document.filename,
                            content_type=_content_type(document))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def case_url(case_pk):
    return reverse("cases:case_detail", args=[case_pk]) + "#documents"


def _content_type(document):
    return CONTENT_TYPES.get(document.kind, "application/octet-stream")


@page_permission_required("cases.view_case", "documents.delete_document")
@require_http_methods(["GET", "POST"])
def document_delete_page(request, pk):
    document = _document_for(pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_delete(document=document, reason=form.cleaned_data["reason"], actor=request.user)
        except NotDeletable as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.success(request, f"{document.describe()} is deleted")
            return redirect(case_url(document.case_id))
    return render(request, "documents/delete.html", {"document": document, "case": document.case, "form": form})
