"""The integration's address and key are safe from an administrator's mistake or misuse: only Notify's APIs are
called, never an address inside the network, never through a redirect, and the key never reaches an error page."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import Integration
from integrations.notify.addresses import AddressRefused, check_base_url, check_resolves_publicly

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def not_notify():
    """A loopback HTTP server that answers like something other than Notify: set `.reply` to (status, headers, body)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, headers, body = server.reply
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            server.requests.append(self.path)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.reply, server.requests = (200, {"Content-Type": "application/json"}, b"[]"), []
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def create(client, base_url, key):
    return client.post(reverse("integrations:create"), {
        "name": "Odd", "enabled": "on", "service": "custom", "custom_url": base_url, "api_key": key,
        "rate_limit": 3000})


@pytest.mark.parametrize("reply", [
    (200, {"Content-Type": "application/json"}, b"[]"),
    (200, {"Content-Type": "application/json"}, b'{"templates": "nope"}'),
    (200, {"Content-Type": "application/json"}, b'{"templates": [1, 2]}'),
])
def test_an_address_that_answers_unlike_notify_is_a_clear_error_not_a_500(admin_client, api_as, admin, not_notify,
                                                                          notify_key, reply):
    not_notify.reply = reply
    response = create(admin_client, not_notify.base_url, notify_key)
    assert response.status_code == 200
    assert "The address answered, but not as Notify does" in response.content.decode()
    api = api_as(admin).post("/api/integrations/", {"name": "Odd", "enabled": True, "base_url": not_notify.base_url,
                                                    "api_key": notify_key}, format="json")
    assert api.status_code == 400
    assert "not as Notify does" in json.dumps(api.json())
    assert not Integration.objects.exists()


def test_a_redirect_is_refused_and_the_key_is_never_sent_on(admin_client, not_notify, notify_key):
    not_notify.reply = (302, {"Location": "/v2/elsewhere"}, b"")
    page = create(admin_client, not_notify.base_url, notify_key).content.decode()
    assert "answered with a redirect (302)" in page
    assert not_notify.requests == ["/v2/templates"]  # the redirect was not followed


def test_an_unexpected_failure_on_save_shows_no_key_even_on_the_debug_page(admin, settings, monkeypatch,
                                                                            sandbox, notify_key):
    def explode(self, *args, **kwargs):
        raise RuntimeError("something unforeseen")

    monkeypatch.setattr(Integration, "save", explode)  # after the key was checked with Notify
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    pages = [create(client, sandbox.base_url, notify_key),
             client.post("/api/integrations/", {"name": "Odd", "enabled": True, "base_url": sandbox.base_url,
                                                "api_key": notify_key}, content_type="application/json")]
    for response in pages:
        assert response.status_code == 500
        page = response.content.decode()
        assert "something unforeseen" in page  # the debug page itself
        assert notify_key not in page
        assert notify_key[-36:] not in page  # not even the secret alone


@pytest.mark.parametrize(("url", "reason"), [
    ("http://169.254.169.254", "169.254.169.254 is not a Notify API address"),
    ("https://10.0.0.1", "10.0.0.1 is not a Notify API address"),
    ("https://[::1]", "::1 is not a Notify API address"),
    ("http://0.0.0.0", "0.0.0.0 is not a Notify API address"),
    ("https://user@api.notifications.service.gov.uk", "without a user name or password"),
    ("https://api.notifications.service.gov.uk:8443", "without a port"),
    ("http://api.notifications.service.gov.uk", "starting with https://"),
    ("https://api.notifications.service.gov.uk/v2/x", "Enter only the service's address"),
    ("https://evil.example", "evil.example is not a Notify API address"),
])
def test_addresses_that_are_not_notify_are_refused_before_any_call(url, reason):
    with pytest.raises(AddressRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        check_base_url(url)


def test_the_sandbox_on_loopback_only_where_the_settings_allow_it(settings):
    assert check_base_url("http://127.0.0.1:6011/") == "http://127.0.0.1:6011"
    settings.NOTIFY_ALLOW_LOOPBACK = False
    with pytest.raises(AddressRefused, match="127.0.0.1 is not a Notify API address"):
        check_base_url("http://127.0.0.1:6379")


def test_a_listed_host_that_resolves_inside_the_network_is_refused(settings):
    settings.NOTIFY_ALLOW_LOOPBACK = False
    settings.NOTIFY_EXTRA_HOSTS = ["localhost"]
    assert check_base_url("https://localhost") == "https://localhost"
    with pytest.raises(AddressRefused, match="resolves to an address inside a network"):
        check_resolves_publicly("https://localhost")


def test_without_a_settings_module_every_entry_point_uses_the_production_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(SECRET_KEY="x" * 60, FIELD_ENCRYPTION_KEYS="dGVzdC1rZXktb25lLW5vdC1zZWNyZXQtMzItYnl0ZXM=",
               DATABASE_URL="sqlite:////tmp/unused.sqlite3", ALLOWED_HOSTS="example.gov.uk")
    managed = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                              "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
    assert managed.stdout.splitlines()[-1].split() == ["config.settings.production", "False"], managed.stderr
    celery = subprocess.run([sys.executable, "-c", "import os, config.celery_app; "
                             "print(os.environ['DJANGO_SETTINGS_MODULE'])"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert celery.stdout.strip() == "config.settings.production", celery.stderr


def test_the_stored_key_is_never_sent_to_a_new_address_without_being_entered_again(admin_client, api_as, admin,
                                                                                   integration, not_notify,
                                                                                   notify_key, sandbox):
    response = api_as(admin).patch(f"/api/integrations/{integration.pk}/", {"base_url": not_notify.base_url},
                                   format="json")
    assert response.status_code == 400
    assert "Enter the API key again" in response.json()["api_key"][0]
    page = admin_client.post(reverse("integrations:general", args=[integration.pk]), {
        "name": integration.name, "enabled": "on", "service": "custom", "custom_url": not_notify.base_url,
        "api_key": "", "rate_limit": 3000}).content.decode()
    assert "Enter the API key again" in page
    assert not_notify.requests == []  # nothing signed with the stored key went to the new address
    assert Integration.objects.get(pk=integration.pk).base_url == sandbox.base_url
    moved = api_as(admin).patch(f"/api/integrations/{integration.pk}/",
                                {"base_url": sandbox.base_url + "/", "api_key": notify_key}, format="json")
    assert moved.status_code == 200  # with the key typed again, the address may change


def test_no_cell_of_the_log_export_runs_as_a_formula(admin_client, integration, api_as, admin):
    from integrations.log import LogEntry

    LogEntry.objects.create(integration=integration, channel="email", status="failed", reference="csv-1",
                            recipient="=cmd|'/ccalc'!A0@example.com", rule_name='=HYPERLINK("http://x","y")',
                            mapping_template_name="+1", reason="-2 @here", case_reference="\tx")
    for response in (admin_client.get(reverse("log:export")), api_as(admin).get("/api/log/export.csv")):
        text = b"".join(response.streaming_content).decode()
        row = text.splitlines()[1]
        assert "'=cmd|'/ccalc'!A0@example.com" in row
        assert "'=HYPERLINK(" in row
        assert ",'+1," in row
        assert "'-2 @here" in row
        assert "'\tx" in row



def test_a_host_that_does_not_resolve_just_now_is_retried_not_failed(settings):
    from integrations.notify.client import NotifyGateway
    from integrations.notify.errors import Retryable

    settings.NOTIFY_EXTRA_HOSTS = ["no-such-host.invalid"]
    gateway = NotifyGateway(api_key="k-" + "0" * 36 + "-" + "1" * 36, base_url="https://no-such-host.invalid")
    with pytest.raises(Retryable, match="could not be found"):
        gateway.templates()
