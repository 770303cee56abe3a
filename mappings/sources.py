"""Reading one value out of a case snapshot for a source. Pure: data in, (value, problem) out.

A case snapshot is plain data (see mappings.snapshot.snapshots):
    {"reference", "status", "type",
     "fields": {key: value}, "kinds": {key: kind}, "labels": {key: label},
     "dates": {"created", "updated", "closed", "due"},
     "people": [{"role", "title", "first_name", "last_name", "email", "phone", "date_of_birth",
                 "consent_email", "consent_sms", "consent_letter", "addresses": [address...]}],
     "addresses": [{"role", "line_1", "line_2", "line_3", "line_4", "town", "county", "postcode", "country"}],
     "documents": {document type: {"id", "version", "filename", "kind", "size", "sha256", "file", "pages",
                                   "letter_problems"}}}
A source is a dict, e.g. {"source": "person", "role": "Applicant", "detail": "first_name"}.
"""

from cases.formatting import DATE_FORMATS, format_date, format_value

CASE_DETAILS = ("reference", "status", "type")
CASE_DATES = ("created", "updated", "closed", "due")
DATE_STYLES = tuple(DATE_FORMATS)
PERSON_DETAILS = ("title", "first_name", "last_name", "full_name", "email", "phone", "date_of_birth")
ADDRESS_LINES = ("line_1", "line_2", "line_3", "line_4", "town", "county", "postcode", "country")
ADDRESS_DETAILS = (*ADDRESS_LINES, "single_line")
SOURCE_KINDS = ("field", "date", "person", "address", "case", "text", "document")
# What Notify takes as a file sent by email (notifications-utils file_types, document-download's size limit).
NOTIFY_FILE_MAX_BYTES = 2 * 1024 * 1024
NOTIFY_FILE_EXTENSIONS = ("csv", "doc", "docx", "jpeg", "jpg", "json", "odt", "pdf", "png", "rtf", "txt", "xlsx")
NOTIFY_FILENAME_MAX = 100
UK_NAMES = {"", "united kingdom", "uk", "england", "scotland", "wales", "northern ireland", "great britain"}


def text_of(value):
    """A value as stripped text (None gives \"\")."""
    return "" if value is None else str(value).strip()


def full_name(person):
    return " ".join(p for p in (text_of(person.get("title")), text_of(person.get("first_name")),
                                text_of(person.get("last_name"))) if p)


def address_lines(address):
    """An address as non-empty lines, postcode last; the country only when it is not the UK."""
    lines = [text_of(address.get(name)) for name in ("line_1", "line_2", "line_3", "line_4", "town", "county")]
    country = text_of(address.get("country"))
    tail = [text_of(address.get("postcode"))]
    if country.lower() not in UK_NAMES:
        tail.append(country)
    return [line for line in lines + tail if line]


def records(container, key):
    """The dicts in container[key] (a list), ignoring anything malformed."""
    value = container.get(key) if isinstance(container, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def find_person(case, role):
    for person in records(case, "people"):
        if text_of(person.get("role")).lower() == text_of(role).lower():
            return person
    return None


def find_address(case, source):
    """The address a source names: of the case by role, or of a linked person ("person:<person role>")."""
    owner = source.get("of") or "case"
    role = source.get("role")
    if owner == "case":
        pool, whose = records(case, "addresses"), "The case"
    else:
        person_role = owner.split(":", 1)[1] if ":" in owner else ""
        person = find_person(case, person_role)
        if person is None:
            return None, f"The case has no linked {person_role or 'person'}"
        pool, whose = records(person, "addresses"), person_role
    for address in pool:
        if text_of(address.get("role")).lower() == text_of(role).lower():
            return address, None
    return None, f"{whose} has no {role} address"


def _field(case, source):
    key = source.get("key")
    if key not in (case.get("kinds") or {}):
        return None, f"'{key}' is not a field of this case type"
    value = format_value((case.get("fields") or {}).get(key), case["kinds"][key])
    if value is None:
        label = (case.get("labels") or {}).get(key, key)
        return None, f"Field '{label}' is empty"
    return value, None


def _date(case, source):
    name, style = source.get("date"), source.get("format") or "long"
    if name in CASE_DATES:
        value = (case.get("dates") or {}).get(name)
        label = f"The case's {name} date"
    elif (case.get("kinds") or {}).get(name) == "date":
        value = (case.get("fields") or {}).get(name)
        label = f"Field '{(case.get('labels') or {}).get(name, name)}'"
    else:
        return None, f"'{name}' is not a case date or a date field"
    text = format_date(value, style) if value else None
    return (text, None) if text else (None, f"{label} is empty")


def _person(case, source):
    role, detail = source.get("role"), source.get("detail")
    person = find_person(case, role)
    if person is None:
        return None, f"The case has no linked {role}"
    if detail == "full_name":
        value = full_name(person)
    elif detail == "date_of_birth":
        value = format_date(person.get("date_of_birth"), source.get("format") or "long")
    elif detail in PERSON_DETAILS:
        value = text_of(person.get(detail))
    else:
        return None, f"'{detail}' is not a person detail"
    return (value, None) if value else (None, f"{role} has no {detail.replace('_', ' ')}")


def _address(case, source):
    address, problem = find_address(case, source)
    if problem:
        return None, problem
    detail = source.get("detail")
    if detail == "single_line":
        value = ", ".join(address_lines(address))
    elif detail in ADDRESS_LINES:
        value = text_of(address.get(detail))
    else:
        return None, f"'{detail}' is not an address detail"
    return (value, None) if value else (None, f"The {source.get('role')} address has no {detail.replace('_', ' ')}")


def _case(case, source):
    detail = source.get("detail")
    if detail not in CASE_DETAILS:
        return None, f"'{detail}' is not a case detail"
    value = text_of(case.get(detail))
    return (value, None) if value else (None, f"The case has no {detail}")


def _manual_text(case, source):
    from .textsyntax import render

    text, problems = render(source.get("text") or "", lambda inner: value_of(case, inner))
    if problems:
        return None, "; ".join(problems)
    return text, None


def _entered(case, source):
    """Text the caseworker types when sending from the case (a reply): in the snapshot as "entered"."""
    text = case.get("entered")
    if text is None:
        return None, "This placeholder is typed by the caseworker when sending from the case; a rule cannot fill it"
    if not str(text).strip():
        return None, "Type the message to send"
    return str(text), None


def latest_document(case, document_type):
    """The case's latest document of the type (plain data from the snapshot), or a problem."""
    document = (case.get("documents") or {}).get(document_type)
    if not document:
        return None, f"The case has no document of type “{document_type}”"
    return document, None


def document_reference(document):
    """What a log entry keeps of a document to send: enough to find the file and prove it is the same one."""
    return {name: document[name] for name in ("id", "version", "filename", "kind", "size", "sha256", "file")}


def _document(case, source):
    """A case document sent by email: a reference the sender turns into Notify's file upload, after checking the
    file against Notify's limits (here, so that a file Notify would refuse fails at once, in words, not retried)."""
    document, problem = latest_document(case, source.get("type"))
    if problem:
        return None, problem
    named = f"The {document['document_type']} “{document['filename']}”"
    if document["size"] > NOTIFY_FILE_MAX_BYTES:
        return None, (f"{named} is {document['size'] / (1024 * 1024):.1f} MB: Notify sends files of up to 2 MB "
                      "by email")
    if document["kind"] not in NOTIFY_FILE_EXTENSIONS:
        return None, f"{named} is a .{document['kind']} file, which Notify does not send by email"
    if len(document["filename"]) > NOTIFY_FILENAME_MAX:
        return None, f"{named} has a name longer than Notify's {NOTIFY_FILENAME_MAX} characters"
    return {"document": document_reference(document)}, None


READERS = {"field": _field, "date": _date, "person": _person, "address": _address, "case": _case,
           "text": _manual_text, "entered": _entered, "document": _document}


def value_of(case, source):
    """The text a source gives for the case, or a problem saying why there is none. Never raises."""
    if not isinstance(source, dict):
        return None, "The mapping has no source"
    reader = READERS.get(source.get("source"))
    if reader is None:
        return None, f"'{source.get('source')}' is not a kind of source"
    try:
        return reader(case, source)
    except (AttributeError, TypeError, KeyError, ValueError) as error:
        # Malformed snapshot data: a problem to log, not a crash in the sender.
        return None, f"The case data could not be read ({type(error).__name__})"
