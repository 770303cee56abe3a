"""API tokens: stored hashed, with an expiry, revocable; made and revoked with `manage.py api_token`."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from knox.models import AuthToken

pytestmark = pytest.mark.django_db


def make_token(username, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_a_token_works_is_stored_only_as_a_hash_and_expires(client, caseworker):
    token, note = make_token("caseworker", "--days", "30")
    assert "Expires" in note
    assert client.get("/api/cases/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    stored = AuthToken.objects.get(user=caseworker)
    assert token not in (stored.digest, stored.token_key)  # only a hash and the first characters are kept
    assert stored.digest != token
    assert timezone.now() + datetime.timedelta(days=29) < stored.expiry < timezone.now() + datetime.timedelta(days=31)
    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get("/api/cases/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


def test_tokens_can_be_revoked_one_at_a_time_or_all(client, caseworker):
    first, _ = make_token("caseworker")
    second, _ = make_token("caseworker")
    out = io.StringIO()
    call_command("api_token", "revoke", "caseworker", "--start", first[:8], stdout=out)
    assert "Revoked 1 token" in out.getvalue()
    assert client.get("/api/cases/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert client.get("/api/cases/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
    call_command("api_token", "revoke", "caseworker", stdout=io.StringIO())
    assert client.get("/api/cases/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 401
