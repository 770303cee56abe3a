"""Caseworker pages: the case list, a case, creating and editing cases, people and addresses."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import page_permission_required
from config.validation import parse_id

from . import selectors, services
from .forms import AddressForm, CaseForm, CaseTypeChoiceForm, PersonForm, apply_service_errors
from .models import Address, Case, CaseAddress, CasePerson, CaseType, Person, Status
from .presenters import field_rows

PAGE_SIZE = 25


@page_permission_required("cases.view_case")
def case_list(request):
    query = request.GET.get("q", "").strip()
    case_type, status = request.GET.get("type") or None, request.GET.get("status") or None
    cases = selectors.case_search(query=query, case_type=case_type, status=status)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {
        "page": page, "query": query, "case_types": CaseType.objects.all(), "selected_type": case_type,
        "statuses": Status.objects.values_list("name", flat=True).distinct().order_by("name"),
        "selected_status": status, "querystring": _querystring(request),
    })


def _querystring(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@page_permission_required("cases.view_case")
def case_detail(request, pk):
    try:
        case = selectors.case_for_page(pk)
    except Case.DoesNotExist:
        raise Http404("No such case") from None
    return render(request, "cases/case_detail.html", {
        "case": case, "field_rows": field_rows(case), "history": selectors.case_history(case),
    })


@page_permission_required("cases.add_case")
@require_http_methods(["GET", "POST"])
def case_create(request):
    case_types = CaseType.objects.all()
    chosen = request.GET.get("type") or (case_types[0].pk if len(case_types) == 1 else None)
    if chosen is None:
        form = CaseTypeChoiceForm(request.GET or None)
        if request.GET and form.is_valid():
            return redirect(f"{request.path}?type={form.cleaned_data['case_type'].pk}")
        return render(request, "cases/case_type_choice.html", {"form": form})
    case_type = get_object_or_404(CaseType, pk=chosen)
    form = CaseForm(request.POST or None, case_type=case_type)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(case_type=case_type, field_values=form.field_values(),
                                        status=form.cleaned_data["status"], summary=form.cleaned_data["summary"],
                                        due_date=form.cleaned_data["due_date"], actor=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Case {case.reference} created")
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case_type": case_type, "case": None})


@page_permission_required("cases.change_case")
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = get_object_or_404(Case.objects.select_related("case_type"), pk=pk)
    form = CaseForm(request.POST or None, case_type=case.case_type, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, status=form.cleaned_data["status"], field_values=form.field_values(),
                                 summary=form.cleaned_data["summary"], due_date=form.cleaned_data["due_date"],
                                 actor=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Case {case.reference} saved")
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case_type": case.case_type, "case": case})


def _save_with_link(request, form, case, save, link):
    """Save a person or address and link it to the case; service errors go onto the form."""
    try:
        with transaction.atomic():
            thing = save(form.save(commit=False))
            extra = {"correspondence_for": form.cleaned_data["correspondence_for"]} if "correspondence_for" in form.fields else {}
            link(case=case, role=form.cleaned_data["role"], actor=request.user, thing=thing, **extra)
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


def link_person(*, case, role, actor, thing):
    return services.case_link_person(case=case, person=thing, role=role, actor=actor)


def link_address(*, case, role, actor, thing, correspondence_for=()):
    for person in correspondence_for:
        services.person_link_address(person=person, address=thing)
    return services.case_link_address(case=case, address=thing, role=role, actor=actor)


def _link_existing(request, case, model, link):
    """Link a person or address already in the service (POST "existing" and "role"); True when done."""
    thing = model.objects.filter(pk=request.POST.get("existing")).first()
    role = (request.POST.get("role") or "").strip()
    if thing is None or not role:
        messages.error(request, "Choose who or what to link, and their role")
        return False
    link(case=case, role=role, actor=request.user, thing=thing)
    messages.success(request, f"{thing} linked as {role}")
    return True


def _matches(model, query, fields):
    if len(query) < 2:
        return []
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": query})
    return list(model.objects.filter(condition)[:10])


@page_permission_required("cases.change_case", "cases.add_person")
@require_http_methods(["GET", "POST"])
def case_add_person(request, pk):
    case = get_object_or_404(Case.objects.select_related("case_type"), pk=pk)
    roles = case.case_type.person_roles or ["Applicant"]
    if request.method == "POST" and "existing" in request.POST:
        _link_existing(request, case, Person, link_person)
        return redirect("cases:case_detail", pk=case.pk)
    form = PersonForm(request.POST or None, initial={"role": roles[0]})
    if request.method == "POST" and form.is_valid() and _save_with_link(
        request, form, case, lambda p: services.person_save(person=p, actor=request.user),
        link_person,
    ):
        messages.success(request, f"{form.instance.full_name} added as {form.cleaned_data['role']}")
        return redirect("cases:case_detail", pk=case.pk)
    query = request.GET.get("q", "").strip()
    return render(request, "cases/thing_form.html", {
        "form": form, "case": case, "title": "Add a person", "roles": roles, "button": "Add person", "query": query,
        "matches": _matches(Person, query, ("first_name", "last_name", "email")), "what": "person"})


@page_permission_required("cases.change_case", "cases.add_address")
@require_http_methods(["GET", "POST"])
def case_add_address(request, pk):
    case = get_object_or_404(Case.objects.select_related("case_type"), pk=pk)
    roles = case.case_type.address_roles or ["Property"]
    if request.method == "POST" and "existing" in request.POST:
        _link_existing(request, case, Address, link_address)
        return redirect("cases:case_detail", pk=case.pk)
    form = AddressForm(request.POST or None, initial={"role": roles[0], "country": "United Kingdom"},
                       people=Person.objects.filter(case_links__case=case).distinct())
    if request.method == "POST" and form.is_valid() and _save_with_link(
        request, form, case, lambda a: services.address_save(address=a, actor=request.user),
        link_address,
    ):
        messages.success(request, "Address added")
        return redirect("cases:case_detail", pk=case.pk)
    query = request.GET.get("q", "").strip()
    return render(request, "cases/thing_form.html", {
        "form": form, "case": case, "title": "Add an address", "roles": roles, "button": "Add address",
        "query": query, "matches": _matches(Address, query, ("line_1", "postcode", "town")), "what": "address"})


def _edit(request, form, save, title):
    """Edit a person or an address outside any one case; back to the case it was opened from."""
    case_id = parse_id(request.GET.get("case"))
    case = Case.objects.filter(pk=case_id).first() if case_id else None
    if request.method == "POST" and form.is_valid():
        try:
            thing = save(form.save(commit=False))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{thing} saved")
            return redirect("cases:case_detail", pk=case.pk) if case else redirect("cases:case_list")
    person = form.instance if isinstance(form.instance, Person) and form.instance.pk else None
    return render(request, "cases/thing_form.html", {"form": form, "case": case, "title": title, "button": "Save",
                                                     "person": person})


@page_permission_required("cases.change_person")
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    person = get_object_or_404(Person, pk=pk)
    form = PersonForm(request.POST or None, instance=person, with_role=False)
    return _edit(request, form, lambda p: services.person_save(person=p, actor=request.user),
                 f"Edit {person.full_name}")


@page_permission_required("cases.change_address")
@require_http_methods(["GET", "POST"])
def address_edit(request, pk):
    address = get_object_or_404(Address, pk=pk)
    form = AddressForm(request.POST or None, instance=address, with_role=False)
    return _edit(request, form, lambda a: services.address_save(address=a, actor=request.user), "Edit address")


def _unlink(request, link, what):
    if request.method == "POST":
        services.case_unlink(link=link, actor=request.user)
        messages.success(request, f"{what} removed from the case")
        return redirect("cases:case_detail", pk=link.case_id)
    return render(request, "cases/unlink_confirm.html", {"link": link, "what": what, "case": link.case})


@page_permission_required("cases.change_case")
@require_http_methods(["GET", "POST"])
def case_remove_person(request, pk, link_pk):
    link = get_object_or_404(CasePerson.objects.select_related("person", "case"), pk=link_pk, case_id=pk)
    return _unlink(request, link, f"{link.person.full_name} ({link.role})")


@page_permission_required("cases.change_case")
@require_http_methods(["GET", "POST"])
def case_remove_address(request, pk, link_pk):
    link = get_object_or_404(CaseAddress.objects.select_related("address", "case"), pk=link_pk, case_id=pk)
    return _unlink(request, link, f"{link.address} ({link.role})")
