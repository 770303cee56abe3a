import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cases.models import FieldDefinition, FieldKind
from cases.validation import clean_field_values, normalise_phone, normalise_postcode


def definition(kind, key="value", **extra):
    return FieldDefinition(key=key, label="Value", kind=kind, **extra)


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        (FieldKind.TEXT, "  some text ", "some text"),
        (FieldKind.NUMBER, "12", 12),
        (FieldKind.NUMBER, "1,250.50", 1250.5),
        (FieldKind.DATE, "2026-03-27", "2026-03-27"),
        (FieldKind.BOOLEAN, "yes", True),
        (FieldKind.BOOLEAN, False, False),
        (FieldKind.EMAIL, "Someone@Example.com", "Someone@example.com"),
        (FieldKind.PHONE, "07700 900 982", "+447700900982"),
    ],
)
def test_values_are_normalised_by_kind(kind, given, expected):
    cleaned, errors = clean_field_values([definition(kind)], {"value": given})
    assert errors == {}
    assert cleaned == {"value": expected}


@pytest.mark.parametrize(
    ("kind", "given", "message"),
    [
        (FieldKind.NUMBER, "twelve", "Enter a number, like 12 or 12.5"),
        (FieldKind.DATE, "27/03/2026", "Enter a real date in the format YYYY-MM-DD, like 2026-03-27"),
        (FieldKind.DATE, "2026-02-30", "Enter a real date in the format YYYY-MM-DD, like 2026-03-27"),
        (FieldKind.BOOLEAN, "maybe", "Select yes or no"),
        (FieldKind.EMAIL, "not-an-email", "Enter an email address in the correct format, like name@example.com"),
        (FieldKind.PHONE, "0770O 900 982", "Enter a phone number using only digits, spaces, brackets, + and -"),
        (FieldKind.PHONE, "0770", "The phone number is too short: enter it with every digit, like 07700 900 982 or "
                                  "020 7946 0000"),
        # One digit short, but a possible length for some UK numbers: no UK number can be it.
        (FieldKind.PHONE, "07700 90012", "Enter a real phone number, like 07700 900 982 or 020 7946 0000"),
        (FieldKind.PHONE, "07911 1234567", "The phone number is too long: enter it like 07700 900 982 or 020 7946 0000"),
        (FieldKind.PHONE, "09012 345678", "Enter a real phone number, like 07700 900 982 or 020 7946 0000"),
        (FieldKind.TEXT, "a\x00b", "Remove the null character (\\x00) from the text"),
    ],
)
def test_values_of_the_wrong_kind_get_a_message(kind, given, message):
    cleaned, errors = clean_field_values([definition(kind)], {"value": given})
    assert cleaned == {}
    assert errors == {"value": message}


def test_choice_must_be_one_of_the_options():
    field = definition(FieldKind.CHOICE, choices=["Approved", "Refused"])
    assert clean_field_values([field], {"value": "Refused"}) == ({"value": "Refused"}, {})
    assert clean_field_values([field], {"value": "Maybe"}) == ({}, {"value": "Select one of: Approved, Refused"})


def test_unknown_keys_and_missing_required_fields_are_errors():
    required = definition(FieldKind.TEXT, key="name", required=True)
    _, errors = clean_field_values([required], {"colour": "blue"})
    assert errors == {"colour": "'colour' is not a field of this case type", "name": "Enter value"}


def test_partial_check_leaves_missing_fields_alone():
    required = definition(FieldKind.TEXT, key="name", required=True)
    assert clean_field_values([required, definition(FieldKind.NUMBER)], {"value": "3"}, partial=True) == (
        {"value": 3},
        {},
    )


def test_values_must_be_an_object():
    assert clean_field_values([], ["a"]) == ({}, {"field_values": "Give the field values as an object of field key to value"})


@pytest.mark.parametrize(("given", "expected"), [("sw1a2aa", "SW1A 2AA"), ("M1 1AE", "M1 1AE"), ("gir0aa", "GIR 0AA")])
def test_postcodes_are_normalised(given, expected):
    assert normalise_postcode(given) == expected


@pytest.mark.parametrize("given", ["12345", "SW1A", "ABC 123"])
def test_malformed_postcodes_are_refused(given):
    with pytest.raises(ValidationError, match="Enter a real postcode"):
        normalise_postcode(given)


def test_international_numbers_are_kept():
    assert normalise_phone("+1 202 555 0143") == "+12025550143"


@given(kind=st.sampled_from(FieldKind.values), value=st.one_of(st.none(), st.text(), st.integers(), st.booleans(), st.floats()))
def test_checking_never_raises_on_arbitrary_input(kind, value):
    field = definition(kind, choices=["A"])
    cleaned, errors = clean_field_values([field], {"value": value})
    assert set(cleaned) | set(errors) <= {"value"}
