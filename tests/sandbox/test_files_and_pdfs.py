"""Files sent by email and letters' PDFs, answered as Notify answers them (notifications-api post_notifications.py and
get_notifications.py, document-download's checks, template-preview's letter checks), through the real client."""

import base64
import io
import re
import time

import pytest
from notifications_python_client import prepare_upload
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from documents.pdfwrite import text_pdf
from notify_sandbox.testing import SandboxServer

from .conftest import errors_of

LINK = re.compile(r"https://documents\.service\.gov\.uk/d/[A-Za-z0-9_-]{22}/[A-Za-z0-9_-]{22}\?key=[A-Za-z0-9_-]{43}")


@pytest.fixture(scope="module")
def file_template(sandbox):
    return sandbox.create_template("email", name="Notice", subject="Your notice", body="Download it: ((notice))")


def send_file(client, template, value, to="someone@example.com"):
    return client.send_email_notification(to, template, personalisation={"notice": value})


def test_a_file_becomes_a_link_to_download_it(client, file_template):
    upload = prepare_upload(io.BytesIO(text_pdf([["Approved"]])), filename="decision.pdf",
                            confirm_email_before_download=True, retention_period="52 weeks")
    sent = send_file(client, file_template, upload)
    assert LINK.fullmatch(sent["content"]["body"].removeprefix("Download it: "))
    stored = client.get_notification_by_id(sent["id"])
    assert LINK.search(stored["body"])
    assert "file" not in stored["body"]


def test_a_simulated_recipient_gets_a_test_link(client, file_template, sandbox):
    upload = prepare_upload(io.BytesIO(b"not checked"), filename="x.pdf")
    sent = send_file(client, file_template, upload, to="simulate-delivered@notifications.service.gov.uk")
    assert sent["content"]["body"].endswith("/documents/test-document")


@pytest.mark.parametrize(("change", "message"), [
    ({"retention_period": "79 weeks"}, "retention_period Unsupported value for retention_period: 79 weeks. "
                                       "Supported periods are from 1 to 78 weeks."),
    ({"retention_period": "1 month"}, "retention_period Unsupported value for retention_period: 1 month. "
                                      "Supported periods are from 1 to 78 weeks."),
    ({"confirm_email_before_download": "potato"}, "confirm_email_before_download Unsupported value for "
                                                  "confirm_email_before_download: potato. Use a boolean true or false "
                                                  "value."),
    ({"filename": "nodot"}, "filename `filename` must end with a file extension. For example, filename.csv"),
    ({"is_csv": True}, "Do not set a value for `is_csv` if `filename` is set."),
    ({"other": 1}, "Additional properties are not allowed (other was unexpected)"),
])
def test_file_options_are_checked_as_notify_checks_them(client, file_template, change, message):
    value = {"file": base64.b64encode(b"text").decode(), "filename": "a.txt", **change}
    with pytest.raises(HTTPError) as raised:
        send_file(client, file_template, value)
    assert raised.value.status_code == 400
    assert errors_of(raised) == [{"error": "ValidationError", "message": message}]


@pytest.mark.parametrize(("value", "message"), [
    ({"file": "hi", "filename": "a.txt"}, "Document is not base64 encoded"),
    ({"file": "", "filename": "a.txt"}, "Document must not be empty"),
    ({"file": base64.b64encode(b"GIF89a" + b"\0" * 10).decode(), "filename": "a.gif"},
     "Unsupported file type '.gif'. Supported types are: '.csv', '.doc', '.docx', '.jpeg', '.jpg', '.json', '.odt', "
     "'.pdf', '.png', '.rtf', '.txt', '.xlsx'"),
    ({"file": base64.b64encode(b"\x7fELF\x02\x01\x01" + b"\0" * 60).decode()},
     "Unsupported file type 'application/x-executable'. Supported types are: '.csv', '.doc', '.docx', '.jpeg', "
     "'.jpg', '.json', '.odt', '.pdf', '.png', '.rtf', '.txt', '.xlsx'"),
    ({"file": base64.b64encode(b"a" * (2 * 1024 * 1024 + 1025)).decode(), "filename": "big.txt"},
     "Uploaded file exceeds file size limit"),
    ({"file": base64.b64encode(b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").decode(),
      "filename": "virus.txt"}, "File did not pass the virus scan"),
])
def test_document_download_refuses_what_it_cannot_take(client, file_template, value, message):
    with pytest.raises(HTTPError) as raised:
        send_file(client, file_template, value)
    assert raised.value.status_code == 400
    assert errors_of(raised) == [{"error": "BadRequestError", "message": message}]


def test_only_an_email_can_carry_a_file(sandbox, client):
    template = sandbox.create_template("sms", name="File by text", body="((notice))")
    with pytest.raises(HTTPError) as raised:
        client.send_sms_notification("07700900123", template,
                                     personalisation={"notice": {"file": base64.b64encode(b"x").decode()}})
    assert errors_of(raised) == [{"error": "BadRequestError", "message": "Can only send a file by email"}]


@pytest.fixture(scope="module")
def slow():
    """Letters that stay in their virus check for 9 seconds (0.3 × 30): read at once, they are certainly not ready."""
    with SandboxServer(rate_limit="off", delivery_seconds=30.0) as server:
        server.client = NotificationsAPIClient(server.create_key("test"), base_url=server.base_url)
        yield server


def wait_for(check, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def test_a_precompiled_letters_pdf_is_not_ready_during_its_checks(slow):
    sent = slow.client.send_precompiled_letter_notification("not-ready", io.BytesIO(text_pdf([["A letter"]])))
    with pytest.raises(HTTPError) as raised:
        slow.client.get_pdf_for_letter(sent["id"])
    assert raised.value.status_code == 400
    assert errors_of(raised) == [{"error": "PDFNotReadyError", "message": "PDF not available yet, try again later"}]


def test_a_precompiled_letters_pdf_is_the_pdf_sent_once_checked(client):
    pdf = text_pdf([["A letter"]])
    sent = client.send_precompiled_letter_notification("ready", io.BytesIO(pdf), postage="first")
    assert sent["postage"] == "first"
    assert wait_for(lambda: client.get_notification_by_id(sent["id"])["status"] == "received")
    assert client.get_pdf_for_letter(sent["id"]).read() == pdf


def test_a_letter_that_failed_its_checks_still_gives_its_pdf_and_a_virus_never(client):
    too_long = text_pdf([["page"]] * 11)
    failed = client.send_precompiled_letter_notification("too-long", io.BytesIO(too_long))
    assert wait_for(lambda: client.get_notification_by_id(failed["id"])["status"] == "validation-failed")
    assert client.get_pdf_for_letter(failed["id"]).read() == too_long
    virus = client.send_precompiled_letter_notification(
        "virus", io.BytesIO(text_pdf([["x"]]) + b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"))
    assert wait_for(lambda: client.get_notification_by_id(virus["id"])["status"] == "virus-scan-failed")
    with pytest.raises(HTTPError) as raised:
        client.get_pdf_for_letter(virus["id"])
    assert errors_of(raised) == [{"error": "BadRequestError", "message": "File did not pass the virus scan"}]


def test_only_a_letter_has_a_pdf(client, email_template):
    sent = client.send_email_notification("someone@example.com", email_template,
                                          personalisation={"name": "A", "reference": "R", "decision": "D"})
    with pytest.raises(HTTPError) as raised:
        client.get_pdf_for_letter(sent["id"])
    assert errors_of(raised) == [{"error": "BadRequestError", "message": "Notification is not a letter"}]
    with pytest.raises(HTTPError) as raised:
        client.get_pdf_for_letter("not-a-uuid")
    assert errors_of(raised) == [{"error": "ValidationError", "message": "notification_id is not a valid UUID"}]


def test_a_templated_letters_pdf_holds_its_address(client, letter_template):
    sent = client.send_letter_notification(letter_template, {"address_line_1": "Ms A Taylor",
                                                             "address_line_2": "1 High Street",
                                                             "address_line_3": "SW1A 2AA", "name": "A"})
    pdf = wait_for(lambda: _pdf_or_none(client, sent["id"]))
    assert pdf.startswith(b"%PDF-")
    assert b"Ms A Taylor" in pdf


def _pdf_or_none(client, notify_id):
    try:
        return client.get_pdf_for_letter(notify_id).read()
    except HTTPError:
        return None


def test_a_file_without_a_name_and_windows_text_are_taken(client, file_template):
    """prepare_upload always sends `filename` (None when not given), and text need not be UTF-8."""
    assert LINK.search(send_file(client, file_template, prepare_upload(io.BytesIO(b"%PDF-1.4 x")))
                       ["content"]["body"])
    windows = "Caf\u00e9 \u2013 \u00a3462".encode("cp1252")
    assert LINK.search(send_file(client, file_template, prepare_upload(io.BytesIO(windows), filename="fees.csv"))
                       ["content"]["body"])
