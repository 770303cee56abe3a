"""The case snapshot: one case with its type's field kinds, people and addresses, as plain data.

Resolving mappings and matching rule conditions are pure functions over this snapshot, so this is the
only place they touch the database. Snapshots of any number of cases take five queries, read as plain
rows (no model instances: bulk apply builds thousands a second), and a sixth for case types that have documents.
"""

from collections import defaultdict

from cases.models import Case, CaseAddress, CasePerson, FieldDefinition, PersonAddress
from documents.models import Document

ADDRESS_FIELDS = ("line_1", "line_2", "line_3", "line_4", "town", "county", "postcode", "country")
PERSON_FIELDS = ("title", "first_name", "last_name", "email", "phone", "date_of_birth",
                 "consent_email", "consent_sms", "consent_letter", "email_failed_at", "phone_failed_at", "erased_at")
DOCUMENT_FIELDS = ("id", "document_type", "version", "filename", "kind", "size", "sha256", "file", "pages",
                   "letter_problems")
CASE_COLUMNS = ("id", "reference", "status__name", "case_type_id", "case_type__name", "field_values", "created_at",
                "updated_at", "closed_at", "due_date", "case_type__document_types")


def _grouped(queryset, key, *columns):
    """Rows of `queryset` (in its order) grouped by `key`, each a dict of `columns`."""
    groups = defaultdict(list)
    for row in queryset.values_list(key, *columns):
        groups[row[0]].append(dict(zip(columns, row[1:], strict=True)))
    return groups


def _address(row, prefix):
    return {"role": row["role"], **{name: row[prefix + name] for name in ADDRESS_FIELDS}}


def snapshots(cases):
    """Snapshots of the cases a Case queryset selects (filtered, ordered, sliced as the caller likes), in its order."""
    rows = [dict(zip(CASE_COLUMNS, row, strict=True)) for row in cases.values_list(*CASE_COLUMNS)]
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    definitions = _grouped(FieldDefinition.objects.filter(case_type_id__in={row["case_type_id"] for row in rows}),
                           "case_type_id", "key", "kind", "label")
    people = _grouped(CasePerson.objects.filter(case_id__in=ids), "case_id", "role", "person_id",
                      *(f"person__{name}" for name in PERSON_FIELDS))
    person_ids = {person["person_id"] for links in people.values() for person in links}
    homes = _grouped(PersonAddress.objects.filter(person_id__in=person_ids).order_by("id"), "person_id", "role",
                     *(f"address__{name}" for name in ADDRESS_FIELDS))
    places = _grouped(CaseAddress.objects.filter(case_id__in=ids), "case_id", "role",
                      *(f"address__{name}" for name in ADDRESS_FIELDS))
    documents = _latest_documents(ids) if any(row["case_type__document_types"] for row in rows) else {}
    return [{**_snapshot(row, definitions[row["case_type_id"]], people[row["id"]], homes, places[row["id"]]),
             "documents": documents.get(row["id"], {})} for row in rows]


def _latest_documents(case_ids):
    """{case id: {document type: the latest document of that type, as plain data}} (deleted ones left out).
    Only what a message needs to name and find the file: never its content."""
    latest = defaultdict(dict)
    rows = (Document.objects.filter(case_id__in=case_ids, deleted_at__isnull=True)
            .order_by("case_id", "document_type", "-version").values_list("case_id", *DOCUMENT_FIELDS))
    for case_id, *values in rows:
        document = dict(zip(DOCUMENT_FIELDS, values, strict=True))
        latest[case_id].setdefault(document["document_type"], document)
    return latest


def _snapshot(row, definitions, links, homes, places):
    return {
        "id": row["id"],
        "reference": row["reference"],
        "status": row["status__name"],
        "type": row["case_type__name"],
        "fields": dict(row["field_values"] or {}),
        "kinds": {d["key"]: d["kind"] for d in definitions},
        "labels": {d["key"]: d["label"] for d in definitions},
        "dates": {"created": row["created_at"], "updated": row["updated_at"], "closed": row["closed_at"],
                  "due": row["due_date"]},
        "people": [{"role": link["role"], **{name: link[f"person__{name}"] for name in PERSON_FIELDS},
                    "addresses": [_address(home, "address__") for home in homes[link["person_id"]]]}
                   for link in links],
        "addresses": [_address(place, "address__") for place in places],
    }


def snapshot_of(case_id):
    """The snapshot of one case; Case.DoesNotExist if there is no such case."""
    found = snapshots(Case.objects.filter(pk=case_id))
    if not found:
        raise Case.DoesNotExist(f"No case {case_id}")
    return found[0]
