"""How case values read on a page and in a message: dates, numbers, booleans. Pure functions."""

import datetime

DATE_FORMATS = {
    "long": "3 January 2026",
    "short": "03/01/2026",
    "weekday": "Saturday 3 January 2026",
    "iso": "2026-01-03",
}


def as_date(value):
    """A date from a date, a datetime or an ISO string; None when it is none of those."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def format_date(value, style="long"):
    day = as_date(value)
    if day is None:
        return None
    if style == "short":
        return day.strftime("%d/%m/%Y")
    if style == "iso":
        return day.isoformat()
    text = f"{day.day} {day.strftime('%B %Y')}"
    return f"{day.strftime('%A')} {text}" if style == "weekday" else text


def format_number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else str(value)
    return f"{int(value):,}"


def format_value(value, kind):
    """A case field's value as people read it, by the field's kind. None or "" stays None."""
    if value is None or value == "":
        return None
    if kind == "date":
        return format_date(value) or str(value)
    if kind == "boolean" or isinstance(value, bool):
        return "Yes" if value else "No"
    if kind == "number":
        return format_number(value)
    return str(value)
