"""Resolving a mapping template against a case: a message ready for Notify, or the problems that stop it.

Pure: takes plain data (a mapping spec and a case snapshot) and returns data. It never raises on odd
case data; every gap becomes a problem a person can act on ("Applicant has no email address").

A mapping spec:
    {"channel": "email" | "sms" | "letter" | "precompiled_letter",
     "template_id": str, "template_version": int | None,
     "placeholders": [{"placeholder": name, "source": {...}, "optional": bool, "citizen_text": bool}],
     "recipient": {...},            # email/sms: a source; letter: {"person_role", "address": {"of", "role"}}
     "email_reply_to_id": str | None, "sms_sender_id": str | None,
     "document_type": str, "postage": str,          # a letter from a case document
     "file_options": {"confirm_email_before_download": bool, "retention_period": "N weeks"}}
"""

import re
from dataclasses import dataclass, field

from .sources import (
    UK_NAMES,
    address_lines,
    document_reference,
    find_address,
    find_person,
    full_name,
    latest_document,
    text_of,
    value_of,
)

EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_SHAPE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
LETTER_MIN_LINES, LETTER_MAX_LINES = 3, 7


@dataclass(frozen=True)
class Message:
    channel: str
    template_id: str
    template_version: int | None
    recipient: str
    personalisation: dict
    reference: str
    email_reply_to_id: str | None = None
    sms_sender_id: str | None = None
    sanitise_content_for: tuple = ()
    # A letter from a case document: the document (a reference, never its content) and the postage.
    document: dict | None = None
    postage: str = ""


@dataclass(frozen=True)
class Resolution:
    message: Message | None
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return self.message is not None


def _not_working(person, kind, skip_failed):
    """A problem when the person's email address or phone number is marked not working and the mapping template
    treats such a detail as missing."""
    failed = person.get(f"{kind}_failed_at")
    if skip_failed and failed:
        what = "email address" if kind == "email" else "phone number"
        return f"{person.get('role')}'s {what} is marked as not working (Notify could not deliver to it on " \
               f"{failed:%d %B %Y})"
    return None


def _erased(person):
    """A problem when the person was erased: nothing is sent to them, whatever the rule says."""
    if person.get("erased_at"):
        return f"The {person.get('role')} was erased on {person['erased_at']:%d %B %Y}: nothing is sent to them"
    return None


def _email_recipient(case, source, skip_failed=False):
    if source.get("source") == "person":
        person = find_person(case, source.get("role"))
        if person is None:
            return None, f"The case has no linked {source.get('role')}"
        if _erased(person):
            return None, _erased(person)
        value = text_of(person.get("email"))
        if not value:
            return None, f"{source.get('role')} has no email address"
        problem = _not_working(person, "email", skip_failed)
        if problem:
            return None, problem
    elif source.get("source") == "field" and (case.get("kinds") or {}).get(source.get("key")) != "email":
        return None, f"Field '{source.get('key')}' is not an email address field"
    else:
        value, problem = value_of(case, source)
        if problem:
            return None, problem
    if not EMAIL_SHAPE.match(value):
        return None, f"'{value}' is not an email address"
    return value, None


def _phone_recipient(case, source, skip_failed=False):
    if source.get("source") == "person":
        person = find_person(case, source.get("role"))
        if person is None:
            return None, f"The case has no linked {source.get('role')}"
        if _erased(person):
            return None, _erased(person)
        value = text_of(person.get("phone"))
        if not value:
            return None, f"{source.get('role')} has no phone number"
        problem = _not_working(person, "phone", skip_failed)
        if problem:
            return None, problem
    elif source.get("source") == "field" and (case.get("kinds") or {}).get(source.get("key")) == "phone":
        value, problem = value_of(case, source)
        if problem:
            return None, problem
    else:
        return None, "A text message goes to a linked person's phone or a phone number field"
    if not PHONE_SHAPE.match(value):
        return None, f"'{value}' is not a phone number"
    return value, None


def fit_letter_lines(lines):
    """Fit lines into Notify's 3 to 7 address lines, postcode (or country) kept last.

    Over 7: the lines after the name are joined two at a time from the top until it fits.
    """
    lines = list(lines)
    while len(lines) > LETTER_MAX_LINES:
        lines[1:3] = [f"{lines[1]}, {lines[2]}"]
    return lines


def _letter_address(case, spec):
    """Notify's address_line_1..7 for the letter, or a problem."""
    address_source = spec.get("address") or {}
    address, problem = find_address(case, address_source)
    if problem:
        return None, problem
    lines = address_lines(address)
    if not text_of(address.get("postcode")) and text_of(address.get("country")).lower() in UK_NAMES:
        return None, f"The {address_source.get('role')} address has no postcode"
    role = spec.get("person_role")
    if role:
        person = find_person(case, role)
        if person is None:
            return None, f"The case has no linked {role}"
        if _erased(person):
            return None, _erased(person)
        name = full_name(person)
        if not name:
            return None, f"{role} has no name"
        lines.insert(0, name)
    lines = fit_letter_lines(lines)
    if len(lines) < LETTER_MIN_LINES:
        return None, (
            f"A letter address needs at least {LETTER_MIN_LINES} lines (name, address, postcode); "
            f"the {address_source.get('role')} address gives {len(lines)}"
        )
    return {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}, None


def _recipient(case, spec):
    channel, recipient = spec.get("channel"), spec.get("recipient") or {}
    skip_failed = bool(spec.get("skip_failed_contacts"))
    if channel == "email":
        return _email_recipient(case, recipient, skip_failed)
    if channel == "sms":
        return _phone_recipient(case, recipient, skip_failed)
    if channel == "letter":
        return _letter_address(case, recipient)
    return None, f"'{channel}' is not a channel: use email, sms or letter"


def _personalisation(case, spec):
    values, problems, sanitise = {}, [], []
    for row in spec.get("placeholders") or []:
        name = row.get("placeholder")
        value, problem = value_of(case, row.get("source"))
        if isinstance(value, dict):  # a case document: sent as a file, by email only
            if spec.get("channel") != "email":
                value, problem = None, "A case document can only be sent in an email"
            else:
                value = {**value, **(spec.get("file_options") or {})}
        if problem:
            if row.get("optional"):
                value = ""
            else:
                problems.append(f"(({name})): {problem}")
                continue
        values[name] = value
        if row.get("citizen_text"):
            sanitise.append(name)
    return values, problems, tuple(sanitise)


def _precompiled(spec, case, reference):
    """A letter that is a case document: the latest PDF of the type, checked as Notify will check it (pages and
    size were read when it was added). The address is the one printed in the PDF."""
    document, problem = latest_document(case, spec.get("document_type"))
    if problem:
        return Resolution(message=None, problems=[problem])
    named = f"The {document['document_type']} “{document['filename']}”"
    if document["kind"] != "pdf":
        return Resolution(message=None, problems=[f"{named} is not a PDF: only a PDF can be sent as a letter"])
    if document.get("letter_problems"):
        return Resolution(message=None, problems=[f"{named} cannot be printed by Notify: {problem}"
                                                  for problem in document["letter_problems"]])
    return Resolution(message=Message(
        channel="letter", template_id="", template_version=None, recipient="", personalisation={},
        reference=reference, document=document_reference(document), postage=spec.get("postage") or "second"))


def resolve(spec, case, *, reference):
    """Resolve a mapping spec against a case snapshot. Returns a Resolution (message or problems)."""
    if spec.get("channel") == "precompiled_letter":
        return _precompiled(spec, case, reference)
    recipient, recipient_problem = _recipient(case, spec)
    personalisation, problems, sanitise = _personalisation(case, spec)
    if recipient_problem:
        problems.insert(0, recipient_problem)
    if problems:
        return Resolution(message=None, problems=problems)
    if spec["channel"] == "letter":
        personalisation = {**personalisation, **recipient}
        recipient = ", ".join(recipient.values())
    return Resolution(
        message=Message(
            channel=spec["channel"],
            template_id=str(spec.get("template_id")),
            template_version=spec.get("template_version"),
            recipient=recipient,
            personalisation=personalisation,
            reference=reference,
            email_reply_to_id=spec.get("email_reply_to_id") if spec["channel"] == "email" else None,
            sms_sender_id=spec.get("sms_sender_id") if spec["channel"] == "sms" else None,
            sanitise_content_for=sanitise if spec["channel"] == "email" else (),
        )
    )
