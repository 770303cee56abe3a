"""Fixtures shared by the whole suite. Tests run on real PostgreSQL (see config/settings/test.py)."""

import pytest
from rest_framework.test import APIClient

from integrations.models import Integration
from notify_sandbox.testing import SandboxServer
from tests import factories
from tests.timing import FACTOR, scaled


@pytest.fixture(autouse=True)
def no_sends_waiting_from_earlier_tests():
    """Tests publish send tasks that no worker takes; their count of waiting sends (integrations.turns) would make
    a later test's integration take turns with integrations that no longer exist."""
    from integrations import turns

    turns.forget()


def pytest_collection_modifyitems(config, items):
    """Scale every test's time limit (its own timeout mark, or the suite's) by TEST_TIMEOUT_FACTOR."""
    if FACTOR == 1:
        return
    default = float(config.getini("timeout") or 300)
    for item in items:
        mark = item.get_closest_marker("timeout")
        seconds = mark.args[0] if mark and mark.args else default
        item.add_marker(pytest.mark.timeout(scaled(seconds)), append=False)


@pytest.fixture
def admin(db):
    return factories.admin_user()


@pytest.fixture
def caseworker(db):
    return factories.caseworker_user()


@pytest.fixture
def auditor(db):
    return factories.auditor_user()


@pytest.fixture
def case_type(db):
    return factories.planning_case_type()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient authenticated as that user (session-less, forced)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session")
def sandbox():
    with SandboxServer(rate_limit="off", delivery_seconds=1.0) as server:
        yield server


@pytest.fixture(scope="session")
def notify_key(sandbox):
    """A test key of the sandbox's default service, which has an email template."""
    sandbox.create_template("email", name="Decision", subject="Your application ((reference))",
                            body="Dear ((name)), your application was ((decision)).")
    return sandbox.create_key("test")


@pytest.fixture
def integration(db, sandbox, notify_key):
    from integrations.services import integration_save

    integration = Integration(name="Planning", enabled=True, base_url=sandbox.base_url)
    return integration_save(integration=integration, new_key=notify_key)
