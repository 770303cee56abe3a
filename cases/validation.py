"""Checking and normalising case data: field values by their kind, phone numbers and postcodes.

Pure functions: they take data and return data (or raise ValidationError with a message a person can act on).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ValidationError
from email_validator import EmailNotValidError, validate_email

from .models import FieldKind

TRUE_WORDS = {"true", "yes", "y", "1", "on"}
FALSE_WORDS = {"false", "no", "n", "0", "off"}
# The shape of a UK postcode (outward code, space optional, inward code), including GIR 0AA.
UK_POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})$", re.IGNORECASE)


UK_NAMES = {"", "united kingdom", "uk", "england", "scotland", "wales", "northern ireland", "great britain"}


def is_uk(country):
    """Whether an address's country is the UK (an empty country counts as the UK)."""
    return (country or "").strip().lower() in UK_NAMES


def normalise_email(value):
    try:
        return validate_email(str(value).strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError("Enter an email address in the correct format, like name@example.com") from None


def normalise_phone(value):
    """Return the number in international format (UK numbers may be given without +44)."""
    text = str(value).strip()
    if re.search(r"[A-Za-z]", text):
        raise ValidationError("Enter a phone number using only digits, spaces, brackets, + and -")
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError("Enter a phone number, like 07700 900 982 or +44 808 157 0192") from None
    if not _plausible(number):
        raise ValidationError("Enter a real phone number, like 07700 900 982 or +44 808 157 0192")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _plausible(number):
    """Whether a parsed number could be real. UK numbers need 9 or 10 digits after the 0 or +44.

    phonenumbers' stricter is_valid_number would refuse Ofcom's drama numbers (07700 900xxx), which
    Notify documents for testing, so UK numbers are checked by length only.
    """
    if number.country_code == 44:
        return len(str(number.national_number)) in (9, 10)
    return phonenumbers.is_valid_number(number)


def normalise_postcode(value):
    """Return a UK postcode in capitals with one space before the last three characters."""
    text = re.sub(r"\s+", "", str(value)).upper()
    if not UK_POSTCODE.match(text):
        raise ValidationError("Enter a real postcode, like SW1A 2AA")
    return f"{text[:-3]} {text[-3:]}"


def _number(value):
    if isinstance(value, bool):
        raise ValidationError("Enter a number")
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError("Enter a number, like 12 or 12.5") from None
    if not number.is_finite():
        raise ValidationError("Enter a number, like 12 or 12.5")
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise ValidationError("Enter a real date in the format YYYY-MM-DD, like 2026-03-27") from None


def _boolean(value):
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError("Select yes or no")


def _choice(definition, value):
    if str(value) not in definition.choices:
        raise ValidationError(f"Select one of: {', '.join(definition.choices)}")
    return str(value)


def _text(value):
    if not isinstance(value, str | int | float):
        raise ValidationError("Enter text")
    if "\x00" in str(value):
        raise ValidationError("Remove the null character (\\x00) from the text")
    return str(value).strip()


CLEANERS = {
    FieldKind.TEXT: lambda definition, value: _text(value),
    FieldKind.NUMBER: lambda definition, value: _number(value),
    FieldKind.DATE: lambda definition, value: _date(value),
    FieldKind.BOOLEAN: lambda definition, value: _boolean(value),
    FieldKind.EMAIL: lambda definition, value: normalise_email(value),
    FieldKind.PHONE: lambda definition, value: normalise_phone(value),
    FieldKind.CHOICE: _choice,
}


def clean_field_value(definition, value):
    """Normalise one value for its field definition; None or "" means no value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if definition.required:
            raise ValidationError(f"Enter {definition.label.lower()}")
        return None
    return CLEANERS[definition.kind](definition, value)


def clean_field_values(definitions, values, *, partial=False):
    """Check a mapping of field key to value against the case type's definitions.

    Returns (cleaned, errors): cleaned holds the normalised values of every known field (None left out),
    errors maps a field key to its message. Unknown keys are errors. With partial=True, fields missing
    from `values` are not checked (for updates that change a few fields).
    """
    if not isinstance(values, dict):
        return {}, {"field_values": "Give the field values as an object of field key to value"}
    by_key = {d.key: d for d in definitions}
    cleaned, errors = {}, {}
    for key in values:
        if key not in by_key:
            errors[key] = f"'{key}' is not a field of this case type"
    for key, definition in by_key.items():
        if partial and key not in values:
            continue
        try:
            value = clean_field_value(definition, values.get(key))
        except ValidationError as error:
            errors[key] = error.messages[0]
            continue
        if value is not None:
            cleaned[key] = value
    return cleaned, errors
