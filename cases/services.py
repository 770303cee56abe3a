"""Writing cases, people and addresses. Every change that rules may react to records a CaseEvent.

Callers (forms, API serializers, the demo loader) validate shapes; these functions enforce the domain
rules (field values against the case type, statuses of the case's own type) and raise ValidationError
with field-level messages, so nothing half-valid is ever saved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .events import record_event
from .models import Case, CaseAddress, CasePerson, CaseType, EventKind, Person, PersonAddress, Status
from .validation import clean_field_values


def _check_status(case_type, status):
    if status is not None and status.case_type_id != case_type.pk:
        raise ValidationError({"status": f"'{status.name}' is not a status of {case_type.name}"})


def _next_reference(case_type):
    """The next free reference for the type, like PA-2026-000042. Locks the type row meanwhile."""
    CaseType.objects.select_for_update().filter(pk=case_type.pk).first()
    year = timezone.now().year
    prefix = f"{case_type.reference_prefix}-{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True)
    ).first()
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:06d}"


@transaction.atomic
def case_create(*, case_type, field_values=None, status=None, summary="", due_date=None, actor=None):
    """Create a case in its type's initial status (or the given one) and record the 'created' event."""
    if status is None:
        status = case_type.statuses.filter(is_initial=True).first() or case_type.statuses.first()
        if status is None:
            raise ValidationError({"status": f"{case_type.name} has no statuses yet: add one first"})
    _check_status(case_type, status)
    cleaned, errors = clean_field_values(case_type.fields.all(), field_values or {})
    if errors:
        raise ValidationError({"field_values": [ValidationError(f"{k}: {v}", code=k) for k, v in errors.items()]})
    case = Case.objects.create(
        reference=_next_reference(case_type),
        case_type=case_type,
        status=status,
        summary=summary,
        field_values=cleaned,
        due_date=due_date,
        closed_at=timezone.now() if status.is_closed else None,
    )
    record_event(case=case, kind=EventKind.CREATED, actor=actor)
    return case


def _merge_field_values(case, new_values):
    """The case's values with `new_values` applied (an empty value removes the field)."""
    cleaned, errors = clean_field_values(case.case_type.fields.all(), new_values, partial=True)
    if errors:
        raise ValidationError({"field_values": [ValidationError(f"{k}: {v}", code=k) for k, v in errors.items()]})
    merged = dict(case.field_values)
    for key in new_values:
        if key in cleaned:
            merged[key] = cleaned[key]
        else:
            merged.pop(key, None)
    return merged


@transaction.atomic
def case_update(*, case, actor=None, status=None, field_values=None, by_rule="", **changes):
    """Change a case's status, summary, due date and/or field values (a partial update of values).

    Records 'updated' once, plus 'status_changed' and one 'field_changed' per field that changed (`by_rule`: the
    rule that made the change, as their author). Returns the case; a call that changes nothing records nothing.
    """
    unknown = set(changes) - {"summary", "due_date"}
    if unknown:
        raise TypeError(f"case_update() got unexpected changes: {', '.join(sorted(unknown))}")
    case = Case.objects.select_for_update().select_related("status", "case_type").get(pk=case.pk)
    old_status, old_values = case.status, dict(case.field_values)
    other = {name: (getattr(case, name), value) for name, value in changes.items() if getattr(case, name) != value}
    other_changed = bool(other)

    if status is not None:
        _check_status(case.case_type, status)
        case.status = status
    if field_values is not None:
        case.field_values = _merge_field_values(case, field_values)
    for name, value in changes.items():
        setattr(case, name, value)

    status_changed = case.status_id != old_status.pk
    changed_fields = sorted(
        key for key in old_values.keys() | case.field_values.keys() if old_values.get(key) != case.field_values.get(key)
    )
    if not (status_changed or changed_fields or other_changed):
        return case
    if status_changed and case.status.is_closed != old_status.is_closed:
        case.closed_at = timezone.now() if case.status.is_closed else None
    case.save()
    _record_update_events(case, actor, old_status if status_changed else None, old_values, changed_fields, other,
                          by_rule)
    return case


def _record_update_events(case, actor, old_status, old_values, changed_fields, other, by_rule=""):
    """One 'updated' event for the save (with the summary and due date changes it made), then the events that
    rules fire on. The case's history shows them as one line (cases.selectors.case_history)."""
    record_event(case=case, kind=EventKind.UPDATED, actor=actor, rule_name=by_rule, data={
        "changed": {name: [_plain(old), _plain(new)] for name, (old, new) in other.items()}} if other else None)
    if old_status is not None:
        record_event(
            case=case,
            kind=EventKind.STATUS_CHANGED,
            data={"from": old_status.name, "to": case.status.name},
            actor=actor,
            rule_name=by_rule,
        )
    for key in changed_fields:
        record_event(
            case=case,
            kind=EventKind.FIELD_CHANGED,
            data={"key": key, "old": old_values.get(key), "new": case.field_values.get(key)},
            actor=actor,
            rule_name=by_rule,
        )


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def case_link_person(*, case, person, role, actor=None):
    link, created = CasePerson.objects.get_or_create(case=case, person=person, role=role.strip())
    if created:
        case_touch(case=case, actor=actor)
    return link


@transaction.atomic
def case_link_address(*, case, address, role, actor=None):
    link, created = CaseAddress.objects.get_or_create(case=case, address=address, role=role.strip())
    if created:
        case_touch(case=case, actor=actor)
    return link


@transaction.atomic
def case_unlink(*, link, actor=None):
    """Remove a CasePerson or CaseAddress link (the person or address itself stays)."""
    case = link.case
    link.delete()
    case_touch(case=case, actor=actor)


def case_touch(*, case, actor=None):
    """Mark the case updated (a linked person or address changed) and record 'updated'."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now())
    record_event(case=case, kind=EventKind.UPDATED, actor=actor)


def person_link_address(*, person, address, role="Correspondence"):
    link, _ = PersonAddress.objects.get_or_create(person=person, address=address, role=role.strip())
    return link


@transaction.atomic
def person_save(*, person, actor=None):
    """Save a person (new or changed); the cases they are linked to count as updated. A changed email address or
    phone number is no longer marked as not working."""
    person.full_clean()
    if person.pk:
        before = Person.objects.filter(pk=person.pk).values("email", "phone").first() or {}
        for kind in ("email", "phone"):
            if before.get(kind) != getattr(person, kind):
                setattr(person, f"{kind}_failed_at", None)
                setattr(person, f"{kind}_failed_reason", "")
    person.save()
    for case in Case.objects.filter(person_links__person=person).distinct():
        case_touch(case=case, actor=actor)
    return person


@transaction.atomic
def address_save(*, address, actor=None):
    """Save an address (new or changed); the cases it is linked to count as updated."""
    address.full_clean()
    address.save()
    for case in Case.objects.filter(address_links__address=address).distinct():
        case_touch(case=case, actor=actor)
    return address


def status_for(case_type, name):
    """The status of the type with that name, or a ValidationError naming the valid ones."""
    try:
        return case_type.statuses.get(name=name)
    except Status.DoesNotExist:
        names = ", ".join(case_type.statuses.values_list("name", flat=True))
        raise ValidationError({"status": f"'{name}' is not a status of {case_type.name}. Use one of: {names}"}) from None



def person_contact_failed(*, case_id, channel, recipient, at, reason):
    """Mark the email address or phone number of the case's people that Notify permanently failed to reach as not
    working (with when and why). Returns the people marked."""
    kind = "email" if channel == "email" else "phone"
    people = Person.objects.filter(case_links__case_id=case_id).distinct()
    marked = []
    for person in people:
        if _same_contact(kind, getattr(person, kind), recipient):
            setattr(person, f"{kind}_failed_at", at)
            setattr(person, f"{kind}_failed_reason", reason[:300])
            person.save(update_fields=[f"{kind}_failed_at", f"{kind}_failed_reason", "updated_at"])
            marked.append(person)
    return marked


def _same_contact(kind, stored, recipient):
    if not stored or not recipient:
        return False
    if kind == "email":
        return stored.strip().lower() == recipient.strip().lower()
    digits = "".join(ch for ch in stored if ch.isdigit())
    other = "".join(ch for ch in recipient if ch.isdigit())
    return digits[-10:] == other[-10:] and len(other) >= 10


CONSENT_WORDS = {"email": "email", "sms": "text message", "letter": "letter"}


@transaction.atomic
def case_set_consent(*, case, role, channel, value, actor=None, by_rule=""):
    """Give or withdraw the consent, for a channel, of the case's people linked with a role. Records the change
    on the case (one 'updated' event). Returns the people changed."""
    field = f"consent_{channel}"
    changed = []
    for person in Person.objects.filter(case_links__case=case, case_links__role__iexact=role).distinct():
        if getattr(person, field) != value:
            setattr(person, field, value)
            person.save(update_fields=[field, "updated_at"])
            changed.append(person)
    if changed:
        label = f"{role} agrees to contact by {CONSENT_WORDS[channel]}"
        record_event(case=case, kind=EventKind.UPDATED, actor=actor, rule_name=by_rule,
                     data={"changed": {label: [not value, value]}})
    return changed
