"""Rule conditions: does a case match? Pure functions over the case snapshot (mappings.sources).

A condition:
    {"subject": {"source": "field", "key": "fee"}            a case field (raw value)
              | {"source": "case", "detail": "status"}        status, reference or type
              | {"source": "date", "date": "due"}             a case date or a date field
              | {"source": "person", "role": "Applicant", "detail": "consent_email"}
              | {"source": "address", "role": "Property", "detail": "postcode"},
     "operator": one of OPERATORS,
     "value": the operand (text, number, a date "2026-03-01", or relative "today", "today+7", "today-14")}
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from cases.formatting import as_date
from mappings.sources import find_address, find_person, text_of

OPERATORS = {
    "equals": "equals",
    "not_equals": "does not equal",
    "is_empty": "is empty",
    "is_not_empty": "is not empty",
    "contains": "contains",
    "greater_than": "is greater than",
    "less_than": "is less than",
    "before": "is before",
    "after": "is after",
    "is_true": "is yes",
    "is_false": "is no",
}
UNARY = {"is_empty", "is_not_empty", "is_true", "is_false"}
# Which operators fit which kind of value.
OPERATORS_BY_KIND = {
    "text": {"equals", "not_equals", "is_empty", "is_not_empty", "contains"},
    "email": {"equals", "not_equals", "is_empty", "is_not_empty", "contains"},
    "phone": {"equals", "not_equals", "is_empty", "is_not_empty", "contains"},
    "choice": {"equals", "not_equals", "is_empty", "is_not_empty"},
    "number": {"equals", "not_equals", "is_empty", "is_not_empty", "greater_than", "less_than"},
    "date": {"equals", "not_equals", "is_empty", "is_not_empty", "before", "after"},
    "boolean": {"is_true", "is_false", "is_empty", "is_not_empty"},
}
PERSON_KINDS = {"consent_email": "boolean", "consent_sms": "boolean", "consent_letter": "boolean",
                "date_of_birth": "date", "email": "email", "phone": "phone"}
RELATIVE = re.compile(r"^today\s*(?:([+-])\s*(\d{1,4}))?$", re.IGNORECASE)


def subject_kind(subject, kinds):
    """The kind of value a subject gives (text, number, date, boolean...), or None if it names nothing."""
    source = subject.get("source") if isinstance(subject, dict) else None
    if source == "field":
        return (kinds or {}).get(subject.get("key"))
    if source == "date":
        name = subject.get("date")
        return "date" if name in ("created", "updated", "closed", "due") or (kinds or {}).get(name) == "date" else None
    if source == "case":
        return "choice" if subject.get("detail") == "status" else "text"
    if source == "person":
        return PERSON_KINDS.get(subject.get("detail"), "text")
    if source == "address":
        return "text"
    return None


MAX_VALUE_LENGTH = 500  # a condition's value is a word or a phrase, never a document
MAX_CONDITIONS = 50


def check_condition(condition, kinds):
    """Problems with a condition for a case type's field kinds (for the rule form and API): a list of text."""
    kind = subject_kind(condition.get("subject"), kinds)
    operator = condition.get("operator")
    if kind is None:
        return ["Choose something of the case to check: a field, a date, the status, a person or an address"]
    if operator not in OPERATORS:
        return [f"'{operator}' is not an operator"]
    if operator not in OPERATORS_BY_KIND[kind]:
        allowed = ", ".join(OPERATORS[o] for o in sorted(OPERATORS_BY_KIND[kind]))
        return [f"'{OPERATORS[operator]}' does not fit a {kind} value: use {allowed}"]
    if operator in UNARY:
        return []
    value = condition.get("value")
    if len(str(value or "")) > MAX_VALUE_LENGTH:
        return [f"Enter a value of at most {MAX_VALUE_LENGTH} characters"]
    if operator in ("greater_than", "less_than") and _number(value) is None:
        return ["Enter a number to compare with"]
    if kind == "date" and _date_operand(value, datetime.date.today()) is None:
        return ["Enter a date like 2026-03-01, or today, today+7 or today-14"]
    return []


def _number(value):
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _date_operand(value, today):
    match = RELATIVE.match(text_of(value))
    if match:
        sign, days = match.groups()
        offset = int(days or 0) * (-1 if sign == "-" else 1)
        return today + datetime.timedelta(days=offset)
    return as_date(text_of(value)) if value else None


def subject_value(case, subject):
    """The raw value of a subject in the case snapshot (None when absent)."""
    source = subject.get("source")
    if source == "field":
        return (case.get("fields") or {}).get(subject.get("key"))
    if source == "date":
        name = subject.get("date")
        if name in ("created", "updated", "closed", "due"):
            return (case.get("dates") or {}).get(name)
        return (case.get("fields") or {}).get(name)
    if source == "case":
        return case.get(subject.get("detail"))
    if source == "person":
        person = find_person(case, subject.get("role"))
        return person.get(subject.get("detail")) if person else None
    if source == "address":
        address, _ = find_address(case, subject)
        return address.get(subject.get("detail")) if address else None
    return None


def _empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value == [] or value == {}


def _compare(operator, value, operand, kind, today):
    if operator in ("greater_than", "less_than"):
        left, right = _number(value), _number(operand)
        if left is None or right is None:
            return False
        return left > right if operator == "greater_than" else left < right
    if kind == "date" or operator in ("before", "after"):
        left, right = as_date(value), _date_operand(operand, today)
        if left is None or right is None:
            return False
        return {"before": left < right, "after": left > right, "equals": left == right,
                "not_equals": left != right}.get(operator, False)
    left, right = text_of(value).lower(), text_of(operand).lower()
    if kind == "number" and _number(value) is not None and _number(operand) is not None:
        left, right = _number(value), _number(operand)
    if operator == "equals":
        return left == right
    if operator == "not_equals":
        return left != right
    if operator == "contains":
        return right in left
    return False


def matches(condition, case, *, kinds=None, today=None):
    """Whether one condition holds for the case snapshot. Unknown subjects or operators never match."""
    today = today or datetime.date.today()
    subject = condition.get("subject") if isinstance(condition, dict) else None
    if not isinstance(subject, dict):
        return False
    operator = condition.get("operator")
    value = subject_value(case, subject)
    if operator == "is_empty":
        return _empty(value)
    if operator == "is_not_empty":
        return not _empty(value)
    if operator == "is_true":
        return value is True
    if operator == "is_false":
        return value is False or value is None
    kind = subject_kind(subject, kinds if kinds is not None else case.get("kinds"))
    if _empty(value):
        return operator == "not_equals" and not _empty(condition.get("value"))
    return _compare(operator, value, condition.get("value"), kind, today)


def all_match(conditions, case, *, mode="all", today=None):
    """Whether the case meets the conditions: every one ("all") or at least one ("any"). None means yes."""
    if not conditions:
        return True
    results = (matches(c, case, today=today) for c in conditions)
    return any(results) if mode == "any" else all(results)


__all__ = ["OPERATORS", "all_match", "check_condition", "matches", "subject_kind"]
