"""An administrator sets up a Notify integration: a bad key shows the reason, a good key is verified."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from integrations.models import Integration
from notify_sandbox.testing import SandboxServer

from .conftest import check_accessibility, sign_in, visit


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(rate_limit="off") as server:
        server.create_template("email", name="Decision", subject="Hello", body="Hello ((name))")
        yield server


def test_an_admin_saves_a_bad_key_then_a_good_one(page, users, sandbox):
    good_key = sandbox.create_key("test")
    bad_key = f"{good_key[:-36]}{uuid.uuid4()}"
    sign_in(page, users["admin"])
    visit(page, "/settings/integrations/new/")
    page.get_by_label("Name").fill("Planning")
    page.get_by_label("Enabled").check()
    page.get_by_label("Another address, for example a local sandbox").check()
    page.get_by_label("Service address").fill(sandbox.base_url)
    page.get_by_label("API key").fill(bad_key)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Notify refused the API key: Invalid token: API key not found")
    check_accessibility(page)
    assert not Integration.objects.exists()

    page.get_by_label("API key").fill(good_key)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Planning saved and verified with Notify")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Verified \d"))).to_be_visible()
    check_accessibility(page)
    assert good_key[-36:] not in page.content()
    page.get_by_role("link", name="Notify templates").click()
    expect(page.get_by_role("cell", name="Decision")).to_be_visible()
    check_accessibility(page)
    integration = Integration.objects.get()
    assert integration.verified_at is not None
