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


PHONE_CHARACTERS = re.compile(r"^[\s()+\-0-9]*$")
# Ofcom's drama numbers (07700 900000 to 900999), which Notify documents for testing; phonenumbers calls them invalid.
DRAMA_NUMBER = re.compile(r"^7700900\d{3}$")
ALLOWED_PHONE_TYPES = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                       phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, phonenumbers.PhoneNumberType.UAN,
                       phonenumbers.PhoneNumberType.PERSONAL_NUMBER}
EXAMPLE_PHONE = "like 07700 900 982 or 020 7946 0000"


def normalise_phone(value):
    """Return the number in international format (UK numbers may be given without +44).

    The checks follow Notify's (notifications-utils' PhoneNumber): only digits, spaces, brackets, + and -; a
    stray leading 0 or + forgiven; the right number of digits for the country; and a number that can exist
    (phonenumbers' is_valid_number, of a type Notify sends to), or one of Ofcom's drama numbers. Notify's own
    drama-number pattern also lets through any number starting 07700 of a possible length; a case record holds
    only numbers that can be real.
    """
    text = str(value).strip()
    if not PHONE_CHARACTERS.match(text):
        raise ValidationError("Enter a phone number using only digits, spaces, brackets, + and -")
    number = _parse_phone(text) or _parse_phone(text.replace("+", "").lstrip("0"))
    if number is None:
        raise ValidationError(f"Enter a phone number, {EXAMPLE_PHONE}")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (phonenumbers.ValidationResult.TOO_SHORT, phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        raise ValidationError(f"The phone number is too short: enter it with every digit, {EXAMPLE_PHONE}")
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        raise ValidationError(f"The phone number is too long: enter it {EXAMPLE_PHONE}")
    if not _can_exist(number):
        raise ValidationError(f"Enter a real phone number, {EXAMPLE_PHONE}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_phone(text):
    try:
        return phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None


def _can_exist(number):
    if number.country_code == 44 and DRAMA_NUMBER.match(str(number.national_number)):
        return True
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in ALLOWED_PHONE_TYPES


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


MAX_TEXT_LENGTH = 10_000  # a text field holds notes, not documents (documents are files)


def _text(value):
    if not isinstance(value, str | int | float):
        raise ValidationError("Enter text")
    if "\x00" in str(value):
        raise ValidationError("Remove the null character (\\x00) from the text")
    if len(str(value)) > MAX_TEXT_LENGTH:
        raise ValidationError(f"Enter at most {MAX_TEXT_LENGTH:,} characters")
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
