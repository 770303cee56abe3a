from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import page_permission_required
from cases.models import Person

from .forms import ReasonForm
from .people import NotErasable, cases_of, erase_person, messages_of, subject_access_zip, texts_of


@page_permission_required("governance.export_subject_data")
def subject_access_download(request, pk):
    """Everything held about the person, as one ZIP (README, JSON and CSV, their cases' documents)."""
    person = get_object_or_404(Person, pk=pk)
    response = HttpResponse(subject_access_zip(person), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-person-{person.pk}.zip"'
    return response


@page_permission_required("governance.erase_person")
@require_http_methods(["GET", "POST"])
def erase_page(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            erasure = erase_person(person=person, actor=request.user, reason=form.cleaned_data["reason"])
        except NotErasable as refusal:
            form.add_error("reason", str(refusal))
        else:
            counts = erasure.counts
            messages.success(request, f"The person is erased: their details, {counts['messages']} message(s) to "
                                      f"them and {counts['received_texts']} text(s) from them no longer hold their "
                                      "personal data. The erasure is recorded.")
            return redirect("cases:person_edit", pk=person.pk)
    return render(request, "governance/erase.html", {
        "person": person, "form": form, "cases": cases_of(person).count(), "messages_count": messages_of(person).count(),
        "texts": texts_of(person).count()})
