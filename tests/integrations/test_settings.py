"""Integration settings through the real client against the sandbox: verify on save, reasons, the key kept safe."""

import logging
import socket
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import reverse

from integrations.models import Integration
from integrations.services import IntegrationNotVerified, integration_save

pytestmark = pytest.mark.django_db


def row(integration):
    """Everything stored for an integration, to compare before and after."""
    stored = Integration.objects.get(pk=integration.pk)
    return {**model_to_dict(stored), "api_key_encrypted": stored.api_key_encrypted, "key_hint": stored.key_hint,
            "verified_at": stored.verified_at, "service_id": stored.service_id}


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_good_test_key_saves_verified_with_its_templates(integration, notify_key):
    assert integration.verified_at is not None
    assert integration.verified_service.startswith(f"Notify service {notify_key[-73:-37]}")
    assert integration.key_hint == f"test_key-…{notify_key[-4:]}"
    assert notify_key not in integration.api_key_encrypted
    assert integration.decrypted_api_key() == notify_key
    template = integration.notify_templates.get(name="Decision")
    assert template.placeholders == ["reference", "name", "decision"]


def edited(integration, **changes):
    copy = Integration.objects.get(pk=integration.pk)
    for name, value in changes.items():
        setattr(copy, name, value)
    return copy


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("wrong_secret", "Notify refused the API key: Invalid token: API key not found. Check you copied the whole key"),
        ("unknown_service", "Notify refused the API key: Invalid token: service not found."),
        ("unreachable", "Could not connect to 127.0.0.1:"),
        ("server_error", "had a problem (500: Internal server error). Nothing was saved; try again in a few minutes."),
    ],
)
def test_a_failed_check_saves_nothing_and_says_why(integration, sandbox, notify_key, change, reason):
    before = row(integration)
    key, base_url = notify_key, sandbox.base_url
    if change == "wrong_secret":
        key = f"{notify_key[:-36]}{uuid.uuid4()}"
    elif change == "unknown_service":
        key = f"other-{uuid.uuid4()}-{uuid.uuid4()}"
    elif change == "unreachable":
        base_url = f"http://127.0.0.1:{closed_port()}"
    elif change == "server_error":
        sandbox.set_faults(fail_rate=1.0)
    try:
        with pytest.raises(IntegrationNotVerified) as failure:
            integration_save(integration=edited(integration, base_url=base_url, name="Renamed"), new_key=key)
    finally:
        sandbox.set_faults(fail_rate=0.0)
    assert reason in failure.value.reason
    assert row(integration) == before


def test_a_slow_notify_cannot_hang_the_page(integration, sandbox, settings):
    settings.NOTIFY_TIMEOUT_SECONDS = 0.5
    sandbox.set_faults(latency_ms=1500)
    try:
        with pytest.raises(IntegrationNotVerified) as failure:
            integration_save(integration=edited(integration, name="Slow"))
    finally:
        sandbox.set_faults(latency_ms=0)
    assert "did not answer within" in failure.value.reason
    assert Integration.objects.get(pk=integration.pk).name == "Planning"


def test_a_malformed_key_is_refused_before_any_network_call(db):
    integration = Integration(name="Unreachable", enabled=True, base_url=f"http://127.0.0.1:{closed_port()}")
    with pytest.raises(ValueError, match="A Notify API key looks like"):
        integration_save(integration=integration, new_key="not-a-key")
    assert not Integration.objects.exists()


def test_disabled_saves_without_connecting(db, notify_key):
    integration = integration_save(integration=Integration(name="Off", enabled=False,
                                                           base_url=f"http://127.0.0.1:{closed_port()}"),
                                   new_key=notify_key)
    assert integration.pk is not None
    assert integration.verified_at is None


def test_an_empty_key_on_edit_keeps_the_stored_key(integration, notify_key):
    saved = integration_save(integration=edited(integration, name="Renamed"), new_key="")
    assert saved.decrypted_api_key() == notify_key
    assert Integration.objects.get(pk=integration.pk).name == "Renamed"


def test_the_key_never_appears_in_pages_api_or_logs(client, admin, integration, notify_key, caplog, sandbox):
    caplog.set_level(logging.DEBUG)
    client.force_login(admin)
    secret = notify_key[-36:]
    seen = []
    for name in ("general", "references", "templates", "mappings", "log"):
        seen.append(client.get(reverse(f"integrations:{name}", args=[integration.pk])).content.decode())
    seen.append(client.get(reverse("integrations:list")).content.decode())
    seen.append(client.get(f"/api/integrations/{integration.pk}/").content.decode())
    seen.append(client.get("/api/integrations/").content.decode())
    seen.append(client.post(f"/api/integrations/{integration.pk}/verify/").content.decode())
    # Failure paths log too: a wrong key, and Notify failing.
    seen.append(client.post(reverse("integrations:general", args=[integration.pk]), {
        "name": "Planning", "enabled": "on", "service": "custom", "custom_url": sandbox.base_url,
        "api_key": f"{notify_key[:-36]}{uuid.uuid4()}", "rate_limit": 3000}).content.decode())
    sandbox.set_faults(fail_rate=1.0)
    try:
        seen.append(client.post(reverse("integrations:test", args=[integration.pk]), follow=True).content.decode())
    finally:
        sandbox.set_faults(fail_rate=0.0)
    seen.append(caplog.text)
    for text in seen:
        assert secret not in text
        assert notify_key not in text
    assert f"…{secret[-4:]}" in seen[0]


def test_the_general_page_shows_the_reason_and_keeps_the_settings(client, admin, integration, sandbox, notify_key):
    client.force_login(admin)
    before = row(integration)
    typed = f"{notify_key[:-36]}{uuid.uuid4()}"
    response = client.post(reverse("integrations:general", args=[integration.pk]), {
        "name": "Renamed", "enabled": "on", "service": "custom", "custom_url": sandbox.base_url,
        "api_key": typed, "rate_limit": 3000})
    page = response.content.decode()
    assert typed[-36:] not in page  # a key typed in is never echoed back, even a wrong one
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Invalid token: API key not found" in page
    assert row(integration) == before
    response = client.post(reverse("integrations:general", args=[integration.pk]), {
        "name": "Renamed", "enabled": "on", "service": "custom", "custom_url": sandbox.base_url + "/",
        "api_key": "", "rate_limit": 3000}, follow=True)
    assert "Renamed saved and verified with Notify" in response.content.decode()
    saved = Integration.objects.get(pk=integration.pk)
    assert saved.base_url == sandbox.base_url


@pytest.mark.parametrize(("url", "message"), [("ftp://example.com", "Enter an address starting with https://"),
                                              ("", "Enter an address starting with https://")])
def test_a_bad_service_address_is_a_field_error(client, admin, url, message):
    client.force_login(admin)
    response = client.post(reverse("integrations:create"), {"name": "X", "service": "custom", "custom_url": url,
                                                           "rate_limit": 3000})
    assert message in response.content.decode()
    assert not Integration.objects.exists()


def test_rotating_the_encryption_key_keeps_keys_readable(integration, notify_key, settings):
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    new = "bmV3LWtleS1mb3Itcm90YXRpb24tMzItYnl0ZXMhISE="
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, *old]):
        assert Integration.objects.get(pk=integration.pk).decrypted_api_key() == notify_key
        call_command("rotate_encryption_keys")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        assert Integration.objects.get(pk=integration.pk).decrypted_api_key() == notify_key


def test_check_notify_prints_each_result(integration, sandbox, capsys):
    call_command("check_notify")
    assert "Planning: OK: Notify service" in capsys.readouterr().out
    sandbox.set_faults(fail_rate=1.0)
    try:
        with pytest.raises(CommandError, match="1 integration\\(s\\) could not reach Notify"):
            call_command("check_notify", "Planning")
    finally:
        sandbox.set_faults(fail_rate=0.0)
    assert "Planning: FAILED: Notify at" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_key_is_never_labelled_with_a_kind_notify_cannot_confirm(admin_client, sandbox, notify_key):
    """Notify's keys do not say their kind and its API cannot tell it: the product neither asks nor claims it."""
    response = admin_client.post(reverse("integrations:create"), {
        "name": "Claimed live", "enabled": "on", "service": "custom", "custom_url": sandbox.base_url,
        "api_key": notify_key, "key_type": "live", "rate_limit": 3000}, follow=True)
    page = response.content.decode()
    assert "Claimed live saved and verified with Notify" in page
    assert "Live key" not in page
    assert 'name="key_type"' not in page
    assert "What each kind of Notify key does" in page
    listing = admin_client.get(reverse("integrations:list")).content.decode()
    assert "Live key" not in listing
    assert "Test key" not in listing
