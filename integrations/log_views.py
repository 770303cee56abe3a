"""The integration log pages for auditors and administrators: list with filters, an entry, CSV, resend."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.decorators import page_permission_required
from cases.forms import DatePicker

from .delivery.record import history as delivery_history
from .exports import log_csv_response
from .log import Channel, LogEntry, Status
from .log_services import (
    LetterNotReady,
    NotResendable,
    can_rebuild,
    can_resend_same,
    letter_pdf,
    log_entry_rebuild,
    log_entry_refresh_status,
    log_entry_resend,
)
from .models import Integration
from .selectors import DELIVERY_CHOICES, BadCursor, daily_counts, keyset_page, log_entries

PAGE_SIZE = 50
# What a row of the list shows (integration_log.log_row): the rest of an entry is read on its own page.
LIST_FIELDS = ("created_at", "case_reference", "channel", "recipient", "mapping_template_name", "rule_name", "status",
               "failure_kind", "notify_id", "reason", "delivery_status", "delivery_note")


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Status.choices])
    delivery = forms.ChoiceField(required=False, label="Delivery", choices=[("", "Any delivery status"), *DELIVERY_CHOICES])
    channel = forms.ChoiceField(required=False, choices=[("", "Any channel"), *Channel.choices])
    integration = forms.ChoiceField(required=False)
    case_reference = forms.CharField(required=False, label="Case reference")
    rule = forms.CharField(required=False, label="Rule name contains")
    mapping_template = forms.CharField(required=False, label="Mapping template name contains")
    notify_id = forms.UUIDField(required=False, label="Notify message ID",
                                error_messages={"invalid": "Enter a Notify message ID, like 740e5834-3a29-46b4-9a6f-16142fde533a"})
    date_from = forms.DateField(required=False, label="From", widget=DatePicker(),
                                error_messages={"invalid": "Enter a real date, like 27 March 2026"})
    date_to = forms.DateField(required=False, label="To", widget=DatePicker(),
                              error_messages={"invalid": "Enter a real date, like 27 March 2026"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["integration"].choices = [("", "Any integration"),
                                              *Integration.objects.values_list("pk", "name")]

    def filters(self):
        """The filters chosen, or None when one of them is not valid (the form then shows why)."""
        if self.is_bound and not self.is_valid():
            return None
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")} if self.is_bound else {}


def _without(params, *names):
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params


def _querystring(request, **changes):
    params = request.GET.copy()
    for name, value in changes.items():
        params.pop(name, None)
        if value:
            params[name] = value
    return params.urlencode()


@page_permission_required("integrations.view_logentry")
def log_list(request):
    form = LogFilterForm(_without(request.GET, "after") or None)
    filters = form.filters()
    rows, cursor = [], None
    if filters is not None:  # with a filter that is not valid, nothing is listed: the form says what is wrong
        try:
            rows, cursor = keyset_page(log_entries(filters=filters).only(*LIST_FIELDS), after=request.GET.get("after"),
                                       size=PAGE_SIZE)
        except BadCursor:
            return HttpResponseBadRequest("That page link is not valid: start again from the first page of the log.",
                                          content_type="text/plain")
    days = daily_counts()
    peak = max([max(counts) for _, *counts in days] or [0]) or 1
    return render(request, "integrations/log/list.html", {
        "form": form, "entries": rows, "next_query": _querystring(request, after=cursor) if cursor else None,
        "first_query": _querystring(request, after=None) if request.GET.get("after") else None,
        "export_query": _querystring(request, after=None),
        "days": [(day, [(count, round(20 * count / peak) * 5) for count in counts]) for day, *counts in days],
    })


@page_permission_required("integrations.view_logentry")
def log_detail(request, pk):
    entry = get_object_or_404(LogEntry.objects.select_related("integration", "case"), pk=pk)
    return render(request, "integrations/log/detail.html", {
        "entry": entry, "attempts": entry.attempts.all(), "can_rebuild": can_rebuild(entry),
        "can_resend_same": can_resend_same(entry), "delivery_history": delivery_history(entry),
        "followed_by": entry.followed_by.order_by("pk")})


@page_permission_required("integrations.export_logentry")
def log_export(request):
    form = LogFilterForm(_without(request.GET, "after") or None)
    filters = form.filters()
    if filters is None:
        problems = "; ".join(f"{form.fields[name].label or name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponseBadRequest(f"Not exported: {problems}", content_type="text/plain")
    return log_csv_response(log_entries(filters=filters, entries=LogEntry.objects.select_related("integration")))


@page_permission_required("integrations.resend_logentry")
@require_POST
def log_resend(request, pk):
    entry = get_object_or_404(LogEntry, pk=pk)
    try:
        log_entry_resend(entry=entry, actor=request.user)
    except NotResendable as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The message is queued again. Notify is asked first whether it already has it.")
    return redirect("log:detail", pk=pk)


@page_permission_required("integrations.resend_logentry")
@require_POST
def log_rebuild(request, pk):
    entry = get_object_or_404(LogEntry, pk=pk)
    try:
        new = log_entry_rebuild(entry=entry, actor=request.user)
    except NotResendable as refusal:
        messages.error(request, f"Not sent again: {refusal}")
        return redirect("log:detail", pk=pk)
    messages.success(request, "The message was built again from the case and is queued as this new log entry.")
    return redirect("log:detail", pk=new.pk)


@page_permission_required("integrations.view_logentry")
@require_POST
def log_refresh_status(request, pk):
    entry = get_object_or_404(LogEntry.objects.select_related("integration"), pk=pk)
    try:
        entry = log_entry_refresh_status(entry=entry)
    except NotResendable as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Notify says the message is {entry.delivery_status}" if entry.delivery_status
                         else "Notify has no status for the message yet")
    return redirect("log:detail", pk=pk)


@page_permission_required("integrations.view_logentry")
def log_letter_pdf(request, pk):
    """A sent letter's PDF as Notify holds it (get_pdf_for_letter). Until Notify has made it, the entry's page says
    so: that is a wait, not an error."""
    entry = get_object_or_404(LogEntry.objects.select_related("integration"), pk=pk)
    if entry.channel != "letter" or not entry.notify_id:
        raise Http404("Only a letter Notify accepted has a PDF")
    try:
        content = letter_pdf(entry=entry)
    except LetterNotReady as waiting:
        messages.info(request, str(waiting))
        return redirect("log:detail", pk=pk)
    except NotResendable as refusal:
        messages.error(request, str(refusal))
        return redirect("log:detail", pk=pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{entry.case_reference or entry.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
