"""Reading notifications, templates and received texts."""

import io
import time

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient
from pypdf import PdfWriter

from documents.pdfwrite import text_pdf
from notify_sandbox.testing import SandboxServer


@pytest.fixture(scope="module")
def slow(sandbox):
    """A sandbox whose messages take 30 seconds to arrive: a message read just after it was sent is certainly still
    on its way, however slowly the machine runs. (The session's sandbox delivers in 1 second.)"""
    with SandboxServer(rate_limit="off", delivery_seconds=30.0) as server:
        server.client = NotificationsAPIClient(server.create_key("test"), base_url=server.base_url)
        server.sms = server.create_template("sms", body="Hi ((name)), your visit is on ((date)).")
        server.letter = server.create_template("letter", subject="Decision", body="Dear ((name))")
        yield server


def test_a_message_on_its_way_is_created_or_sending_and_a_letter_accepted(slow):
    sent = slow.client.send_sms_notification("07700900123", slow.sms, personalisation={"name": "A", "date": "B"})
    assert slow.client.get_notification_by_id(sent["id"])["status"] in ("created", "sending")
    letter = slow.client.send_letter_notification(slow.letter, {"address_line_1": "A", "address_line_2": "B",
                                                                "address_line_3": "SW1A 2AA", "name": "A"})
    assert slow.client.get_notification_by_id(letter["id"])["status"] == "accepted"


def test_a_notification_moves_from_created_to_delivered(client, sms_template):
    sent = client.send_sms_notification("07700900123", sms_template, personalisation={"name": "A", "date": "B"})
    first = client.get_notification_by_id(sent["id"])
    assert first["phone_number"] == "07700900123"
    assert first["body"] == "Hi A, your visit is on B."
    assert first["template"]["version"] == 1
    time.sleep(1.1)
    assert client.get_notification_by_id(sent["id"])["status"] == "delivered"


@pytest.mark.parametrize(
    ("recipient", "status"),
    [("temp-fail@simulator.notify", "temporary-failure"), ("perm-fail@simulator.notify", "permanent-failure")],
)
def test_simulated_email_addresses_end_in_their_status(client, email_template, recipient, status):
    sent = client.send_email_notification(recipient, email_template,
                                          personalisation={"name": "", "reference": "", "decision": ""})
    time.sleep(1.1)
    assert client.get_notification_by_id(sent["id"])["status"] == status


@pytest.mark.parametrize(("number", "status"), [("07700900003", "temporary-failure"), ("07700900002", "permanent-failure")])
def test_simulated_phone_numbers_end_in_their_status(client, sms_template, number, status):
    sent = client.send_sms_notification(number, sms_template, personalisation={"name": "", "date": ""})
    time.sleep(1.1)
    assert client.get_notification_by_id(sent["id"])["status"] == status


@pytest.mark.parametrize(
    ("kind", "recipient"),
    [("email", "simulate-delivered@notifications.service.gov.uk"), ("email", "Simulate-Delivered-3@notifications.service.gov.uk"),
     ("sms", "07700900000"), ("sms", "+44 7700 900111"), ("sms", "07700900222")],
)
def test_notify_does_not_store_a_message_to_a_simulate_delivered_recipient(client, email_template, sms_template,
                                                                         kind, recipient):
    reference = f"not-stored-{kind}-{recipient}"
    if kind == "email":
        sent = client.send_email_notification(recipient, email_template, reference=reference,
                                              personalisation={"name": "", "reference": "", "decision": ""})
    else:
        sent = client.send_sms_notification(recipient, sms_template, reference=reference,
                                            personalisation={"name": "", "date": ""})
    assert sent["reference"] == reference  # accepted as any other
    with pytest.raises(HTTPError) as raised:
        client.get_notification_by_id(sent["id"])
    assert (raised.value.status_code, raised.value.message) == (404, [{"error": "NoResultFound", "message": "No result found"}])
    assert client.get_all_notifications(reference=reference)["notifications"] == []


def test_a_list_holds_only_what_was_sent_with_the_same_type_of_key(sandbox):
    sandbox.create_service("Key types", team=["07700900456"])
    sms_template = sandbox.create_template("sms", body="Hello ((name))((date))", service_name="Key types")
    test_client = NotificationsAPIClient(sandbox.create_key("test", service_name="Key types"), base_url=sandbox.base_url)
    team_client = NotificationsAPIClient(sandbox.create_key("team", service_name="Key types"), base_url=sandbox.base_url)
    by_test = test_client.send_sms_notification("07700900123", sms_template, reference="key-types",
                                                personalisation={"name": "", "date": ""})
    by_team = team_client.send_sms_notification("07700900456", sms_template, reference="key-types",
                                                personalisation={"name": "", "date": ""})
    assert [n["id"] for n in test_client.get_all_notifications(reference="key-types")["notifications"]] == [by_test["id"]]
    assert [n["id"] for n in team_client.get_all_notifications(reference="key-types")["notifications"]] == [by_team["id"]]
    # Read by its id, a notification is found whatever the key.
    assert team_client.get_notification_by_id(by_test["id"])["id"] == by_test["id"]


def test_a_letter_is_accepted_then_received(client, letter_template):
    sent = client.send_letter_notification(letter_template, {"address_line_1": "A", "address_line_2": "B",
                                                             "address_line_3": "SW1A 2AA", "name": "A"})
    letter = client.get_notification_by_id(sent["id"])
    assert (letter["line_1"], letter["line_3"]) == ("A", "SW1A 2AA")  # "accepted" while on its way: see `slow`
    assert letter["estimated_delivery"]
    time.sleep(1.1)  # the session's sandbox delivers in a second: after it, the letter is certainly received
    assert client.get_notification_by_id(sent["id"])["status"] == "received"


def test_unknown_and_malformed_ids(client):
    with pytest.raises(HTTPError) as raised:
        client.get_notification_by_id("f33517ff-2a88-4f6e-b855-c550268ce08a")
    assert (raised.value.status_code, raised.value.message) == (404, [{"error": "NoResultFound", "message": "No result found"}])
    with pytest.raises(HTTPError) as raised:
        client.get_notification_by_id("not-a-uuid")
    assert (raised.value.status_code, raised.value.message) == (
        400, [{"error": "ValidationError", "message": "notification_id is not a valid UUID"}])


def test_listing_filters_by_reference_type_and_status(client, sms_template, email_template):
    sent = client.send_sms_notification("07700900123", sms_template, personalisation={"name": "A", "date": "B"},
                                        reference="find-me")
    found = client.get_all_notifications(reference="find-me")["notifications"]
    assert [n["id"] for n in found] == [sent["id"]]
    assert all(n["type"] == "email" for n in client.get_all_notifications(template_type="email")["notifications"])
    assert client.get_all_notifications(reference="find-me", template_type="email")["notifications"] == []
    with pytest.raises(HTTPError) as raised:
        client.get_all_notifications(status="bad")
    assert raised.value.message == [{"error": "ValidationError", "message": (
        "status bad is not one of [cancelled, created, sending, sent, delivered, pending, failed, technical-failure, "
        "temporary-failure, permanent-failure, pending-virus-check, validation-failed, virus-scan-failed, "
        "returned-letter, accepted, received]")}]


def test_a_status_filter_matches_as_notify_stores_statuses(slow):
    """Notify matches "failed" to every failure, "accepted" to a letter not yet printed and "received" to a delivered
    letter, and takes `status` and `template_type` more than once."""
    reference = "status-filter"
    sms = slow.create_template("sms", body="Hi")
    letter = slow.client.send_letter_notification(slow.letter, {"address_line_1": "A", "address_line_2": "B",
                                                                "address_line_3": "SW1A 2AA", "name": "A"},
                                                  reference=reference)
    text = slow.client.send_sms_notification("07700900123", sms, reference=reference)

    def ids(**filters):
        return [n["id"] for n in slow.client.get_all_notifications(reference=reference, **filters)["notifications"]]

    # A letter's "accepted" is Notify's created or sending, so the filter finds a text on its way as well.
    assert ids(status="accepted") == [text["id"], letter["id"]]
    assert ids(status="created") == [text["id"], letter["id"]]
    assert ids(status="created", template_type="letter") == [letter["id"]]
    assert ids(status="received") == []
    assert ids(status="failed") == []
    both = slow.client.get(f"/v2/notifications?reference={reference}&template_type=sms&template_type=letter")
    assert [n["id"] for n in both["notifications"]] == [text["id"], letter["id"]]
    assert "template_type=sms&template_type=letter" in both["links"]["next"]


def test_a_failed_filter_finds_every_kind_of_failure(client, sms_template):
    reference = "failed-filter"
    failed = client.send_sms_notification("07700900002", sms_template, reference=reference,
                                          personalisation={"name": "", "date": ""})
    client.send_sms_notification("07700900123", sms_template, reference=reference, personalisation={"name": "", "date": ""})
    time.sleep(1.1)  # the session's sandbox finishes every message in a second
    found = client.get_all_notifications(reference=reference, status="failed")["notifications"]
    assert [(n["id"], n["status"]) for n in found] == [(failed["id"], "permanent-failure")]


def test_listing_pages_250_at_a_time_newest_first(sandbox, client, sms_template):
    for n in range(260):
        client.send_sms_notification("07700900123", sms_template, personalisation={"name": "A", "date": "B"},
                                     reference=f"page-{n}")
    first = client.get_all_notifications(template_type="sms")
    assert len(first["notifications"]) == 250
    assert first["notifications"][0]["reference"] == "page-259"
    assert "older_than=" in first["links"]["next"]
    older = client.get_all_notifications(template_type="sms", older_than=first["notifications"][-1]["id"])
    assert older["notifications"][0]["reference"] == "page-9"


def test_templates_are_listed_read_and_versioned(sandbox, client):
    template = sandbox.create_template("email", name="Versioned", subject="One", body="Hello ((name))")
    sandbox.create_template("email", name="Versioned", subject="Two", body="Hello ((name)) ((town))", template_id=template)
    latest = client.get_template(template)
    assert (latest["version"], latest["subject"], sorted(latest["personalisation"])) == (2, "Two", ["name", "town"])
    assert client.get_template_version(template, 1)["subject"] == "One"
    assert template in [t["id"] for t in client.get_all_templates(template_type="email")["templates"]]
    assert template not in [t["id"] for t in client.get_all_templates(template_type="sms")["templates"]]


def test_a_preview_renders_the_template(client, email_template):
    preview = client.post_template_preview(email_template, {"name": "A", "reference": "R", "decision": "approved"})
    assert preview["subject"] == "Your application R"
    assert preview["body"] == "Dear A,\n\nYour application was approved."
    assert "<p>" in preview["html"]
    with pytest.raises(HTTPError) as raised:
        client.post_template_preview(email_template, {"name": "A"})
    assert raised.value.message == [{"error": "BadRequestError", "message": "Missing personalisation: reference, decision"}]


def test_received_text_messages(sandbox, client):
    sandbox.control("POST", "received-text-messages", {"user_number": "447700900111", "content": "STOP"})
    texts = client.get_received_texts()["received_text_messages"]
    assert texts[0]["content"] == "STOP"
    assert texts[0]["user_number"] == "447700900111"


def test_a_list_page_that_is_not_empty_links_to_the_next_with_the_same_filters(client, email_template):
    """Notify gives links.next on every page with notifications, however short: a reader stops at an empty one."""
    sent = client.send_email_notification("amira@example.com", email_template, reference="paging-1",
                                          personalisation={"name": "A", "reference": "R", "decision": "D"})
    page = client.get_all_notifications(reference="paging-1")
    assert [n["id"] for n in page["notifications"]] == [sent["id"]]
    assert "older_than=" + sent["id"] in page["links"]["next"]
    assert "reference=paging-1" in page["links"]["next"]
    following = client.get_all_notifications(reference="paging-1", older_than=sent["id"])
    assert following["notifications"] == []
    assert "next" not in following["links"]


def test_received_texts_link_onwards_while_a_page_has_texts(sandbox, client):
    sandbox.control("POST", "received-text-messages", {"user_number": "447700900112", "content": "YES"})
    page = client.get_received_texts()
    assert page["links"]["current"].endswith("/v2/received-text-messages")
    assert "older_than=" in page["links"]["next"]


def test_an_email_send_always_answers_with_sanitised_content(client, email_template):
    response = client.send_email_notification("amira@example.com", email_template,
                                              personalisation={"name": "A", "reference": "R", "decision": "D"})
    assert response["sanitised_content"] == {}


ONE_PAGE = text_pdf([["A letter"]])


def no_pages():
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def send_pdf(client, tmp_path, content, reference):
    pdf = tmp_path / f"{reference}.pdf"
    pdf.write_bytes(content)
    with pdf.open("rb") as file:
        return client.send_precompiled_letter_notification(reference, file)


def test_a_precompiled_letter_waits_for_its_virus_check(slow, tmp_path):
    sent = send_pdf(slow.client, tmp_path, ONE_PAGE, "virus-check")
    assert slow.client.get_notification_by_id(sent["id"])["status"] == "pending-virus-check"


@pytest.mark.parametrize(
    ("content", "status"),
    [(ONE_PAGE, "received"),
     (b"hello, not a PDF", "validation-failed"),
     (b"%PDF-1.4\n%%EOF", "validation-failed"),  # unreadable
     (no_pages(), "validation-failed"),
     (text_pdf([["page"]] * 11), "validation-failed"),  # letter-too-long
     (text_pdf([["US letter"]], width=612, height=792), "validation-failed"),  # not A4
     (text_pdf([["landscape"]], width=841.89, height=595.28), "validation-failed"),  # not portrait
     (text_pdf([["page"]] * 10), "received"),
     (ONE_PAGE + b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*", "virus-scan-failed")],
)
def test_a_precompiled_letter_is_accepted_then_checked_as_notify_checks_it(client, tmp_path, content, status):
    sent = send_pdf(client, tmp_path, content, f"checked-{status}-{len(content)}")
    assert sent["postage"] == "second"
    time.sleep(1.1)  # the session's sandbox finishes every message in a second
    assert client.get_notification_by_id(sent["id"])["status"] == status
