"""Checking a mapping template before it is saved: sources that exist, a recipient of the right kind,
manual text that parses, and every placeholder of the Notify template mapped (the drift check). Pure."""

from .sources import CASE_DATES
from .textsyntax import TextSyntaxError, parse

MAX_MANUAL_TEXT = 2_000  # longer than any placeholder of a message needs; Notify caps a text message at 918


def check_source(source, kinds, document_types=None):
    """Problems with one placeholder's source for a case type (kinds: field key -> kind; document_types: the case
    type's, when known)."""
    kind = source.get("source")
    if kind == "document" and document_types is not None and source.get("type") not in document_types:
        return [f"'{source.get('type')}' is not a document type of this case type"]
    if kind == "field" and source.get("key") not in kinds:
        return [f"'{source.get('key')}' is not a field of this case type"]
    if kind == "date" and source.get("date") not in CASE_DATES and kinds.get(source.get("date")) != "date":
        return [f"'{source.get('date')}' is not a case date or a date field"]
    if kind == "text":
        if len(source.get("text") or "") > MAX_MANUAL_TEXT:
            return [f"Enter at most {MAX_MANUAL_TEXT:,} characters of text"]
        try:
            inner = parse(source.get("text") or "")
        except TextSyntaxError as error:
            return [str(error)]
        return [problem for placeholder in inner for problem in check_source(placeholder.source, kinds)]
    return []


def check_recipient(channel, recipient, kinds):
    """Problems with who receives the message: a field must be of the channel's kind."""
    if channel == "letter":
        return [] if recipient.get("address", {}).get("role") else ["Choose the address the letter goes to"]
    if recipient.get("source") == "field":
        wanted = "email" if channel == "email" else "phone"
        actual = kinds.get(recipient.get("key"))
        if actual != wanted:
            return [f"A {'email' if channel == 'email' else 'text message'} needs a{'n' if wanted == 'email' else ''} "
                    f"{wanted} field, and '{recipient.get('key')}' is {'not a field' if actual is None else 'a ' + actual + ' field'}"]
    if recipient.get("source") == "text" and not (recipient.get("text") or "").strip():
        return ["Enter the fixed email address"]
    return []


def drift(template_placeholders, mapped):
    """(placeholders of the template with no mapping, mappings for placeholders the template no longer has)."""
    wanted = {p.lower().replace(" ", ""): p for p in template_placeholders}
    have = {m.lower().replace(" ", ""): m for m in mapped}
    return ([wanted[k] for k in wanted if k not in have], [have[k] for k in have if k not in wanted])
