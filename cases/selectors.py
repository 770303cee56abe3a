"""Reading cases: the case list's search and filters, and a case with everything its page shows."""

from django.db.models import Q

from .models import Case


def case_search(*, query="", case_type=None, status=None):
    """Cases matching a search (reference, summary, a linked person's name or email, a postcode) and filters."""
    cases = Case.objects.select_related("case_type", "status").order_by("-created_at", "-id")
    if case_type:
        cases = cases.filter(case_type_id=case_type)
    if status:
        cases = cases.filter(status__name=status)
    for word in query.split():
        cases = cases.filter(
            Q(reference__icontains=word)
            | Q(summary__icontains=word)
            | Q(person_links__person__first_name__icontains=word)
            | Q(person_links__person__last_name__icontains=word)
            | Q(person_links__person__email__icontains=word)
            | Q(address_links__address__postcode__iexact=word)
            | Q(address_links__address__postcode__icontains=word)
        )
    return cases.distinct() if query.strip() else cases


def case_for_page(pk):
    return (
        Case.objects.select_related("case_type", "status")
        .prefetch_related("case_type__fields", "person_links__person", "address_links__address")
        .get(pk=pk)
    )
