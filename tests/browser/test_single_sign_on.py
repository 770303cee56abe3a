"""Staff sign in with the council's identity provider: a real OpenID Connect provider (the npm package
oidc-provider, started here), driven in Chromium. Roles come from its groups claim at every sign-in; someone in no
mapped group is refused with a page that says why; a tampered ID token is refused; signing out signs out at the
provider too; password sign-in can be turned off."""

import base64
import copy
import json
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from playwright.sync_api import expect

from accounts.roles import ADMINISTRATORS, AUDITORS, CASEWORKERS
from tests.workers import free_port

from .conftest import visit

ROOT = Path(__file__).resolve().parent.parent.parent
CLIENT_SECRET = "a-test-client-secret-of-enough-length"


@pytest.fixture
def provider(live_server, settings):
    port = free_port()
    process = subprocess.Popen(["node", str(ROOT / "tests" / "oidc" / "provider.mjs"), str(port),
                                f"{live_server.url}/accounts/sso/callback/", f"{live_server.url}/accounts/login/"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in process.stdout:  # its own word that it listens (no sleep)
        if "ready on" in line:
            break
    else:
        raise RuntimeError("oidc-provider did not start")
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}"
    settings.OIDC_RP_CLIENT_ID = "case-notifications"
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Council account"
    settings.OIDC_ROLE_GROUPS = {"notify-admins": ADMINISTRATORS, "notify-caseworkers": CASEWORKERS,
                                 "notify-auditors": AUDITORS}
    settings.TWO_FACTOR_FOR_ADMINS = True  # an administrator from the provider is not asked for our code
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)  # as config/settings/base.py does for OIDC_ISSUER
    policy["DIRECTIVES"]["form-action"].append(settings.OIDC_ISSUER)
    settings.CONTENT_SECURITY_POLICY = policy
    yield settings.OIDC_ISSUER
    process.terminate()
    process.wait(10)


def sso_sign_in(page, login):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Council account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()  # the provider's consent
    page.wait_for_load_state()


def test_an_administrator_signs_in_with_the_provider_and_gets_the_role_of_their_group(page, provider):
    sso_sign_in(page, "ada")
    expect(page.get_by_role("link", name="Notify")).to_be_visible()  # an administrator's navigation
    assert page.url.endswith("/cases/")
    user = User.objects.get(username="ada@council.example")
    assert list(user.groups.values_list("name", flat=True)) == [ADMINISTRATORS]
    assert not user.has_usable_password()
    visit(page, "/settings/integrations/")  # no two-factor detour: the provider did its own


def test_roles_are_refreshed_at_each_sign_in(page, provider):
    casey = User.objects.create_user("casey@council.example", email="casey@council.example")
    casey.groups.add(Group.objects.get(name=AUDITORS))  # what the groups claim said last time
    sso_sign_in(page, "casey")
    assert sorted(casey.groups.values_list("name", flat=True)) == [CASEWORKERS]
    expect(page.get_by_role("link", name="Cases")).to_be_visible()
    expect(page.get_by_role("link", name="Integration log")).to_have_count(0)


def test_someone_in_no_mapped_group_is_refused_and_told_why(page, provider):
    sso_sign_in(page, "nobody")
    expect(page.get_by_role("heading", name="You could not be signed in")).to_be_visible()
    expect(page.get_by_text("not in any of the groups this service gives roles to")).to_be_visible()
    assert not User.objects.filter(username="nobody@council.example").exists()
    page.goto("/cases/")
    assert "/accounts/login/" in page.url


def test_a_local_account_with_a_password_is_not_taken_over(page, provider):
    local = User.objects.create_user("ada@council.example", email="ada@council.example", password="local-pass-1234")
    local.groups.add(Group.objects.get(name=CASEWORKERS))
    sso_sign_in(page, "ada")
    expect(page.get_by_text("An account with a password already uses this email address")).to_be_visible()
    assert list(local.groups.values_list("name", flat=True)) == [CASEWORKERS]  # not made an administrator


def test_a_tampered_id_token_is_refused(page, provider, client):
    from accounts.sso import RoleMappingBackend

    sso_sign_in(page, "audrey")
    session = page.context.cookies()
    from django.contrib.sessions.models import Session

    key = next(c["value"] for c in session if c["name"] == "sessionid")
    token = Session.objects.get(session_key=key).get_decoded()["oidc_id_token"]
    backend = RoleMappingBackend()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert backend.verify_token(token, nonce=claims["nonce"])["sub"] == "audrey"  # the real one verifies
    claims["groups"] = ["notify-admins"]  # an auditor who would like to be an administrator
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    from django.core.exceptions import SuspiciousOperation

    with pytest.raises(SuspiciousOperation, match="JWS token verification failed"):
        backend.verify_token(f"{header}.{forged}.{signature}", nonce=claims["nonce"])


def test_signing_out_signs_out_at_the_provider_too(page, provider):
    sso_sign_in(page, "casey")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider}/**")  # the provider's sign-out (RP-initiated logout)
    page.locator("button[autofocus], button[type=submit]").first.click()  # "Yes, sign me out"
    page.wait_for_url("**/accounts/login/")
    page.goto("/cases/")
    assert "/accounts/login/" in page.url


def test_password_sign_in_can_be_turned_off(page, provider, settings, users):
    settings.LOCAL_LOGIN_ENABLED = False
    page.goto("/accounts/login/")
    expect(page.get_by_role("link", name="Sign in with Council account")).to_be_visible()
    expect(page.locator("input[name=password]")).to_have_count(0)
    refused = page.request.post("/accounts/login/", form={"username": "admin", "password": "demo-admin"})
    assert refused.status == 403
