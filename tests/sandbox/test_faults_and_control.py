"""Faults for testing the product, the control API, raw-HTTP validation, persistence and the CLI."""

import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from notifications_python_client.errors import HTTP503Error, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from notify_sandbox.testing import ROOT, SandboxServer


def raw_post(sandbox, path, key, data):
    from notifications_python_client.authentication import create_jwt_token

    token = create_jwt_token(key[-36:], key[-73:-37])
    request = urllib.request.Request(f"{sandbox.base_url}{path}", data=data, method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (b"{not json", [{"error": "BadRequestError", "message": "Invalid JSON supplied in POST data"}]),
        (json.dumps({"template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a"}).encode(),
         [{"error": "ValidationError", "message": "email_address is a required property"}]),
        (json.dumps({"email_address": "a@example.com", "template_id": "nope"}).encode(),
         [{"error": "ValidationError", "message": "template_id is not a valid UUID"}]),
        (json.dumps({"email_address": "a@example.com", "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
                     "colour": "red"}).encode(),
         [{"error": "ValidationError", "message": "Additional properties are not allowed (colour was unexpected)"}]),
        (json.dumps({"template_id": "x", "personalisation": "y"}).encode(),
         [{"error": "ValidationError", "message": "email_address is a required property"},
          {"error": "ValidationError", "message": "template_id is not a valid UUID"},
          {"error": "ValidationError", "message": "personalisation y is not of type object"}]),
    ],
)
def test_schema_errors_come_together_in_notifys_shape(sandbox, test_key, body, errors):
    status, response = raw_post(sandbox, "/v2/notifications/email", test_key, body)
    assert (status, response) == (400, {"errors": errors, "status_code": 400})


def test_fail_rate_one_answers_500_to_everything(sandbox, client, email_template):
    sandbox.set_faults(fail_rate=1.0)
    try:
        for call in (lambda: client.get_all_templates(),
                     lambda: client.send_email_notification("a@example.com", email_template)):
            with pytest.raises(HTTPError) as raised:
                call()
            assert raised.value.status_code == 500
            assert raised.value.message == [{"error": "Exception", "message": "Internal server error"}]
    finally:
        sandbox.set_faults(fail_rate=0.0)


def test_a_timeout_still_creates_the_notification(sandbox, test_key, sms_template):
    sandbox.set_faults(timeout_rate=1.0, timeout_seconds=2.0)
    impatient = NotificationsAPIClient(test_key, base_url=sandbox.base_url, timeout=0.5)
    try:
        with pytest.raises(HTTP503Error):
            impatient.send_sms_notification("07700900123", sms_template, personalisation={"name": "A", "date": "B"},
                                            reference="timed-out")
    finally:
        sandbox.set_faults(timeout_rate=0.0)
    assert len(sandbox.notifications(reference="timed-out")) == 1
    assert sandbox.control("GET", "faults")["timeout_rate"] == 0.0


def test_counts_show_duplicates_per_reference(sandbox, client, sms_template):
    for _ in range(2):
        client.send_sms_notification("07700900123", sms_template, personalisation={"name": "A", "date": "B"},
                                     reference="twice")
    counts = sandbox.counts()
    assert counts["by_reference"]["twice"] == 2
    assert counts["duplicates"]["twice"] == 2


def test_state_survives_a_restart_and_reset_clears_notifications():
    with SandboxServer() as server:
        key = server.create_key("test")
        template = server.create_template("sms", body="Hi")
        client = NotificationsAPIClient(key, base_url=server.base_url)
        sent = client.send_sms_notification("07700900123", template, reference="kept")
        server.restart()
        assert client.get_notification_by_id(sent["id"])["reference"] == "kept"
        server.reset()
        assert server.notifications() == []
        assert client.get_template(template)["id"] == template  # templates and keys stay


def run_cli(data, *args):
    result = subprocess.run([sys.executable, "-m", "notify_sandbox", *args, "--data", str(data)], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_the_command_line_makes_services_keys_and_templates_the_server_sees(tmp_path):
    data = tmp_path / "cli.sqlite3"
    service_id = run_cli(data, "create-service", "--service-name", "Council", "--rate-limit", "600/12",
                         "--daily-limit", "email=5,sms=5", "--team-member", "a@example.com")
    key = run_cli(data, "create-key", "--type", "live", "--service-name", "Council")
    assert key.startswith("live_key-") or key[-73:-37] == service_id
    assert key[-73:-37] == service_id
    with SandboxServer(data=data) as server:
        client = NotificationsAPIClient(key, base_url=server.base_url)
        template = run_cli(data, "create-template", "--service-name", "Council", "--type", "email", "--name", "N",
                           "--subject", "S", "--body", "Hello ((name))")
        assert client.get_template(template)["version"] == 1  # made while the server runs, seen at once
        run_cli(data, "create-template", "--service-name", "Council", "--type", "email", "--name", "N", "--subject",
                "S", "--body", "Hello ((name)) again", "--id", template)
        assert client.get_template(template)["version"] == 2
        assert client.send_email_notification("a@example.com", template, personalisation={"name": "A"})["id"]
        run_cli(data, "revoke-key", key)
        with pytest.raises(HTTPError) as raised:
            client.get_all_templates()
        assert raised.value.message[0]["message"] == "Invalid token: API key revoked"


def control_post(sandbox, path, body=b"{}", **headers):
    request = urllib.request.Request(f"{sandbox.base_url}/_sandbox/{path}", data=body, method="POST",
                                     headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(("headers", "status", "message"), [
    ({"Content-Type": "text/plain"}, 415, "must be JSON"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, 415, "must be JSON"),
    ({"Content-Type": "application/json", "Origin": "https://evil.example"}, 403, "requests from web pages"),
    ({"Content-Type": "application/json", "Host": "rebind.evil.example"}, 403, "loopback address"),
    ({"Content-Type": "application/json", "Host": "rebind.evil.example:6011"}, 403, "loopback address"),
])
def test_a_web_page_cannot_drive_the_control_api(sandbox, headers, status, message):
    before = sandbox.control("GET", "faults")
    code, body = control_post(sandbox, "faults", json.dumps({"fail_rate": 1.0}).encode(), **headers)
    assert (code, body["errors"][0]["message"].find(message) >= 0) == (status, True)
    assert sandbox.control("GET", "faults") == before  # nothing changed
    code, _ = control_post(sandbox, "keys", json.dumps({"type": "live"}).encode(), **headers)
    assert code == status  # and no key was minted


def test_the_control_api_answers_its_own_json_requests(sandbox):
    port = sandbox.base_url.rsplit(":", 1)[1]
    code, _ = control_post(sandbox, "faults", json.dumps({"latency_ms": 0}).encode(),
                           **{"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{port}"})
    assert code == 200
