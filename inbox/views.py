"""Received texts: the unmatched list (caseworkers link or dismiss), and the list in the log's area (auditors)."""

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from accounts.decorators import page_permission_required
from cases.models import Case

from .exports import received_csv_response
from .forms import DismissForm, LinkForm, ReceivedTextFilter, ReplyForm
from .models import Match, ReceivedText
from .reply import ReplyRefused, case_reply, reply_check, reply_templates
from .selectors import received_texts, unmatched
from .services import NotDismissible, received_text_dismiss, received_text_link


@page_permission_required("inbox.handle_receivedtext")
def unmatched_list(request):
    return render(request, "inbox/unmatched.html", {"texts": unmatched()[:200]})


@page_permission_required("inbox.handle_receivedtext")
def text_handle(request, pk):
    """A text's page for a caseworker: link it to a case or dismiss it (POST with action=link|dismiss)."""
    text = get_object_or_404(ReceivedText.objects.select_related("case"), pk=pk)
    link, dismiss = LinkForm(prefix="link"), DismissForm(prefix="dismiss")
    if request.method == "POST":
        if request.POST.get("action") == "link":
            link = LinkForm(request.POST, prefix="link")
            if link.is_valid():
                received_text_link(text=text, case=link.case, actor=request.user)
                messages.success(request, f"The text is on case {link.case.reference}")
                return redirect("cases:case_detail", pk=link.case.pk)
        elif request.POST.get("action") == "dismiss":
            dismiss = DismissForm(request.POST, prefix="dismiss")
            if dismiss.is_valid():
                try:
                    received_text_dismiss(text=text, reason=dismiss.cleaned_data["reason"], actor=request.user)
                except NotDismissible as refusal:
                    dismiss.add_error("reason", str(refusal))
                else:
                    messages.success(request, "The text is dismissed")
                    return redirect("inbox:unmatched")
    failing = next((f for f in (link, dismiss) if f.errors), None)
    return render(request, "inbox/text.html", {"text": text, "link": link, "dismiss": dismiss,
                                               "errors_from": [link, dismiss], "form": failing})


@page_permission_required("inbox.view_receivedtext")
def received_list(request):
    form = ReceivedTextFilter(request.GET or None)
    filters = form.filters()
    texts = received_texts(filters)[:200] if filters is not None else []
    return render(request, "inbox/received.html", {"form": form, "texts": texts, "query": request.GET.urlencode(),
                                                   "Match": Match})


@page_permission_required("inbox.view_receivedtext", "integrations.export_logentry")
def received_export(request):
    """Every reply with its number, as CSV: auditors' and administrators' (as the log's export), not caseworkers'."""
    form = ReceivedTextFilter(request.GET or None)
    filters = form.filters()
    if filters is None:
        return HttpResponseBadRequest("Not exported: a filter is not valid", content_type="text/plain")
    return received_csv_response(received_texts(filters))


@page_permission_required("cases.change_case")
def case_reply_page(request, case_pk):
    """Reply to the case's applicant by text: first "Check" (the whole text, its length and number of texts as
    Notify counts them), then "Send"."""
    case = get_object_or_404(Case, pk=case_pk)
    templates = list(reply_templates(case))
    form = ReplyForm(request.POST or None, templates=templates)
    check = None
    if request.method == "POST" and form.is_valid():
        mapping, typed = form.chosen(), form.cleaned_data["text"]
        if request.POST.get("action") == "send":
            try:
                case_reply(case=case, mapping=mapping, typed=typed, actor=request.user,
                           checked=request.POST.get("checked", ""))
            except ReplyRefused as refusal:
                form.add_error("text", str(refusal))
            else:
                messages.success(request, "Your text is on its way")
                return redirect(f"{reverse('cases:case_detail', args=[case.pk])}#texts")
        check = reply_check(case=case, mapping=mapping, typed=typed)
        for problem in check.problems:
            form.add_error("text", problem)
    return render(request, "inbox/reply.html", {"case": case, "form": form, "check": check, "templates": templates})
