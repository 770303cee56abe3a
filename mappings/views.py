"""Administrators build mapping templates on an integration's Mapping templates tab; preview on a case."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.decorators import page_permission_required
from cases.models import Case
from integrations.models import Integration

from .forms import ChooseForm, MappingTemplateForm
from .models import MappingTemplate
from .selectors import template_mismatch
from .services import (
    mapping_template_check,
    mapping_template_delete,
    mapping_template_preview,
    mapping_template_save,
)

admin_only = page_permission_required("mappings.change_mappingtemplate")


def _page(request, integration, mapping, form):
    warnings = []
    if mapping.pk and not form.is_bound:
        mismatch = template_mismatch(mapping)
        warnings = [mismatch] if mismatch else []
        warnings += mapping_template_check(mapping=mapping, rows={p.placeholder: {"source": p.source}
                                                                  for p in mapping.placeholders.all()}).get("__all__", [])
    return render(request, "mappings/form.html", {"integration": integration, "mapping": mapping, "form": form,
                                                  "tab": "mappings", "warnings": warnings})


def _save(request, integration, form):
    """Validate and save; returns a redirect, or None to show the form again."""
    if "_save" not in request.POST or not form.is_valid():
        return None
    try:
        mapping = mapping_template_save(mapping=form.apply(), rows=form.placeholder_rows())
    except ValidationError as error:
        form.add_service_errors(error)
        return None
    messages.success(request, f"Mapping template '{mapping.name}' saved")
    return redirect("mappings:edit", integration_pk=integration.pk, pk=mapping.pk)


@admin_only
def mapping_create(request, integration_pk):
    integration = get_object_or_404(Integration, pk=integration_pk)
    choose = ChooseForm(request.GET or None)
    if not choose.is_valid():
        return render(request, "mappings/choose.html", {"integration": integration, "form": choose, "tab": "mappings"})
    case_type, channel = choose.cleaned_data["case_type"], choose.cleaned_data["channel"]
    mapping = MappingTemplate(integration=integration, case_type=case_type, channel=channel)
    form = MappingTemplateForm(request.POST or None, instance=mapping, integration=integration, case_type=case_type,
                               channel=channel)
    return _save(request, integration, form) or _page(request, integration, mapping, form)


@admin_only
def mapping_edit(request, integration_pk, pk):
    mapping = get_object_or_404(MappingTemplate.objects.select_related("integration", "case_type"), pk=pk,
                                integration_id=integration_pk)
    form = MappingTemplateForm(request.POST or None, instance=mapping, integration=mapping.integration,
                               case_type=mapping.case_type, channel=mapping.channel)
    return _save(request, mapping.integration, form) or _page(request, mapping.integration, mapping, form)


@admin_only
def mapping_delete(request, integration_pk, pk):
    mapping = get_object_or_404(MappingTemplate, pk=pk, integration_id=integration_pk)
    refusal = None
    if request.method == "POST":
        try:
            mapping_template_delete(mapping=mapping)
        except ValidationError as error:
            refusal = error.messages[0]
        else:
            messages.success(request, f"Mapping template '{mapping.name}' deleted")
            return redirect("integrations:mappings", pk=integration_pk)
    return render(request, "mappings/delete.html", {"mapping": mapping, "refusal": refusal,
                                                    "integration": mapping.integration})


@admin_only
def mapping_preview(request, integration_pk, pk):
    mapping = get_object_or_404(MappingTemplate.objects.select_related("integration", "case_type"), pk=pk,
                                integration_id=integration_pk)
    query = request.GET.get("case", "").strip()
    case = preview = None
    if query:
        cases = Case.objects.filter(case_type=mapping.case_type)
        case = (cases.filter(pk=query).first() if query.isdigit() else None) or cases.filter(reference__iexact=query).first()
        if case is not None:
            preview = mapping_template_preview(mapping=mapping, case=case)
    return render(request, "mappings/preview.html", {
        "mapping": mapping, "integration": mapping.integration, "query": query, "case": case, "preview": preview,
        "recent": Case.objects.filter(case_type=mapping.case_type).order_by("-updated_at")[:5],
        "back": reverse("mappings:edit", args=[integration_pk, pk])})


