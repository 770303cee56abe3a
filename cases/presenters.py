"""How case data reads on a page: field values by kind, for people."""

from .formatting import format_value


def field_rows(case):
    """(label, value as people read it) for every field of the case's type, in order."""
    values = case.field_values
    return [(d.label, format_value(values.get(d.key), d.kind) or "") for d in case.case_type.fields.all()]
