"""A person's data: everything the product holds about them (subject access), and erasing it.

What is "theirs": their details and addresses; the cases they are linked to (with their role); the messages on
those cases sent to their email address or phone number, or letters addressed to them by name; the texts they sent
(by the person they were matched to, or their number); and the documents on their cases.
"""

import csv
import io
import json
import re
import zipfile

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseEvent, CasePerson, Person
from documents.models import Document
from inbox.models import ReceivedText
from integrations.log import SENDABLE, LogEntry, Status
from integrations.notify.files import described

from .models import Erasure

ERASED = "[erased]"


def cases_of(person):
    return Case.objects.filter(person_links__person=person).distinct().order_by("pk")


def messages_of(person):
    """The log entries that went to the person: to their email address or phone number on any case (a case they
    left, or one deleted since, included), and letters addressed to them by name on their cases."""
    query = Q()
    if person.email:
        query |= Q(recipient__iexact=person.email)
    if person.phone:
        query |= Q(recipient=person.phone)
    if person.full_name:
        query |= Q(channel="letter", recipient__istartswith=f"{person.full_name},", case__in=cases_of(person))
    if not query:
        return LogEntry.objects.none()
    return LogEntry.objects.filter(query).order_by("created_at", "pk")


def texts_of(person):
    query = Q(person=person)
    if person.phone:
        query |= Q(phone=person.phone)
    return ReceivedText.objects.filter(query).order_by("received_at", "pk")


def _person_json(person):
    return {"id": person.pk, "title": person.title, "first_name": person.first_name, "last_name": person.last_name,
            "email": person.email, "phone": person.phone,
            "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else None,
            "consent": {"email": person.consent_email, "text_message": person.consent_sms,
                        "letter": person.consent_letter},
            "addresses": [{"role": link.role, "lines": link.address.lines()}
                          for link in person.address_links.select_related("address")],
            "erased_at": person.erased_at.isoformat() if person.erased_at else None}


def _iso(value):
    return value.isoformat() if value else None


def _rows(person):
    roles = {}
    for link in CasePerson.objects.filter(person=person).select_related("case__case_type", "case__status"):
        roles.setdefault(link.case_id, (link.case, []))[1].append(link.role)
    cases = [{"reference": case.reference, "type": case.case_type.name, "status": case.status.name if case.status
              else "", "roles": ", ".join(r), "created_at": _iso(case.created_at), "closed_at": _iso(case.closed_at)}
             for case, r in roles.values()]
    messages = [{"id": e.pk, "created_at": _iso(e.created_at), "case": e.case_reference, "channel": e.channel,
                 "to": e.recipient, "status": e.status, "delivery_status": e.delivery_status,
                 "sent_at": _iso(e.sent_at), "notify_id": str(e.notify_id or ""), "rule": e.rule_name,
                 "content": {k: described(v) for k, v in (e.personalisation or {}).items()}}
                for e in messages_of(person)]
    texts = [{"id": t.pk, "received_at": _iso(t.received_at), "from": t.user_number, "content": t.content,
              "case": t.case.reference if t.case_id else None} for t in texts_of(person).select_related("case")]
    documents = [{"id": d.pk, "case": d.case.reference, "type": d.document_type, "filename": d.filename,
                  "version": d.version, "added_at": _iso(d.uploaded_at), "file": f"documents/{d.pk}-{d.filename}"}
                 for d in Document.objects.filter(case__in=cases_of(person), deleted_at__isnull=True)
                 .select_related("case").order_by("pk")]
    return cases, messages, texts, documents


COLUMNS = {"cases": ["reference", "type", "status", "roles", "created_at", "closed_at"],
           "messages": ["id", "created_at", "case", "channel", "to", "status", "delivery_status", "sent_at",
                        "notify_id", "rule", "content"],
           "received_texts": ["id", "received_at", "from", "content", "case"]}


def _cell(value):
    """A spreadsheet never runs a cell as a formula (a citizen's text can start with =)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows, columns):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    if rows:
        for row in rows:
            writer.writerow({k: _cell(json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v)
                             for k, v in row.items()})
    return out.getvalue()


README = """Everything {service} holds about {name} (person {pk}), made on {made}.

person.json          their details, addresses and consent
cases.json, .csv     the {cases} case(s) they are linked to, with their role
messages.json, .csv  the {messages} message(s) sent to them: when, how, to what address or number, what it said
                     (its placeholders' values), and what became of it
received_texts.json, .csv
                     the {texts} text message(s) they sent
documents.json       the {documents} document(s) on their cases; the files are in documents/

Dates are in UTC (ISO 8601). A message whose personal data was removed under the retention policy shows no
recipient or content.
"""


def subject_access_zip(person, service="Case notifications"):
    """The ZIP (bytes) of everything held about the person, with a README, in JSON and CSV."""
    cases, messages, texts, documents = _rows(person)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(
            service=service, name=person.full_name, pk=person.pk, made=timezone.now().isoformat(timespec="seconds"),
            cases=len(cases), messages=len(messages), texts=len(texts), documents=len(documents)))
        archive.writestr("person.json", json.dumps(_person_json(person), indent=2, ensure_ascii=False))
        for name, rows in (("cases", cases), ("messages", messages), ("received_texts", texts)):
            archive.writestr(f"{name}.json", json.dumps(rows, indent=2, ensure_ascii=False))
            archive.writestr(f"{name}.csv", _csv(rows, COLUMNS[name]))
        archive.writestr("documents.json", json.dumps(documents, indent=2, ensure_ascii=False))
        for document in Document.objects.filter(pk__in=[d["id"] for d in documents]):
            try:
                with document.file.open("rb") as handle:
                    archive.writestr(f"documents/{document.pk}-{document.filename}", handle.read())
            except FileNotFoundError:
                continue
    return out.getvalue()


class NotErasable(ValueError):
    pass


def _identifiers(person):
    values = {person.email, person.phone, person.full_name, f"{person.first_name} {person.last_name}".strip()}
    if person.phone.startswith("+44"):
        values.add("0" + person.phone[3:])
    return [v for v in values if v and len(v) >= 3]


def _scrub(value, pattern):
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _scrub_cases(person, pattern):
    changed = 0
    for case in cases_of(person):
        values, summary = _scrub(case.field_values or {}, pattern), _scrub(case.summary or "", pattern)
        if values != case.field_values or summary != case.summary:
            Case.objects.filter(pk=case.pk).update(field_values=values, summary=summary)
            changed += 1
        for event in CaseEvent.objects.filter(case=case):
            data = _scrub(event.data, pattern)
            if data != event.data:
                CaseEvent.objects.filter(pk=event.pk).update(data=data)
    return changed


def _remove_addresses(person):
    removed = 0
    for link in list(person.address_links.select_related("address")):
        address = link.address
        link.delete()
        if not address.person_links.exists() and not address.case_links.exists():
            address.delete()
            removed += 1
    return removed


def erase_person(*, person, actor, reason):
    """Remove the person's personal data from the person, their messages and their texts; what must stay (counts,
    statuses, dates, the case links) stays without it. The erasure is recorded without any of the erased data."""
    reason = (reason or "").strip()
    if not reason:
        raise NotErasable("Say why the person is erased")
    now = timezone.now()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.erased_at:
            raise NotErasable(f"This person was already erased on {person.erased_at:%d %B %Y}")
        ids = _identifiers(person)
        pattern = re.compile("|".join(re.escape(v) for v in sorted(ids, key=len, reverse=True)), re.IGNORECASE) \
            if ids else None
        counts = {"cancelled": messages_of(person).filter(status__in=SENDABLE).update(
            status=Status.CANCELLED, next_attempt_at=None, reason="Cancelled: the person was erased")}
        counts["messages"] = messages_of(person).update(
            recipient="", personalisation={}, sanitise_content_for=[], document=None, personal_data_removed_at=now,
            personal_data_removed_by="erasure")
        counts["received_texts"] = texts_of(person).update(content="", user_number="", phone="",
                                                           personal_data_removed_at=now)
        counts["cases_scrubbed"] = _scrub_cases(person, pattern) if pattern else 0
        counts["addresses"] = _remove_addresses(person)
        Person.objects.filter(pk=person.pk).update(
            title="", first_name="Erased", last_name="person", email="", phone="", date_of_birth=None,
            email_failed_at=None,
            email_failed_reason="", phone_failed_at=None, phone_failed_reason="", erased_at=now)
        return Erasure.objects.create(person_id=person.pk, erased_by=actor, reason=reason, counts=counts)
