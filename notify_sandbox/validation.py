"""Checking send requests as Notify does: the JSON schema, then recipients and letter addresses.

Each check returns a list of Notify-style error dicts ({"error": ..., "message": ...}); Notify sends
all schema errors of a request together.
"""

import re
import uuid

import phonenumbers

EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@([a-zA-Z0-9-]+\.)+[a-zA-Z]{2,}$")
UK_POSTCODE = re.compile(r"^(GIR0AA|[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2})$")
COUNTRIES = {
    "france", "germany", "ireland", "republic of ireland", "spain", "italy", "portugal", "netherlands",
    "belgium", "poland", "usa", "united states", "united states of america", "canada", "australia",
    "new zealand", "india", "pakistan", "nigeria", "south africa", "jamaica", "japan", "china", "brazil",
    "norway", "sweden", "denmark", "finland", "switzerland", "austria", "greece", "isle of man", "jersey",
    "guernsey",
}
MAX_REFERENCE = 1000

SCHEMAS = {
    "email": {"required": ["email_address", "template_id"],
              "optional": ["personalisation", "reference", "email_reply_to_id", "one_click_unsubscribe_url",
                           "sanitise_content_for", "scheduled_for"]},
    "sms": {"required": ["phone_number", "template_id"],
            "optional": ["personalisation", "reference", "sms_sender_id", "scheduled_for"]},
    "letter": {"required": ["template_id", "personalisation"], "optional": ["reference"]},
    "precompiled": {"required": ["reference", "content"], "optional": ["postage"]},
}


def error(message, kind="ValidationError"):
    return {"error": kind, "message": message}


def is_uuid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return isinstance(value, str)


def check_schema(kind, body):
    """Required properties, unexpected properties and types, all at once."""
    schema = SCHEMAS[kind]
    errors = [error(f"{name} is a required property") for name in schema["required"] if name not in body]
    unexpected = [name for name in body if name not in schema["required"] + schema["optional"]]
    if unexpected:
        errors.append(error(f"Additional properties are not allowed ({', '.join(unexpected)} "
                            f"{'was' if len(unexpected) == 1 else 'were'} unexpected)"))
    for name in ("template_id", "email_reply_to_id", "sms_sender_id"):
        if name in body and not is_uuid(body[name]):
            errors.append(error(f"{name} is not a valid UUID"))
    if "personalisation" in body and not isinstance(body["personalisation"], dict):
        # jsonschema's message with its straight quotes removed, as Notify's build_error_message does
        errors.append(error(f"personalisation {str(body['personalisation']).replace(chr(39), '')} is not of type object"))
    reference = body.get("reference")
    if reference is not None and not isinstance(reference, str):
        errors.append(error(f"reference {reference!r} is not of type string"))
    elif isinstance(reference, str) and len(reference) > MAX_REFERENCE:
        errors.append(error(f"reference {reference[:20]}... is too long"))
    return errors


def check_email(address):
    if not isinstance(address, str) or not EMAIL.match(address.strip()) or ".." in address:
        return [error("email_address Not a valid email address")]
    return []


def normalise_phone(number):
    return re.sub(r"[\s()\-.]", "", str(number))


PHONE_CHARACTERS = re.compile(r"^[\s()+\-0-9]*$")
ALLOWED_PHONE_TYPES = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE,
                       phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE, phonenumbers.PhoneNumberType.UAN,
                       phonenumbers.PhoneNumberType.PERSONAL_NUMBER}
LANDLINE_TYPES = {phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
                  phonenumbers.PhoneNumberType.UAN}
# Notify's TV-number pattern is a character class: "7700" and then any digit (notifications-utils, _is_tv_number).
TV_NUMBER = re.compile(r"7700[0-9]")
INVALID_NUMBER = "Number is not valid \u2013 double check the phone number you entered"


class PhoneProblem(ValueError):
    pass


def parse_phone(number):
    """The number as Notify's PhoneNumber parses it (notifications-utils recipient_validation/phone_number.py):
    phonenumbers with GB as the default region, a stray + or leading zeros forgiven, the possible lengths of the
    number's country, then a valid number of an allowed type, or a TV number. PhoneProblem with Notify's legacy
    v2 message otherwise."""
    text = str(number)
    try:
        return _parse_phone(text)
    except PhoneProblem:
        return _parse_phone(text.replace("+", "").lstrip("0"))


def _parse_phone(text):
    if not PHONE_CHARACTERS.match(text):
        raise PhoneProblem("Must not contain letters or symbols")
    if not text.strip():
        raise PhoneProblem("Not enough digits")
    try:
        parsed = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise PhoneProblem(INVALID_NUMBER) from None
    reason = phonenumbers.is_possible_number_with_reason(parsed)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        forced = _forced_international(text)
        if forced is None:
            raise PhoneProblem({
                phonenumbers.ValidationResult.TOO_LONG: "Too many digits",
                phonenumbers.ValidationResult.TOO_SHORT: "Not enough digits",
                phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "Not enough digits",
                phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "Not a valid country prefix",
            }.get(reason, INVALID_NUMBER))
        parsed = forced
    if phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in ALLOWED_PHONE_TYPES:
        return parsed
    if TV_NUMBER.match(str(parsed.national_number)):
        return parsed
    raise PhoneProblem(INVALID_NUMBER)


def _forced_international(text):
    try:
        forced = phonenumbers.parse("+" + re.sub(r"\D", "", text))
    except phonenumbers.NumberParseException:
        return None
    return forced if phonenumbers.is_possible_number(forced) else None


def check_phone(number):
    """The schema's check of phone_number: Notify's legacy v2 messages, as ValidationErrors."""
    try:
        parse_phone(number)
    except PhoneProblem as problem:
        return [error(f"phone_number {problem}")]
    return []


def is_uk_landline(number):
    """After the schema: a UK landline, which a service without the landline permission may not text."""
    parsed = parse_phone(number)
    return parsed.country_code == 44 and phonenumbers.number_type(parsed) in LANDLINE_TYPES


def address_lines(personalisation):
    """The address as Notify reads it (notifications-utils PostalAddress): address_line_1 to 6 and postcode, or
    address_line_1 to 7 when address_line_7 is given (postcode is then ignored); blank lines dropped."""
    names = ([f"address_line_{n}" for n in range(1, 8)] if personalisation.get("address_line_7")
             else [*(f"address_line_{n}" for n in range(1, 7)), "postcode"])
    return [str(personalisation[name]).strip() for name in names
            if personalisation.get(name) is not None and str(personalisation[name]).strip()]


FORBIDDEN_FIRST_CHARACTERS = set("@()=[]\"\\/,<>~")
NO_FIXED_ABODE = re.compile(r"^nfa$|no fixed (abode|address)", re.IGNORECASE)


def check_address(personalisation):
    """Notify's checks of a letter's address, in its order, the first that fails (app/notifications/validators.py
    validate_address over notifications-utils PostalAddress; the sandbox's services may send abroad)."""
    lines = address_lines(personalisation)
    if len(lines) < 3:
        return [error("Address must be at least 3 lines")]
    if len(lines) > 7:
        return [error("Address must be no more than 7 lines")]
    if not all(re.search(r"[^\W_]", line) for line in lines[:2]):
        return [error("The first 2 lines of the address must both include at least one alphanumeric character")]
    last = lines[-1]
    if not (UK_POSTCODE.match(re.sub(r"\s+", "", last).upper()) or last.lower() in COUNTRIES):
        return [error("Last line of address must be a real UK postcode or another country")]
    if any(line[0] in FORBIDDEN_FIRST_CHARACTERS for line in lines):
        return [error("Address lines must not start with any of the following characters: @ ( ) = [ ] \u201d \\ / , < >")]
    if any(NO_FIXED_ABODE.search(line) for line in lines):
        return [error("Must be a real address")]
    return []


def is_international(personalisation):
    lines = address_lines(personalisation)
    return bool(lines) and lines[-1].lower() in COUNTRIES


def check_precompiled(body):
    """The precompiled letter's schema beyond required keys: postage. The PDF itself is checked after the answer."""
    if "postage" in body and body["postage"] not in ("first", "second", "economy"):
        return [error("postage invalid. It must be either first, second or economy.")]
    return []
