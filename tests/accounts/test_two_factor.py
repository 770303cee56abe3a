"""An administrator signs in with a password and a code from an authenticator app; the first time they set the
app up and get recovery codes. Caseworkers and auditors are not asked; the demo's users are exempt only under
DEMO_MODE."""

import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import ADMINISTRATORS, CASEWORKERS
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-enough-password-1"


@pytest.fixture(autouse=True)
def required(settings):
    settings.TWO_FACTOR_FOR_ADMINS = True
    settings.LOCAL_LOGIN_ENABLED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0  # throttling: its own test


def person(role, username):
    user = user_with_role(role, username)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}, follow=True)


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_an_administrator_sets_up_the_app_then_signs_in_with_a_code(client):
    person(ADMINISTRATORS, "ada")
    page = sign_in(client, "ada")
    assert page.redirect_chain[-1][0].startswith(reverse("accounts:two_factor_setup"))
    assert "<svg" in page.content.decode()  # the QR code
    assert client.get(reverse("cases:case_list")).status_code == 302  # nothing else until it is set up
    assert client.get("/api/cases/").status_code == 403
    device = TOTPDevice.objects.get(user__username="ada")
    done = client.post(reverse("accounts:two_factor_setup"), {"code": code_for(device), "next": "/cases/"})
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())
    assert len(codes) == 10, done.content.decode()[-3000:]
    assert client.get(reverse("cases:case_list")).status_code == 200

    client.post(reverse("accounts:logout"))
    again = sign_in(client, "ada")
    assert again.redirect_chain[-1][0].startswith(reverse("accounts:two_factor_verify"))
    recovered = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0], "next": "/cases/"})
    assert recovered.status_code == 302
    assert client.get(reverse("cases:case_list")).status_code == 200
    client.post(reverse("accounts:logout"))
    sign_in(client, "ada")
    reused = client.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    assert "used already" in reused.content.decode()


def test_a_superuser_is_asked_as_an_administrator_is(client):
    from django.contrib.auth.models import User

    User.objects.create_superuser("root", "root@example.org", PASSWORD)
    assert sign_in(client, "root").redirect_chain[-1][0].startswith(reverse("accounts:two_factor_setup"))


def test_caseworkers_are_not_asked_and_the_demo_admin_only_in_demo_mode(client, settings):
    person(CASEWORKERS, "casey")
    assert sign_in(client, "casey").redirect_chain[-1][0] == reverse("cases:case_list")
    client.post(reverse("accounts:logout"))
    person(ADMINISTRATORS, "admin")
    settings.DEMO_MODE = True
    assert sign_in(client, "admin").redirect_chain[-1][0] == reverse("cases:case_list")
    client.post(reverse("accounts:logout"))
    settings.DEMO_MODE = False
    assert sign_in(client, "admin").redirect_chain[-1][0].startswith(reverse("accounts:two_factor_setup"))


def test_wrong_codes_make_the_next_try_wait_and_say_so(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 600  # a wait no test run outlasts
    user = person(ADMINISTRATORS, "ada")
    device = TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    sign_in(client, "ada")
    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"}).content.decode()
    assert "The code is not right" in wrong
    right = client.post(reverse("accounts:two_factor_verify"), {"code": code_for(device)}).content.decode()
    assert "Too many wrong codes: try again in" in right
    assert client.get(reverse("cases:case_list")).status_code == 302
