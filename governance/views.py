"""Governance pages: an object's history and versions (putting a rule or mapping template back), the audit trail and
its CSV export, the retention policy, and a person's subject access download and erasure."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import page_permission_required

from .forms import AuditFilter
from .history import TRACKED, audit_trail, object_history, version_number
from .versions import RESTORABLE, NotRestorable, restorable_object, restore, snapshot, version_record

BACK = {"integration": ("integrations:general", "pk"), "rule": ("rules:edit", "pk"),
        "case_type": ("cases:casetype_detail", "pk")}


def _back(object_type, pk):
    if object_type == "mapping_template":
        from mappings.models import MappingTemplate

        mapping = MappingTemplate.objects.filter(pk=pk).first()
        return reverse("mappings:edit", args=[mapping.integration_id, pk]) if mapping else None
    if object_type in BACK:
        name, _ = BACK[object_type]
        model = TRACKED[object_type][0]
        return reverse(name, args=[pk]) if model.objects.filter(pk=pk).exists() else None
    return None


def _known(object_type):
    if object_type not in TRACKED:
        raise Http404("No such kind of object")


@page_permission_required("governance.view_history")
def history_page(request, object_type, pk):
    _known(object_type)
    changes = object_history(object_type, pk)
    current = TRACKED[object_type][0].objects.filter(pk=pk).first()
    if current is None and not changes:
        raise Http404("No such object")
    permission = _restore_permission(object_type)
    return render(request, "governance/history.html", {
        "object_type": object_type, "pk": pk, "current": current, "changes": changes,
        "can_restore": bool(permission and request.user.has_perm(permission)),
        "type_words": TRACKED[object_type][1], "back": _back(object_type, pk),
        "tab": "history", "integration": current if object_type == "integration" else None})


@page_permission_required("governance.view_history")
def version_page(request, object_type, pk, version):
    _known(object_type)
    record = version_record(object_type, version)
    if record is None or record.id != pk:
        raise Http404("No such version")
    permission = _restore_permission(object_type)
    return render(request, "governance/version.html", {
        "object_type": object_type, "pk": pk, "record": record, "snapshot": snapshot(object_type, record),
        "label": str(record.instance), "number": version_number(object_type, pk, version),
        "can_restore": bool(permission and request.user.has_perm(permission)),
        "type_words": TRACKED[object_type][1], "restorable": object_type in RESTORABLE and record.history_type != "-"
        and restorable_object(object_type, pk) is not None})


def _restore_permission(object_type):
    return {"rule": "rules.change_rule", "mapping_template": "mappings.change_mappingtemplate"}.get(object_type)


@page_permission_required("governance.view_history")
@require_POST
def version_restore(request, object_type, pk, version):
    _known(object_type)
    permission = _restore_permission(object_type)
    if permission is None:
        raise Http404("Only a rule or a mapping template can be put back")
    if not request.user.has_perm(permission):
        raise PermissionDenied("Only an administrator can put a rule or a mapping template back")
    obj = restorable_object(object_type, pk)
    if obj is None:
        raise Http404("No such object")
    try:
        restore(object_type, version, obj=obj)
    except (NotRestorable, ValidationError) as refusal:
        words = "; ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
        messages.error(request, f"Not put back: {words}")
        return redirect("governance:version", object_type=object_type, pk=pk, version=version)
    messages.success(request, f"Put back as version {version} was: the change is a new version in the history")
    return redirect("governance:history", object_type=object_type, pk=pk)


@page_permission_required("governance.view_history")
def audit_page(request):
    form = AuditFilter(request.GET or None)
    filters = form.filters() if request.GET else {}
    changes = audit_trail(**filters, limit=200) if filters is not None else []
    return render(request, "governance/audit.html", {"form": form, "changes": changes,
                                                     "query": request.GET.urlencode()})


class _Echo:
    def write(self, value):
        return value


def _cell(value):
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@page_permission_required("governance.view_history")
def audit_export(request):
    form = AuditFilter(request.GET or None)
    filters = form.filters() if request.GET else {}
    if filters is None:
        return render(request, "governance/audit.html", {"form": form, "changes": []}, status=400)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["when", "who", "what", "object id", "object", "version", "action", "field", "before",
                               "after"])
        for change in audit_trail(**filters, limit=100_000):
            for words, before, after in change.changes or [("", "", "")]:
                yield writer.writerow([_cell(v) for v in (change.at.isoformat(), change.user, change.type_words,
                                                          change.object_id, change.label, change.version,
                                                          change.action, words, before, after)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def object_or_404(model, pk):
    return get_object_or_404(model, pk=pk)


require_get_post = require_http_methods(["GET", "POST"])
