"""The placeholder syntax of manual text: "Your application {{case.reference}} for {{address.Property.line_1}}".

A placeholder is `{{namespace.part[.part]}}`, with an optional `|format` for dates:
- {{case.reference}}, {{case.status}}, {{case.type}}
- {{field.<key>}}                         a case field, formatted by its kind
- {{date.<created|updated|closed|due>}} or {{date.<field key>}}, e.g. {{date.due|short}}
- {{person.<role>.<detail>}}              e.g. {{person.Applicant.first_name}}
- {{address.<role>.<detail>}}             a case address, e.g. {{address.Property.postcode}}
Roles may contain spaces. Parsing is pure and gives every syntax problem with its position.
"""

import re
from dataclasses import dataclass

from .sources import ADDRESS_DETAILS, CASE_DETAILS, DATE_STYLES, PERSON_DETAILS

TOKEN = re.compile(r"\{\{(.*?)\}\}")


@dataclass(frozen=True)
class Placeholder:
    text: str  # as written, braces included
    source: dict  # the same shape as a placeholder mapping's source


class TextSyntaxError(ValueError):
    pass


def _source_for(inner):
    path, _, style = inner.partition("|")
    parts = [p.strip() for p in path.split(".")]
    namespace, rest = parts[0], parts[1:]
    if namespace == "case" and len(rest) == 1 and rest[0] in CASE_DETAILS:
        return {"source": "case", "detail": rest[0]}
    if namespace == "field" and len(rest) == 1 and rest[0]:
        return {"source": "field", "key": rest[0]}
    if namespace == "date" and len(rest) == 1 and rest[0]:
        style = style.strip() or "long"
        if style not in DATE_STYLES:
            raise TextSyntaxError(f"'{style}' is not a date format: use one of {', '.join(DATE_STYLES)}")
        return {"source": "date", "date": rest[0], "format": style}
    if namespace == "person" and len(rest) == 2 and rest[1] in PERSON_DETAILS and rest[0]:
        return {"source": "person", "role": rest[0], "detail": rest[1]}
    if namespace == "address" and len(rest) == 2 and rest[1] in ADDRESS_DETAILS and rest[0]:
        return {"source": "address", "of": "case", "role": rest[0], "detail": rest[1]}
    raise TextSyntaxError(
        f"'{{{{{inner}}}}}' is not a placeholder this text understands. Use for example {{{{case.reference}}}}, "
        "{{field.fee}}, {{date.due}}, {{person.Applicant.first_name}} or {{address.Property.postcode}}"
    )


def parse(text):
    """The placeholders in the text, in order. Raises TextSyntaxError on the first problem."""
    if not isinstance(text, str):
        raise TextSyntaxError("Enter the text as words")
    found = []
    for match in TOKEN.finditer(text):
        found.append(Placeholder(text=match.group(0), source=_source_for(match.group(1).strip())))
    leftover = TOKEN.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        raise TextSyntaxError("A placeholder is not closed: every {{ needs a matching }}")
    return found


def render(text, value_of):
    """Replace each placeholder with value_of(source), in one pass over the text; returns (text, problems).

    One pass: a value that itself looks like a placeholder (a person named "{{case.reference}}") is never filled
    in, because substituted text is never read again.
    """
    try:
        placeholders = parse(text)
    except TextSyntaxError as error:
        return None, [str(error)]
    values, problems = [], []
    for placeholder in placeholders:
        value, problem = value_of(placeholder.source)
        if problem:
            problems.append(problem)
        values.append(value)
    if problems:
        return None, problems
    filled = iter(values)
    return TOKEN.sub(lambda match: next(filled), text), []
