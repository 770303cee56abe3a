"""A Notify sandbox for the integration tests, and integrations pointed at it."""

import pytest

from integrations.models import Integration
from notify_sandbox.testing import SandboxServer


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
