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


def test_spraying_many_usernames_from_one_address_locks_that_address(client, caseworker, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    for n in range(10):
        client.post(reverse("accounts:login"), {"username": f"user{n}", "password": "wrong"})
    response = client.post(reverse("accounts:login"), {"username": "caseworker",
                                                       "password": "correct horse battery staple"})
    assert response.status_code == 429
    other = Client(REMOTE_ADDR="192.0.2.44")  # another address is not held back
    assert other.post(reverse("accounts:login"), {"username": "caseworker",
                                                  "password": "correct horse battery staple"}).status_code == 302


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own_address(caseworker, settings):
    from django.test import override_settings

    with override_settings(TRUSTED_PROXIES=["10.9.0.2"]):
        for _ in range(5):
            Client(REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").post(
                reverse("accounts:login"), {"username": "caseworker", "password": "wrong"})
        locked = Client(REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7").post(
            reverse("accounts:login"), {"username": "caseworker", "password": "correct horse battery staple"})
        elsewhere = Client(REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8").post(
            reverse("accounts:login"), {"username": "caseworker", "password": "correct horse battery staple"})
    assert locked.status_code == 429
    assert elsewhere.status_code == 302  # the same username from another client, through the same proxy


def test_forwarded_headers_from_a_client_that_is_not_the_proxy_are_ignored(caseworker, settings):
    from django.test import override_settings

    with override_settings(TRUSTED_PROXIES=["10.9.0.2"], SECURE_SSL_REDIRECT=True,
                           SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        spoofed = Client(REMOTE_ADDR="203.0.113.9").get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
        proxied = Client(REMOTE_ADDR="10.9.0.2").get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301  # still sent to HTTPS: the claim was not believed
    assert proxied.status_code == 200


def test_signed_in_responses_are_never_stored_and_every_response_limits_browser_features(client, caseworker,
                                                                                          api_as):
    anonymous = client.get(reverse("accounts:login"))
    assert "camera=()" in anonymous["Permissions-Policy"]
    client.force_login(caseworker)
    for url in (reverse("cases:case_list"), "/api/cases/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    token_response = api_as(caseworker).get("/api/cases/")
    assert "no-store" in token_response["Cache-Control"]



def test_through_a_chain_of_trusted_proxies_the_client_is_the_first_address_that_is_not_one():
    from django.http import HttpResponse
    from django.test import RequestFactory, override_settings

    from accounts.security import TrustedProxyMiddleware

    seen = {}

    def view(request):
        seen["address"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    with override_settings(TRUSTED_PROXIES=["10.9.0.0/24"]):
        middleware = TrustedProxyMiddleware(view)
        for forwarded, client in [("198.51.100.7, 10.9.0.3", "198.51.100.7"),
                                  ("203.0.113.1, 198.51.100.7, 10.9.0.3", "198.51.100.7"),
                                  ("not-an-address", "10.9.0.2"), ("198.51.100.7, garbage", "10.9.0.2")]:
            middleware(RequestFactory().get("/", REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR=forwarded))
            assert seen["address"] == client, forwarded
