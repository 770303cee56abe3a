"""Sign-in, throttling, CSRF and the headers every page carries."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_in_takes_each_role_to_its_work(client, caseworker, auditor):
    response = client.post(reverse("accounts:login"), {"username": "caseworker", "password": "correct horse battery staple"})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 302  # home sends caseworkers to the case list
    assert client.get(reverse("home")).url == reverse("cases:case_list")
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:login"), {"username": "auditor", "password": "correct horse battery staple"})
    assert client.get(reverse("home")).url == reverse("log:list")


def test_a_wrong_password_is_refused_with_an_error_summary(client, caseworker):
    response = client.post(reverse("accounts:login"), {"username": "caseworker", "password": "wrong"})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct username and password" in response.content


def test_repeated_failures_lock_the_account_out(client, caseworker):
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "caseworker", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "caseworker", "password": "correct horse battery staple"})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content


def test_forms_need_the_csrf_token(caseworker):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "caseworker", "password": "correct horse battery staple"})
    assert response.status_code == 403


def test_pages_carry_a_content_security_policy_with_a_nonce(client):
    response = client.get(reverse("accounts:login"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"'.encode() in response.content
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_pages_get_the_service_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Traceback" not in response.content
