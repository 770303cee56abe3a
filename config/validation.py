"""Request input checked before it reaches the database: ids in range, JSON bodies of a sane size and depth.

A parameter that cannot be what it claims is a 400 (or 413) with a message, never a database error and a 500.
"""

import json

import django_filters
from django import forms
from django.conf import settings
from rest_framework import exceptions, parsers

MAX_ID = 2**63 - 1  # PostgreSQL's bigint


def parse_id(value):
    """An id from a query parameter, or None when it is not a whole number in range."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """An id filter: a whole number from 1 to 2**63 - 1, or a 400 saying so."""

    field_class = IdField


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class LimitedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit (API_MAX_BODY_BYTES, answered 413) and a nesting limit
    (API_MAX_JSON_DEPTH, answered 400), checked before Python's own parser could run out of stack."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit // 1024} KB.")
        if nesting_depth(raw) > getattr(settings, "API_MAX_JSON_DEPTH", 32):
            raise exceptions.ParseError("The JSON is nested too deeply.")
        try:
            return json.loads(raw.decode(parser_context.get("encoding", "utf-8") if parser_context else "utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from None


def nesting_depth(raw):
    """The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest
