"""Administrators' pages for case types, their fields and statuses (under /settings/case-types/)."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.decorators import page_permission_required

from .forms import CaseTypeForm, FieldDefinitionForm, StatusForm
from .models import CaseType, FieldDefinition, Status

admin_only = page_permission_required("cases.change_casetype")


@admin_only
def casetype_list(request):
    return render(request, "cases/settings/casetype_list.html", {"case_types": CaseType.objects.all()})


@admin_only
@require_http_methods(["GET", "POST"])
def casetype_edit(request, pk=None):
    case_type = get_object_or_404(CaseType, pk=pk) if pk else None
    form = CaseTypeForm(request.POST or None, instance=case_type)
    if request.method == "POST" and form.is_valid():
        case_type = form.save()
        messages.success(request, f"{case_type.name} saved")
        return redirect("cases:casetype_detail", pk=case_type.pk)
    return render(request, "cases/generic_form.html", {
        "form": form, "title": f"Edit {case_type.name}" if case_type else "Add a case type",
        "back_href": reverse("cases:casetype_detail", args=[pk]) if pk else reverse("cases:casetype_list"),
        "button": "Save case type"})


@admin_only
def casetype_detail(request, pk):
    case_type = get_object_or_404(CaseType.objects.prefetch_related("fields", "statuses"), pk=pk)
    return render(request, "cases/settings/casetype_detail.html", {"case_type": case_type})


def _cases_using_field(field):
    return field.case_type.cases.filter(Q(field_values__has_key=field.key)).count() if field.pk else 0


@admin_only
@require_http_methods(["GET", "POST"])
def field_edit(request, type_pk, pk=None):
    case_type = get_object_or_404(CaseType, pk=type_pk)
    field = get_object_or_404(FieldDefinition, pk=pk, case_type=case_type) if pk else FieldDefinition(case_type=case_type)
    form = FieldDefinitionForm(request.POST or None, instance=field, case_type=case_type, in_use=_cases_using_field(field))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Field '{form.instance.label}' saved")
        return redirect("cases:casetype_detail", pk=case_type.pk)
    return render(request, "cases/generic_form.html", {
        "form": form, "title": f"Edit field: {field.label}" if pk else f"Add a field to {case_type.name}",
        "back_href": reverse("cases:casetype_detail", args=[case_type.pk]), "button": "Save field"})


@admin_only
@require_http_methods(["GET", "POST"])
def field_delete(request, type_pk, pk):
    field = get_object_or_404(FieldDefinition, pk=pk, case_type_id=type_pk)
    in_use = _cases_using_field(field)
    if request.method == "POST" and not in_use:
        field.delete()
        messages.success(request, f"Field '{field.label}' deleted")
        return redirect("cases:casetype_detail", pk=type_pk)
    return render(request, "cases/settings/delete_confirm.html", {
        "thing": f"the field '{field.label}'", "in_use": in_use, "back_pk": type_pk,
        "refusal": f"{in_use} cases have a value for this field. Clear those values first, or keep the field."})


@admin_only
@require_http_methods(["GET", "POST"])
def status_edit(request, type_pk, pk=None):
    case_type = get_object_or_404(CaseType, pk=type_pk)
    status = get_object_or_404(Status, pk=pk, case_type=case_type) if pk else Status(case_type=case_type)
    form = StatusForm(request.POST or None, instance=status, case_type=case_type)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if form.cleaned_data["is_initial"]:
                case_type.statuses.exclude(pk=status.pk).update(is_initial=False)
            form.save()
        messages.success(request, f"Status '{form.instance.name}' saved")
        return redirect("cases:casetype_detail", pk=case_type.pk)
    return render(request, "cases/generic_form.html", {
        "form": form, "title": f"Edit status: {status.name}" if pk else f"Add a status to {case_type.name}",
        "back_href": reverse("cases:casetype_detail", args=[case_type.pk]), "button": "Save status"})


@admin_only
@require_http_methods(["GET", "POST"])
def status_delete(request, type_pk, pk):
    status = get_object_or_404(Status, pk=pk, case_type_id=type_pk)
    in_use = status.cases.count()
    if request.method == "POST" and not in_use:
        status.delete()
        messages.success(request, f"Status '{status.name}' deleted")
        return redirect("cases:casetype_detail", pk=type_pk)
    return render(request, "cases/settings/delete_confirm.html", {
        "thing": f"the status '{status.name}'", "in_use": in_use, "back_pk": type_pk,
        "refusal": f"{in_use} cases are in this status. Move them to another status first."})
