"""Sending through the real client: responses, template checks, recipients and letters."""

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from .conftest import errors_of


def raw_post(sandbox, key, path, body):
    """A POST as the client makes it, for bodies the client would not build."""
    client = NotificationsAPIClient(key, base_url=sandbox.base_url)
    try:
        return 201, client.post(path, body)
    except HTTPError as error:
        return error.status_code, {"status_code": error.status_code, "errors": error.message}

ADDRESS = {"address_line_1": "Amira Ahmed", "address_line_2": "1 High Street", "address_line_3": "SW1A 2AA"}


def test_an_email_is_accepted_with_notifys_response(client, sandbox, email_template):
    response = client.send_email_notification(
        "amira@example.com", email_template,
        personalisation={"name": "Amira", "reference": "PA-1", "decision": "approved"}, reference="ref-email-1",
    )
    assert response["reference"] == "ref-email-1"
    assert response["content"]["subject"] == "Your application PA-1"
    assert response["content"]["body"] == "Dear Amira,\n\nYour application was approved."
    assert response["content"]["from_email"].endswith("@notifications.service.gov.uk")
    assert response["template"] == {"id": email_template, "version": 1,
                                    "uri": f"{sandbox.base_url}/v2/template/{email_template}"}
    assert response["uri"] == f"{sandbox.base_url}/v2/notifications/{response['id']}"
    assert response["scheduled_for"] is None
    stored = sandbox.notifications(reference="ref-email-1")
    assert [n["id"] for n in stored] == [response["id"]]
    assert stored[0]["personalisation"]["name"] == "Amira"
    assert stored[0]["key_type"] == "test"


def test_a_text_message_is_accepted(client, sms_template):
    response = client.send_sms_notification("07700 900 123", sms_template, personalisation={"name": "Ben", "date": "3 May"})
    assert response["content"] == {"body": "Hi Ben, your visit is on 3 May.", "from_number": "GOVUK"}


def test_a_letter_is_accepted(client, letter_template):
    response = client.send_letter_notification(letter_template, {**ADDRESS, "name": "Amira"}, reference="letter-1")
    assert response["content"]["body"] == "Dear Amira"
    assert response["content"]["subject"] == "Decision"


def test_a_precompiled_letter_is_accepted(client, tmp_path):
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.4 a tiny letter")
    with pdf.open("rb") as file:
        response = client.send_precompiled_letter_notification("precompiled-1", file, postage="first")
    assert response["reference"] == "precompiled-1"
    assert response["postage"] == "first"


def test_content_that_is_not_base64_is_refused_as_notify_words_it(sandbox, test_key):
    status, body = raw_post(sandbox, test_key, "/v2/notifications/letter", {"reference": "bad-pdf", "content": "abc"})
    assert (status, body) == (400, {"status_code": 400, "errors": [
        {"error": "BadRequestError", "message": "Cannot decode letter content (invalid base64 encoding)"}]})


def test_a_precompiled_letter_without_a_reference_is_a_schema_error(sandbox, test_key):
    status, body = raw_post(sandbox, test_key, "/v2/notifications/letter", {"content": "JVBERi0="})
    assert (status, body["errors"]) == (400, [{"error": "ValidationError", "message": "reference is a required property"}])


@pytest.mark.parametrize(
    ("personalisation", "message"),
    [
        ({"name": "A"}, "Missing personalisation: reference, decision"),
        ({}, "Missing personalisation: reference, name, decision"),
    ],
)
def test_missing_personalisation_is_refused(client, email_template, personalisation, message):
    with pytest.raises(HTTPError) as raised:
        client.send_email_notification("a@example.com", email_template, personalisation=personalisation)
    assert raised.value.status_code == 400
    assert errors_of(raised) == [{"error": "BadRequestError", "message": message}]


def test_extra_personalisation_is_ignored_and_names_ignore_case(client, email_template):
    response = client.send_email_notification(
        "a@example.com", email_template,
        personalisation={"NAME": "A", "Reference": "R", "decision": "refused", "unused": "x"})
    assert response["content"]["body"].startswith("Dear A,")


@pytest.mark.parametrize(
    ("send", "message"),
    [
        (lambda c, t: c.send_sms_notification("07700900123", t["email"]), "email template is not suitable for sms notification"),
        (lambda c, t: c.send_email_notification("a@example.com", t["sms"]), "sms template is not suitable for email notification"),
        (lambda c, t: c.send_letter_notification(t["email"], ADDRESS), "email template is not suitable for letter notification"),
        (lambda c, t: c.send_email_notification("a@example.com", "f33517ff-2a88-4f6e-b855-c550268ce08a"), "Template not found"),
    ],
)
def test_the_template_must_exist_and_fit_the_channel(client, email_template, sms_template, send, message):
    with pytest.raises(HTTPError) as raised:
        send(client, {"email": email_template, "sms": sms_template})
    assert errors_of(raised) == [{"error": "BadRequestError", "message": message}]


@pytest.mark.parametrize("address", ["not-an-email", "a@b", "two@@example.com", "a..b@example.com"])
def test_bad_email_addresses(client, email_template, address):
    with pytest.raises(HTTPError) as raised:
        client.send_email_notification(address, email_template, personalisation={"name": "", "reference": "", "decision": ""})
    assert errors_of(raised) == [{"error": "ValidationError", "message": "email_address Not a valid email address"}]


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("07700 90012a", "phone_number Must not contain letters or symbols"),
        ("07700 900 12345", "phone_number Too many digits"),
        ("077", "phone_number Not enough digits"),
        ("01632 960 001", "phone_number Number is not valid \u2013 double check the phone number you entered"),
        ("+44 7700", "phone_number Number is not valid \u2013 double check the phone number you entered"),
    ],
)
def test_bad_phone_numbers(client, sms_template, number, message):
    with pytest.raises(HTTPError) as raised:
        client.send_sms_notification(number, sms_template, personalisation={"name": "A", "date": "B"})
    assert errors_of(raised) == [{"error": "ValidationError", "message": message}]


# As Notify's own check (notifications-utils): its TV-number pattern lets a short 07700 number through.
@pytest.mark.parametrize("number", ["07700900123", "+447700900123", "447700 900 123", "+1 202 555 0143",
                                    "07700 900 12"])
def test_uk_and_international_numbers_are_accepted(client, sms_template, number):
    assert client.send_sms_notification(number, sms_template, personalisation={"name": "A", "date": "B"})["id"]


def test_a_uk_landline_passes_the_schema_but_is_refused_as_notify_refuses_it(client, sms_template):
    with pytest.raises(HTTPError) as raised:
        client.send_sms_notification("020 7946 0000", sms_template, personalisation={"name": "A", "date": "B"})
    assert (raised.value.status_code, errors_of(raised)) == (
        400, [{"error": "InvalidPhoneError", "message": "Not a UK mobile number"}])


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ({"address_line_1": "A", "address_line_2": "SW1A 2AA"}, "Address must be at least 3 lines"),
        ({"address_line_1": "A", "address_line_2": "B", "address_line_3": "SW1 2ZZZ9"},
         "Last line of address must be a real UK postcode or another country"),
        ({"address_line_1": "A", "address_line_2": "B", "address_line_3": "Narnia"},
         "Last line of address must be a real UK postcode or another country"),
        ({"address_line_1": "@A", "address_line_2": "B", "address_line_3": "SW1A 2AA"},
         "Address lines must not start with any of the following characters: @ ( ) = [ ] \u201d \\ / , < >"),
        ({"address_line_1": "-", "address_line_2": "B", "address_line_3": "SW1A 2AA"},
         "The first 2 lines of the address must both include at least one alphanumeric character"),
        ({"address_line_1": "NFA", "address_line_2": "B", "address_line_3": "SW1A 2AA"}, "Must be a real address"),
    ],
)
def test_letter_addresses_are_checked(client, letter_template, address, message):
    with pytest.raises(HTTPError) as raised:
        client.send_letter_notification(letter_template, {**address, "name": "A"})
    assert errors_of(raised) == [{"error": "ValidationError", "message": message}]


def test_a_letter_needs_three_lines_but_not_address_line_1_in_particular(client, letter_template):
    response = client.send_letter_notification(letter_template, {"address_line_2": "1 High Street",
                                                                 "address_line_3": "Exampletown",
                                                                 "postcode": "SW1A 2AA", "name": "A"})
    assert response["id"]


def test_an_overseas_letter_ends_with_a_country(client, letter_template):
    response = client.send_letter_notification(
        letter_template, {"address_line_1": "A", "address_line_2": "5 Rue X", "address_line_3": "France", "name": "A"})
    assert response["id"]


def test_a_seven_line_address_is_accepted(client, letter_template):
    lines = {f"address_line_{n}": f"Line {n}" for n in range(1, 7)}
    assert client.send_letter_notification(letter_template, {**lines, "address_line_7": "SW1A 2AA", "name": "A"})["id"]


def test_template_placeholders_render_lists_and_optional_text(sandbox, client):
    email = sandbox.create_template("email", subject="S", body="Items:((items))((vip??You are a VIP.))")
    sms = sandbox.create_template("sms", body="Items: ((items))((vip?? VIP))")
    rendered = client.send_email_notification("a@example.com", email, personalisation={"items": ["a", "b"], "vip": "yes"})
    assert rendered["content"]["body"] == "Items:\n* a\n* b\nYou are a VIP."
    rendered = client.send_sms_notification("07700900123", sms, personalisation={"items": ["a", "b", "c"], "vip": "no"})
    assert rendered["content"]["body"] == "Items: a, b and c"


def test_a_precompiled_letter_with_another_postage_is_refused_as_notify_words_it(client, tmp_path):
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(b"%PDF-1.4 a tiny letter")
    with pdf.open("rb") as file, pytest.raises(HTTPError) as raised:
        client.send_precompiled_letter_notification("precompiled-3", file, postage="europe")
    assert errors_of(raised) == [{"error": "ValidationError",
                                  "message": "postage invalid. It must be either first, second or economy."}]
