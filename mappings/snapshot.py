"""The case snapshot: one case with its type's field kinds, people and addresses, as plain data.

Resolving mappings and matching rule conditions are pure functions over this snapshot, so this is the
only place they touch the database. Two queries for the case and its links, however many people.
"""

from django.db.models import Prefetch

from cases.models import Case, CaseAddress, CasePerson, PersonAddress

ADDRESS_FIELDS = ("line_1", "line_2", "line_3", "line_4", "town", "county", "postcode", "country")
PERSON_FIELDS = ("title", "first_name", "last_name", "email", "phone", "date_of_birth",
                 "consent_email", "consent_sms", "consent_letter")


def _address(address, role):
    return {"role": role, **{name: getattr(address, name) for name in ADDRESS_FIELDS}}


def snapshot_queryset():
    """Cases with everything a snapshot reads, prefetched."""
    return Case.objects.select_related("status", "case_type").prefetch_related(
        "case_type__fields",
        Prefetch("person_links", queryset=CasePerson.objects.select_related("person").prefetch_related(
            Prefetch("person__address_links", queryset=PersonAddress.objects.select_related("address")))),
        Prefetch("address_links", queryset=CaseAddress.objects.select_related("address")),
    )


def case_snapshot(case):
    """Plain data for a case (load it through snapshot_queryset() to keep the query count flat)."""
    definitions = list(case.case_type.fields.all())
    people = []
    for link in case.person_links.all():
        person = link.person
        people.append({
            "role": link.role,
            **{name: getattr(person, name) for name in PERSON_FIELDS},
            "addresses": [_address(pa.address, pa.role) for pa in person.address_links.all()],
        })
    return {
        "id": case.pk,
        "reference": case.reference,
        "status": case.status.name,
        "type": case.case_type.name,
        "fields": dict(case.field_values),
        "kinds": {d.key: d.kind for d in definitions},
        "labels": {d.key: d.label for d in definitions},
        "dates": {"created": case.created_at, "updated": case.updated_at, "closed": case.closed_at,
                  "due": case.due_date},
        "people": people,
        "addresses": [_address(link.address, link.role) for link in case.address_links.all()],
    }


def snapshot_of(case_id):
    return case_snapshot(snapshot_queryset().get(pk=case_id))
