"""Callbacks as Notify makes them: a delivery status once per email or text message at its final status (never for
letters), received texts, Notify's headers and key order, and its retries."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from notifications_python_client.notifications import NotificationsAPIClient

from notify_sandbox.testing import SandboxServer
from tests.timing import wait_until

TOKEN = "callback-token-1234"


@pytest.fixture
def receiver():
    """A service's callback endpoint: records each POST; `answers` is the status of each answer in turn (then 200)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server.received.append({"headers": dict(self.headers), "body": json.loads(body), "raw": body.decode()})
            status = server.answers.pop(0) if server.answers else 200
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.answers = [], []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/callback"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def notify():
    with SandboxServer(rate_limit="off", delivery_seconds=0.2) as server:
        server.set_faults(callback_retry_seconds=0.2)
        server.key = server.create_key("test")
        server.client = NotificationsAPIClient(server.key, base_url=server.base_url)
        yield server


def register(notify, receiver, callback_type="delivery_status"):
    return notify.control("POST", "callbacks", {"service_name": "Sandbox service", "callback_type": callback_type,
                                                "url": receiver.url, "bearer_token": TOKEN})


def test_a_delivery_status_arrives_once_at_the_final_status_with_notifys_headers_and_key_order(notify, receiver):
    register(notify, receiver)
    template = notify.create_template("email", subject="S", body="Hello")
    sent = notify.client.send_email_notification("Amira@Example.com", template, reference="ref-callback-1")
    assert wait_until(lambda: receiver.received, 30)
    call = receiver.received[0]
    assert call["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert call["headers"]["Content-Type"] == "application/json"
    assert list(call["body"]) == ["id", "reference", "to", "status", "created_at", "completed_at", "sent_at",
                                  "notification_type", "template_id", "template_version"]
    assert (call["body"]["id"], call["body"]["reference"], call["body"]["to"], call["body"]["status"]) == (
        sent["id"], "ref-callback-1", "Amira@Example.com", "delivered")
    assert call["body"]["created_at"].endswith("Z")
    assert (call["body"]["notification_type"], call["body"]["template_version"]) == ("email", 1)
    assert len(notify.control("GET", "callbacks")["sent"]) == 1  # once


@pytest.mark.parametrize(("number", "status"), [("07700900002", "permanent-failure"),
                                                ("07700900003", "temporary-failure")])
def test_simulated_failing_numbers_call_back_with_their_failure(notify, receiver, number, status):
    register(notify, receiver)
    template = notify.create_template("sms", body="Hi")
    notify.client.send_sms_notification(number, template)
    assert wait_until(lambda: receiver.received, 30)
    assert (receiver.received[0]["body"]["status"], receiver.received[0]["body"]["reference"]) == (status, None)


def test_a_letter_never_calls_back(notify, receiver):
    register(notify, receiver)
    letter = notify.create_template("letter", subject="S", body="B")
    email = notify.create_template("email", subject="S", body="B")
    notify.client.send_letter_notification(letter, {"address_line_1": "A", "address_line_2": "B",
                                                    "postcode": "SW1A 1AA"})
    notify.client.send_email_notification("a@example.com", email)
    assert wait_until(lambda: receiver.received, 30)  # the email's callback: the letter's would have come first
    assert [call["body"]["notification_type"] for call in receiver.received] == ["email"]


def test_a_simulate_delivered_message_never_calls_back(notify, receiver):
    # Notify does not store it, so nothing ever reports on it; the message sent after it shows the wait was long enough.
    register(notify, receiver)
    email = notify.create_template("email", subject="S", body="B")
    notify.client.send_email_notification("simulate-delivered@notifications.service.gov.uk", email, reference="sim")
    notify.client.send_email_notification("a@example.com", email, reference="real")
    assert wait_until(lambda: receiver.received, 30)
    assert [call["body"]["reference"] for call in receiver.received] == ["real"]


def test_a_5xx_is_tried_again_with_the_same_body_and_a_4xx_is_dropped(notify, receiver):
    register(notify, receiver)
    template = notify.create_template("email", subject="S", body="B")
    receiver.answers = [500, 429, 200]
    notify.client.send_email_notification("a@example.com", template, reference="retried")
    assert wait_until(lambda: len(receiver.received) == 3, 30)
    assert len({call["raw"] for call in receiver.received}) == 1
    receiver.answers = [400]
    notify.client.send_email_notification("b@example.com", template, reference="dropped")
    assert wait_until(lambda: len(receiver.received) == 4, 30)
    assert wait_until(lambda: len(notify.control("GET", "callbacks")["sent"]) == 4, 30)
    assert [call["outcome"] for call in notify.control("GET", "callbacks")["sent"]] == [500, 429, 200, 400]


def test_a_received_text_is_listed_and_sent_to_the_inbound_callback(notify, receiver):
    register(notify, receiver, "inbound_sms")
    services = notify.control("GET", "services")["services"]
    service_id = next(s["id"] for s in services if s["name"] == "Sandbox service")
    notify.control("POST", "received-text-messages", {"service_id": service_id, "user_number": "07700 900123",
                                                      "content": "YES I can attend"})
    assert wait_until(lambda: receiver.received, 30)
    body = receiver.received[0]["body"]
    assert list(body) == ["id", "source_number", "destination_number", "message", "date_received"]
    assert (body["source_number"], body["message"]) == ("447700900123", "YES I can attend")
    listed = notify.client.get_received_texts()["received_text_messages"][0]
    assert (listed["id"], listed["user_number"]) == (body["id"], "447700900123")


@pytest.mark.parametrize(("registration", "message"), [
    ({"url": "http://example.com/callback", "bearer_token": TOKEN}, "Must be a valid https URL"),
    ({"url": "https://example.com/callback", "bearer_token": "short"}, "Must be at least 10 characters"),
])
def test_a_callback_must_be_https_with_a_token_of_ten_characters(notify, registration, message):
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as refused:
        notify.control("POST", "callbacks", registration)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["errors"][0]["message"] == message
