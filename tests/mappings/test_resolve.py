"""Resolving a mapping against case data: every source, recipient kind, format and gap."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.resolve import fit_letter_lines, resolve
from mappings.sources import value_of


def snapshot(**overrides):
    case = {
        "reference": "PA-2026-000042",
        "status": "Decision issued",
        "type": "Planning application",
        "fields": {"fee": 1250, "decision_date": "2026-01-03", "site_visit_needed": False,
                   "decision": "Approved", "agent_email": "agent@example.com", "site_phone": "+447700900111"},
        "kinds": {"fee": "number", "decision_date": "date", "site_visit_needed": "boolean",
                  "decision": "choice", "agent_email": "email", "site_phone": "phone", "notes": "text"},
        "labels": {"decision_date": "Decision date", "notes": "Notes"},
        "dates": {"created": datetime.datetime(2026, 1, 2, 9, 30, tzinfo=datetime.UTC), "updated": None,
                  "closed": None, "due": datetime.date(2026, 2, 28)},
        "people": [{
            "role": "Applicant", "title": "Dr", "first_name": "Amira", "last_name": "Ahmed",
            "email": "amira@example.com", "phone": "+447700900123", "date_of_birth": "1980-05-17",
            "addresses": [{"role": "Correspondence", "line_1": "Flat 2", "line_2": "9 Mill Road",
                           "town": "Exampleton", "postcode": "M1 1AE"}],
        }],
        "addresses": [{"role": "Property", "line_1": "1 High Street", "town": "Exampleton",
                       "county": "Borsetshire", "postcode": "SW1A 2AA", "country": "United Kingdom"}],
    }
    case.update(overrides)
    return case


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"source": "field", "key": "fee"}, "1,250"),
        ({"source": "field", "key": "decision_date"}, "3 January 2026"),
        ({"source": "field", "key": "site_visit_needed"}, "No"),
        ({"source": "field", "key": "decision"}, "Approved"),
        ({"source": "date", "date": "created"}, "2 January 2026"),
        ({"source": "date", "date": "due", "format": "short"}, "28/02/2026"),
        ({"source": "date", "date": "due", "format": "weekday"}, "Saturday 28 February 2026"),
        ({"source": "date", "date": "decision_date", "format": "iso"}, "2026-01-03"),
        ({"source": "person", "role": "Applicant", "detail": "first_name"}, "Amira"),
        ({"source": "person", "role": "applicant", "detail": "full_name"}, "Dr Amira Ahmed"),
        ({"source": "person", "role": "Applicant", "detail": "date_of_birth"}, "17 May 1980"),
        ({"source": "address", "role": "Property", "detail": "postcode"}, "SW1A 2AA"),
        ({"source": "address", "role": "Property", "detail": "single_line"},
         "1 High Street, Exampleton, Borsetshire, SW1A 2AA"),
        ({"source": "address", "of": "person:Applicant", "role": "Correspondence", "detail": "line_2"}, "9 Mill Road"),
        ({"source": "case", "detail": "reference"}, "PA-2026-000042"),
        ({"source": "case", "detail": "status"}, "Decision issued"),
        ({"source": "text", "text": "Plain words"}, "Plain words"),
        ({"source": "text", "text": "Application {{case.reference}} for {{address.Property.line_1}}, due {{date.due|short}}"},
         "Application PA-2026-000042 for 1 High Street, due 28/02/2026"),
    ],
)
def test_each_source_reads_its_value(source, expected):
    assert value_of(snapshot(), source) == (expected, None)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ({"source": "field", "key": "notes"}, "Field 'Notes' is empty"),
        ({"source": "field", "key": "colour"}, "'colour' is not a field of this case type"),
        ({"source": "date", "date": "closed"}, "The case's closed date is empty"),
        ({"source": "date", "date": "fee"}, "'fee' is not a case date or a date field"),
        ({"source": "person", "role": "Agent", "detail": "email"}, "The case has no linked Agent"),
        ({"source": "address", "role": "Site", "detail": "town"}, "The case has no Site address"),
        ({"source": "address", "role": "Property", "detail": "line_2"}, "The Property address has no line 2"),
        ({"source": "text", "text": "Hello {{person.Agent.first_name}}"}, "The case has no linked Agent"),
        ({"source": "text", "text": "Hello {{case.reference"}, "A placeholder is not closed: every {{ needs a matching }}"),
        ({"source": "magic"}, "'magic' is not a kind of source"),
    ],
)
def test_missing_data_is_a_problem_not_an_error(source, problem):
    assert value_of(snapshot(), source) == (None, problem)


def email_spec(**overrides):
    spec = {
        "channel": "email",
        "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
        "template_version": 3,
        "recipient": {"source": "person", "role": "Applicant"},
        "placeholders": [
            {"placeholder": "name", "source": {"source": "person", "role": "Applicant", "detail": "first_name"}},
            {"placeholder": "reference", "source": {"source": "case", "detail": "reference"}},
        ],
        "email_reply_to_id": "reply-to-1",
    }
    spec.update(overrides)
    return spec


def test_an_email_resolves_to_a_message():
    result = resolve(email_spec(), snapshot(), reference="ref-1")
    assert result.problems == []
    message = result.message
    assert (message.channel, message.recipient, message.reference) == ("email", "amira@example.com", "ref-1")
    assert message.personalisation == {"name": "Amira", "reference": "PA-2026-000042"}
    assert message.template_version == 3
    assert message.email_reply_to_id == "reply-to-1"


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        ({"source": "field", "key": "agent_email"}, "agent@example.com"),
        ({"source": "text", "text": "planning@council.example.gov.uk"}, "planning@council.example.gov.uk"),
    ],
)
def test_email_recipients_from_fields_and_fixed_text(recipient, expected):
    assert resolve(email_spec(recipient=recipient), snapshot(), reference="r").message.recipient == expected


@pytest.mark.parametrize(
    ("recipient", "people", "problem"),
    [
        ({"source": "person", "role": "Applicant"}, [{"role": "Applicant", "first_name": "A"}], "Applicant has no email address"),
        ({"source": "person", "role": "Agent"}, None, "The case has no linked Agent"),
        ({"source": "field", "key": "decision_date"}, None, "Field 'decision_date' is not an email address field"),
        ({"source": "text", "text": "not an address"}, None, "'not an address' is not an email address"),
    ],
)
def test_email_recipient_problems(recipient, people, problem):
    case = snapshot(people=people) if people is not None else snapshot()
    result = resolve(email_spec(recipient=recipient, placeholders=[]), case, reference="r")
    assert result.message is None
    assert result.problems == [problem]


def test_every_problem_is_reported_at_once():
    case = snapshot(people=[])
    result = resolve(email_spec(), case, reference="r")
    assert result.problems == [
        "The case has no linked Applicant",
        "((name)): The case has no linked Applicant",
    ]


def test_optional_placeholders_may_be_empty_and_citizen_text_is_sanitised():
    spec = email_spec(placeholders=[
        {"placeholder": "notes", "source": {"source": "field", "key": "notes"}, "optional": True},
        {"placeholder": "decision", "source": {"source": "field", "key": "decision"}, "citizen_text": True},
    ])
    message = resolve(spec, snapshot(), reference="r").message
    assert message.personalisation == {"notes": "", "decision": "Approved"}
    assert message.sanitise_content_for == ("decision",)


def test_a_text_message_goes_to_a_phone():
    spec = {"channel": "sms", "template_id": "t", "recipient": {"source": "person", "role": "Applicant"},
            "placeholders": [], "sms_sender_id": "s1", "email_reply_to_id": "ignored"}
    message = resolve(spec, snapshot(), reference="r").message
    assert (message.recipient, message.sms_sender_id, message.email_reply_to_id) == ("+447700900123", "s1", None)
    spec["recipient"] = {"source": "field", "key": "site_phone"}
    assert resolve(spec, snapshot(), reference="r").message.recipient == "+447700900111"
    spec["recipient"] = {"source": "field", "key": "fee"}
    assert resolve(spec, snapshot(), reference="r").problems == [
        "A text message goes to a linked person's phone or a phone number field"
    ]


def letter_spec(**recipient):
    return {"channel": "letter", "template_id": "t", "placeholders": [],
            "recipient": {"person_role": "Applicant", "address": {"of": "case", "role": "Property"}, **recipient}}


def test_a_letter_builds_the_address_lines_with_the_postcode_last():
    message = resolve(letter_spec(), snapshot(), reference="r").message
    assert message.personalisation == {
        "address_line_1": "Dr Amira Ahmed",
        "address_line_2": "1 High Street",
        "address_line_3": "Exampleton",
        "address_line_4": "Borsetshire",
        "address_line_5": "SW1A 2AA",
    }
    assert message.recipient == "Dr Amira Ahmed, 1 High Street, Exampleton, Borsetshire, SW1A 2AA"


def test_a_letter_can_go_to_the_persons_correspondence_address():
    spec = letter_spec(address={"of": "person:Applicant", "role": "Correspondence"})
    lines = resolve(spec, snapshot(), reference="r").message.personalisation
    assert list(lines.values()) == ["Dr Amira Ahmed", "Flat 2", "9 Mill Road", "Exampleton", "M1 1AE"]


def test_an_overseas_letter_ends_with_the_country():
    case = snapshot(addresses=[{"role": "Property", "line_1": "5 Rue X", "town": "Paris", "postcode": "75001",
                                "country": "France"}])
    lines = resolve(letter_spec(), case, reference="r").message.personalisation
    assert list(lines.values())[-2:] == ["75001", "France"]


def test_a_long_address_is_fitted_into_seven_lines():
    case = snapshot(addresses=[{"role": "Property", "line_1": "Flat 1", "line_2": "Block B", "line_3": "Mill Court",
                                "line_4": "12 Mill Road", "town": "Exampleton", "county": "Borsetshire",
                                "postcode": "SW1A 2AA"}])
    lines = list(resolve(letter_spec(), case, reference="r").message.personalisation.values())
    assert len(lines) == 7
    assert lines[0] == "Dr Amira Ahmed"
    assert lines[1] == "Flat 1, Block B"
    assert lines[-1] == "SW1A 2AA"


def test_a_short_address_is_refused():
    case = snapshot(addresses=[{"role": "Property", "postcode": "SW1A 2AA"}])
    assert resolve(letter_spec(person_role=None), case, reference="r").problems == [
        "A letter address needs at least 3 lines (name, address, postcode); the Property address gives 1"
    ]


def test_a_uk_letter_needs_a_postcode():
    case = snapshot(addresses=[{"role": "Property", "line_1": "1 High Street", "town": "Exampleton"}])
    assert resolve(letter_spec(), case, reference="r").problems == ["The Property address has no postcode"]


@given(st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=20))
def test_fitting_never_gives_more_than_seven_lines_and_keeps_the_ends(lines):
    fitted = fit_letter_lines(lines)
    assert len(fitted) == min(len(lines), 7)
    assert fitted[0] == lines[0]
    assert fitted[-1] == lines[-1]


# Arbitrary case data: resolving must never raise, whatever the snapshot holds.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=10,
)
people = st.lists(st.dictionaries(st.sampled_from(["role", "first_name", "email", "phone", "title", "addresses",
                                                   "date_of_birth"]), json_values), max_size=3)
cases = st.fixed_dictionaries({
    "reference": json_values, "status": json_values,
    "fields": st.dictionaries(st.sampled_from(["fee", "decision_date", "notes"]), json_values),
    "kinds": st.dictionaries(st.sampled_from(["fee", "decision_date", "notes"]),
                             st.sampled_from(["text", "number", "date", "boolean", "email", "phone"])),
    "dates": st.dictionaries(st.sampled_from(["created", "due"]), json_values),
    "people": people | json_values,
    "addresses": st.lists(st.dictionaries(st.sampled_from(["role", "line_1", "postcode", "country"]), json_values),
                          max_size=3),
})
specs = st.sampled_from([email_spec(), letter_spec(), {"channel": "sms", "recipient": {"source": "person", "role": "Applicant"},
                                                      "placeholders": [{"placeholder": "x", "source": {"source": "text", "text": "{{field.fee}} {{date.due}}"}}]}])


@settings(max_examples=300)
@given(spec=specs, case=cases)
def test_resolving_never_raises_on_arbitrary_case_data(spec, case):
    result = resolve(spec, case, reference="r")
    assert (result.message is None) == bool(result.problems)
    if result.message is not None:
        assert all(isinstance(v, str) for v in result.message.personalisation.values())


def test_a_value_that_looks_like_a_placeholder_is_never_filled_in():
    case = snapshot()
    case["people"][0]["first_name"] = "{{case.reference}}{{person.Agent.email}}"
    case["people"].append({"role": "Agent", "first_name": "Bo", "last_name": "Li", "email": "agent@example.com"})
    text = "Dear {{person.Applicant.first_name}}, about {{case.reference}} ({{person.Agent.email}})"
    value, problem = value_of(case, {"source": "text", "text": text})
    assert problem is None
    assert value == "Dear {{case.reference}}{{person.Agent.email}}, about PA-2026-000042 (agent@example.com)"
