"""Reading cases: the case list's search and filters, and a case with everything its page shows."""

import re

from django.db.models import Q, Value
from django.db.models.functions import Replace, Upper

from .models import Case, CaseAddress, CasePerson, EventKind
from .validation import UK_POSTCODE

SEARCH_MAX_WORDS = 8
SEARCH_MAX_LENGTH = 200


def search_words(query):
    """The words of a search, at most SEARCH_MAX_WORDS of them from its first SEARCH_MAX_LENGTH characters. A search
    that is a whole UK postcode ("sw1a 1aa") is one word, its space dropped: its halves alone match far more."""
    text = (query or "")[:SEARCH_MAX_LENGTH]
    compact = re.sub(r"\s+", "", text).upper()
    if UK_POSTCODE.match(compact):
        return [compact]
    return text.split()[:SEARCH_MAX_WORDS]


def case_search(*, query="", case_type=None, status=None):
    """Cases matching a search (reference, summary, a linked person's name or email, a postcode, with or without
    its space) and filters. Every word must match.

    Each word is one set of case ids, a UNION of four lookups that PostgreSQL answers from trigram indexes
    (cases.migrations.0004): no word adds joins to the outer query, and the cost grows with the matches, not
    with the number of cases.
    """
    cases = Case.objects.select_related("case_type", "status").order_by("-created_at", "-id")
    if case_type:
        cases = cases.filter(case_type_id=case_type)
    if status:
        cases = cases.filter(status__name=status)
    for word in search_words(query):
        compact = word.upper().replace(" ", "")
        matching = (
            Case.objects.filter(Q(reference__icontains=word) | Q(summary__icontains=word)).order_by().values("pk")
            .union(CasePerson.objects.filter(Q(person__first_name__icontains=word)
                                             | Q(person__last_name__icontains=word)
                                             | Q(person__email__icontains=word)).order_by().values("case_id"))
            .union(CaseAddress.objects.annotate(compact=Replace(Upper("address__postcode"), Value(" "), Value("")))
                   .filter(compact__contains=compact).order_by().values("case_id"))
        )
        cases = cases.filter(pk__in=matching)
    return cases


def case_for_page(pk):
    return (
        Case.objects.select_related("case_type", "status")
        .prefetch_related("case_type__fields", "person_links__person", "address_links__address")
        .get(pk=pk)
    )


def case_history(case, *, limit=20):
    """The case's history as lines a caseworker reads: one per save (its status and field changes together,
    fields by their labels), newest first. [{"at", "actor", "title", "changes": [text]}]"""
    labels = dict(case.case_type.fields.values_list("key", "label"))
    events = list(case.events.select_related("actor").order_by("-id")[: limit * 6])[::-1]
    lines = []
    for event in events:
        joins = (lines and event.kind in (EventKind.STATUS_CHANGED, EventKind.FIELD_CHANGED)
                 and lines[-1]["actor"] == event.actor and lines[-1]["rule"] == event.rule_name
                 and lines[-1]["kind"] == EventKind.UPDATED
                 and (event.created_at - lines[-1]["at"]).total_seconds() < 5)
        if not joins:
            lines.append({"at": event.created_at, "actor": event.actor, "rule": event.rule_name, "kind": event.kind,
                          "title": event.get_kind_display(), "changes": _changes_of_update(event)})
        if event.kind == EventKind.STATUS_CHANGED:
            lines[-1]["changes"].append(f"Status: {event.data.get('from')} → {event.data.get('to')}")
        elif event.kind == EventKind.FIELD_CHANGED:
            key = event.data.get("key")
            lines[-1]["changes"].append(f"{labels.get(key, key)}: {_shown(event.data.get('old'))} → "
                                        f"{_shown(event.data.get('new'))}")
    return lines[::-1][:limit]


CASE_DETAIL_LABELS = {"summary": "Summary", "due_date": "Due date"}


def _changes_of_update(event):
    if event.kind in (EventKind.DOCUMENT_ADDED, EventKind.DOCUMENT_DELETED):
        data = event.data or {}
        words = [f"{data.get('document_type')}: {data.get('filename')} (version {data.get('version')})"]
        return words + ([f"Reason: {data['reason']}"] if data.get("reason") else [])
    if event.kind != EventKind.UPDATED:
        return []
    return [f"{CASE_DETAIL_LABELS.get(name, name)}: {_shown(old)} → {_shown(new)}"
            for name, (old, new) in (event.data.get("changed") or {}).items()]


def _shown(value):
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)
