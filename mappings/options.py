"""The choices a mapping template offers for a case type: every source as a short code and back.

Codes: "case:reference", "field:fee", "date:due:long", "person:Applicant:first_name",
"address:case:Property:postcode", "address:person:Applicant:Correspondence:single_line", "text".
Pure functions over a case type's field definitions and roles.
"""

from .sources import ADDRESS_DETAILS, CASE_DATES, CASE_DETAILS, PERSON_DETAILS

LABELS = {"first_name": "first name", "last_name": "last name", "full_name": "full name", "date_of_birth": "date of birth",
          "single_line": "whole address on one line", "line_1": "address line 1", "line_2": "address line 2",
          "line_3": "address line 3", "line_4": "address line 4", "type": "case type"}
TEXT = "text"
ENTERED = "entered"


def _case_label(detail):
    """ "Case reference", "Case status", and "Type of case" (not "Case case type")."""
    return "Type of case" if detail == "type" else f"Case {_label(detail)}"


def _label(name):
    return LABELS.get(name, name.replace("_", " "))


def source_options(*, fields, person_roles, address_roles, document_types=()):
    """[(group, [(code, label)])] for a placeholder's source select (case documents: for an email's files)."""
    groups = [("The case", [(f"case:{d}", _case_label(d)) for d in CASE_DETAILS])]
    groups.append(("Case fields", [(f"field:{f.key}", f"{f.label}") for f in fields]))
    dates = [(f"date:{d}:long", f"Date {d}") for d in CASE_DATES]
    dates += [(f"date:{f.key}:long", f"{f.label}") for f in fields if f.kind == "date"]
    groups.append(("Dates (like 3 January 2026)", dates))
    for role in person_roles:
        groups.append((f"{role}", [(f"person:{role}:{d}", f"{role}'s {_label(d)}") for d in PERSON_DETAILS]))
    for role in address_roles:
        groups.append((f"{role} address", [(f"address:case:{role}:{d}", f"{role} {_label(d)}") for d in ADDRESS_DETAILS]))
    for role in person_roles:
        groups.append((f"{role}'s correspondence address", [
            (f"address:person:{role}:Correspondence:{d}", f"{role}'s correspondence {_label(d)}") for d in ADDRESS_DETAILS]))
    if document_types:
        groups.append(("Case documents (sent as a file to download)", [
            (f"document:{t}", f"The case's latest {t}") for t in document_types]))
    groups.append(("Other", [(TEXT, "Manual text (with placeholders like {{case.reference}})"),
                             (ENTERED, "Typed by the caseworker when sending (a reply from the case)")]))
    return groups


def recipient_options(channel, *, fields, person_roles, address_roles):
    """[(code, label)] for who receives a message of the channel."""
    if channel == "email":
        return ([(f"person:{r}", f"{r}'s email address") for r in person_roles]
                + [(f"field:{f.key}", f"{f.label} (field)") for f in fields if f.kind == "email"]
                + [(TEXT, "A fixed email address")])
    if channel == "sms":
        return ([(f"person:{r}", f"{r}'s phone number") for r in person_roles]
                + [(f"field:{f.key}", f"{f.label} (field)") for f in fields if f.kind == "phone"])
    options = []
    for person in person_roles:
        options += [(f"letter:{person}:case:{a}", f"{person} at the {a} address") for a in address_roles]
        options.append((f"letter:{person}:person:Correspondence", f"{person} at their correspondence address"))
    return options


def source_from_code(code, text=""):
    """A source dict from a code (and the manual text, for "text")."""
    parts = code.split(":")
    kind = parts[0]
    if kind == "case" and len(parts) == 2:
        return {"source": "case", "detail": parts[1]}
    if kind == "field" and len(parts) == 2:
        return {"source": "field", "key": parts[1]}
    if kind == "date" and len(parts) == 3:
        return {"source": "date", "date": parts[1], "format": parts[2]}
    if kind == "person" and len(parts) == 3:
        return {"source": "person", "role": parts[1], "detail": parts[2]}
    if kind == "address" and len(parts) == 4 and parts[1] == "case":
        return {"source": "address", "of": "case", "role": parts[2], "detail": parts[3]}
    if kind == "address" and len(parts) == 5 and parts[1] == "person":
        return {"source": "address", "of": f"person:{parts[2]}", "role": parts[3], "detail": parts[4]}
    if kind == "document" and len(parts) >= 2:
        return {"source": "document", "type": code.split(":", 1)[1]}
    if kind == TEXT:
        return {"source": "text", "text": text}
    if kind == ENTERED:
        return {"source": "entered"}
    raise ValueError(f"'{code}' is not a source")


def code_for(source):
    """The code of a source dict (the inverse of source_from_code); (code, manual text)."""
    kind = source.get("source")
    if kind == "case":
        return f"case:{source['detail']}", ""
    if kind == "field":
        return f"field:{source['key']}", ""
    if kind == "date":
        return f"date:{source['date']}:{source.get('format') or 'long'}", ""
    if kind == "person":
        return f"person:{source['role']}:{source['detail']}", ""
    if kind == "address":
        owner = source.get("of") or "case"
        if owner == "case":
            return f"address:case:{source['role']}:{source['detail']}", ""
        return f"address:person:{owner.split(':', 1)[1]}:{source['role']}:{source['detail']}", ""
    if kind == "entered":
        return ENTERED, ""
    if kind == "document":
        return f"document:{source.get('type')}", ""
    return TEXT, source.get("text", "")


def recipient_from_code(channel, code, text=""):
    parts = code.split(":")
    if channel == "letter" and parts[0] == "letter" and len(parts) == 4:
        owner = "case" if parts[2] == "case" else f"person:{parts[1]}"
        return {"person_role": parts[1], "address": {"of": owner, "role": parts[3]}}
    if parts[0] == "person" and len(parts) == 2:
        return {"source": "person", "role": parts[1]}
    if parts[0] == "field" and len(parts) == 2:
        return {"source": "field", "key": parts[1]}
    if code == TEXT:
        return {"source": "text", "text": text}
    raise ValueError(f"'{code}' is not a recipient")


def recipient_code(recipient):
    if "person_role" in recipient:
        address = recipient.get("address") or {}
        owner = "case" if address.get("of", "case") == "case" else "person"
        return f"letter:{recipient['person_role']}:{owner}:{address.get('role')}", ""
    if recipient.get("source") == "text":
        return TEXT, recipient.get("text", "")
    if recipient.get("source") == "field":
        return f"field:{recipient.get('key')}", ""
    return f"person:{recipient.get('role')}", ""
