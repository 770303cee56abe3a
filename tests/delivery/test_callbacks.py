"""Notify's delivery-status callback: only the integration's own token is let in, a bad body changes nothing,
and every good report is stored before the answer, applied to its message, and never moves it backwards."""

import re

import pytest
from django.db import connection

from integrations.delivery.models import DeliveryEvent
from integrations.delivery.record import history
from integrations.log import LogEntry, Status

from .conftest import callback_body, post_callback

pytestmark = pytest.mark.django_db


def test_a_delivered_callback_is_stored_and_shown_on_its_message(client, integration, tokens, sent_entry):
    entry = sent_entry()
    response = post_callback(client, integration, callback_body(entry), tokens["delivery_status_token"])
    assert response.status_code == 200
    assert response.json() == {"stored": True, "matched": True, "applied": True}
    entry.refresh_from_db()
    assert (entry.delivery_status, entry.delivery_status_at.isoformat()) == ("delivered", "2026-12-01T10:00:05+00:00")
    assert [(h["status"], h["source"]) for h in history(entry)] == [("delivered", "callback")]


@pytest.mark.parametrize("header", [None, "Bearer not-the-token", "Basic abc", "Bearer "])
def test_a_missing_or_wrong_token_is_401_and_writes_nothing(client, integration, tokens, sent_entry, header):
    entry = sent_entry()
    url_token = None if header is None else header
    from django.urls import reverse

    extra = {"HTTP_AUTHORIZATION": url_token} if url_token else {}
    response = client.post(reverse("notify_callbacks:delivery_status", args=[integration.callback_id]),
                           data=callback_body(entry), content_type="application/json", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert DeliveryEvent.objects.count() == 0
    entry.refresh_from_db()
    assert entry.delivery_status == ""


def test_another_integrations_token_is_refused(client, integration, other_integration, tokens, sent_entry):
    from integrations.delivery.tokens import make_callback_tokens

    theirs = make_callback_tokens(other_integration)
    entry = sent_entry()
    response = post_callback(client, integration, callback_body(entry), theirs["delivery_status_token"])
    assert response.status_code == 401
    # Their own address with their token is let in, but does not reach this integration's message.
    response = post_callback(client, other_integration, callback_body(entry), theirs["delivery_status_token"])
    assert response.json()["matched"] is False
    entry.refresh_from_db()
    assert entry.delivery_status == ""


def test_a_replayed_body_with_a_changed_status_and_the_wrong_token_changes_nothing(client, integration, tokens,
                                                                                   sent_entry):
    entry = sent_entry()
    body = callback_body(entry, "delivered")
    assert post_callback(client, integration, body, tokens["delivery_status_token"]).status_code == 200
    forged = {**body, "status": "permanent-failure"}
    assert post_callback(client, integration, forged, "a-guessed-token-1234567890").status_code == 401
    entry.refresh_from_db()
    assert entry.delivery_status == "delivered"
    assert DeliveryEvent.objects.count() == 1


def test_rotated_tokens_stop_the_old_one_at_once(client, integration, tokens, sent_entry):
    from integrations.delivery.tokens import make_callback_tokens

    entry = sent_entry()
    new = make_callback_tokens(integration)
    assert post_callback(client, integration, callback_body(entry), tokens["delivery_status_token"]).status_code == 401
    assert post_callback(client, integration, callback_body(entry), new["delivery_status_token"]).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [({"id": "not-a-uuid", "status": "delivered"}, "id"),
     ({"id": "7b3b4a0e-96a1-4a6a-9d5e-0c5b8f2c1a11", "status": "lost-in-the-post"}, "status"),
     ({"id": "7b3b4a0e-96a1-4a6a-9d5e-0c5b8f2c1a11"}, "status"),
     ({"id": "7b3b4a0e-96a1-4a6a-9d5e-0c5b8f2c1a11", "status": "delivered", "completed_at": "yesterday"}, "completed_at")],
)
def test_a_body_that_is_not_a_callback_is_400_naming_the_field(client, integration, tokens, body, field):
    response = post_callback(client, integration, body, tokens["delivery_status_token"])
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert DeliveryEvent.objects.count() == 0


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", "null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(client, integration, tokens, raw):
    response = post_callback(client, integration, raw, tokens["delivery_status_token"])
    assert response.status_code == 400
    assert DeliveryEvent.objects.count() == 0


def test_a_body_over_16_kb_is_413(client, integration, tokens, sent_entry):
    entry = sent_entry()
    body = {**callback_body(entry), "padding": "x" * 17000}
    response = post_callback(client, integration, body, tokens["delivery_status_token"])
    assert response.status_code == 413
    assert DeliveryEvent.objects.count() == 0


def test_an_unknown_integration_is_404(client, tokens, sent_entry):
    from django.urls import reverse

    response = client.post(reverse("notify_callbacks:delivery_status", args=["00000000-0000-0000-0000-000000000000"]),
                           data="{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 404


def test_no_session_or_csrf_token_is_needed(integration, tokens, sent_entry):
    from django.test import Client

    entry = sent_entry()
    strict = Client(enforce_csrf_checks=True)
    response = post_callback(strict, integration, callback_body(entry), tokens["delivery_status_token"])
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("reports", "final"),
    [(["delivered", "delivered"], "delivered"),  # a duplicate changes nothing
     (["delivered", "sending"], "delivered"),  # a late intermediate status never overwrites a final one
     (["temporary-failure", "delivered"], "delivered"),  # delivered after a temporary failure is fine
     (["delivered", "temporary-failure"], "delivered"),
     (["permanent-failure", "delivered"], "permanent-failure")],  # the first final status stands
)
def test_a_status_never_goes_backwards_and_each_change_is_kept_once(client, integration, tokens, sent_entry, reports,
                                                                    final):
    entry = sent_entry()
    for status in reports:
        assert post_callback(client, integration, callback_body(entry, status),
                             tokens["delivery_status_token"]).status_code == 200
    entry.refresh_from_db()
    assert entry.delivery_status == final
    changes = [h["status"] for h in history(entry)]
    assert changes == sorted(set(changes), key=changes.index)  # no status twice
    assert changes[-1] == final
    assert DeliveryEvent.objects.filter(entry=entry).count() == len(reports)  # every report kept


def test_a_callback_before_the_worker_wrote_the_notify_id_is_matched_by_reference(client, integration, tokens,
                                                                                   sent_entry):
    entry = sent_entry(status=Status.SENDING)
    body = callback_body(entry, notify_id="0d0c3c39-5c43-4a3a-8d7c-1d4ff0a0c0de")
    assert post_callback(client, integration, body, tokens["delivery_status_token"]).json()["applied"] is True
    # The worker then records the send: the status stays.
    from integrations.sending import _mark_sent

    _mark_sent(entry, "0d0c3c39-5c43-4a3a-8d7c-1d4ff0a0c0de")
    entry.refresh_from_db()
    assert (entry.status, entry.delivery_status) == (Status.SENT, "delivered")


def test_a_callback_that_matches_nothing_is_kept_and_applied_when_its_entry_is_sent(client, integration, tokens,
                                                                                    sent_entry):
    entry = sent_entry(status=Status.SENDING)
    notify_id = "5a5e1d2c-0b7f-4d0e-9a8e-3f1c2b4d6e8f"
    body = callback_body(entry, notify_id=notify_id, reference="")  # no reference to match by
    assert post_callback(client, integration, body, tokens["delivery_status_token"]).json() == {
        "stored": True, "matched": False, "applied": False}
    from integrations.sending import _mark_sent

    _mark_sent(entry, notify_id)
    entry.refresh_from_db()
    assert entry.delivery_status == "delivered"
    assert DeliveryEvent.objects.get().entry_id == entry.pk


def test_when_the_status_cannot_be_stored_notify_is_told_to_try_again(client, integration, tokens, sent_entry):
    """A 5xx, so that Notify sends it again; the fault is a real lock the store cannot get, not a pretend error."""
    from django.db import connections

    entry = sent_entry()
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '100ms'")
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("LOCK TABLE integrations_deliveryevent IN ACCESS EXCLUSIVE MODE NOWAIT")
        response = post_callback(client, integration, callback_body(entry), tokens["delivery_status_token"])
    finally:
        other.rollback()
        other.close()
    assert response.status_code == 503
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = 0")
    # Notify's next try is stored.
    assert post_callback(client, integration, callback_body(entry), tokens["delivery_status_token"]).status_code == 200
    assert LogEntry.objects.get(pk=entry.pk).delivery_status == "delivered"


def test_new_tokens_are_shown_once_and_a_reload_makes_no_more(client, integration, sent_entry):
    from django.urls import reverse

    from tests.factories import admin_user

    client.force_login(admin_user())
    url = reverse("integrations:callbacks", args=[integration.pk])
    made = client.post(url, follow=True).content.decode()
    token = re.search(r'id="delivery-status-token">([^<]+)<', made).group(1)
    again = client.get(url).content.decode()  # a reload of the page the POST went to
    assert token not in again
    assert "not shown again" in again
    entry = sent_entry()
    assert post_callback(client, integration, callback_body(entry), token).status_code == 200
