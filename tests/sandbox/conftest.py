"""One sandbox server for the sandbox tests, driven through the real notifications-python-client."""

import pytest
from notifications_python_client.notifications import NotificationsAPIClient

from notify_sandbox.testing import SandboxServer


@pytest.fixture(scope="session")
def sandbox():
    with SandboxServer(rate_limit="off", delivery_seconds=1.0) as server:
        yield server


@pytest.fixture(scope="session")
def test_key(sandbox):
    return sandbox.create_key("test")


@pytest.fixture(scope="session")
def client(sandbox, test_key):
    return NotificationsAPIClient(test_key, base_url=sandbox.base_url)


@pytest.fixture(scope="session")
def email_template(sandbox):
    return sandbox.create_template("email", name="Decision", subject="Your application ((reference))",
                                   body="Dear ((name)),\n\nYour application was ((decision)).")


@pytest.fixture(scope="session")
def sms_template(sandbox):
    return sandbox.create_template("sms", name="Reminder", body="Hi ((name)), your visit is on ((date)).")


@pytest.fixture(scope="session")
def letter_template(sandbox):
    return sandbox.create_template("letter", name="Decision letter", subject="Decision", body="Dear ((name))")


def errors_of(raised):
    """The errors list of a client exception (raised.value from pytest.raises)."""
    return raised.value.message
