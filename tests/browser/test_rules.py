"""An admin creates "status changed to Decision issued: send the decision email if the applicant consented";
a caseworker changes a case's status; the log shows the send with the sandbox's Notify id (a real worker)."""

import re

import pytest
from playwright.sync_api import expect

from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save, templates_refresh
from mappings.models import MappingTemplate
from mappings.services import mapping_template_save
from notify_sandbox.testing import SandboxServer
from tests import factories
from tests.timing import wait_until
from tests.workers import start_worker

from .conftest import check_accessibility, sign_in, visit


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(rate_limit="off") as server:
        yield server


@pytest.fixture
def worker(transactional_db):
    process = start_worker(concurrency=1)
    yield process
    process.stop()


def test_a_rule_sends_the_decision_email_when_a_caseworker_decides(page, users, sandbox, worker, browser, live_server):
    template = sandbox.create_template("email", name="Decision", subject="Decision ((reference))",
                                       body="Dear ((name)), decided.")
    integration = integration_save(integration=Integration(name="Planning", enabled=True, base_url=sandbox.base_url),
                                   new_key=sandbox.create_key("test"))
    templates_refresh(integration=integration)
    case_type = factories.planning_case_type()
    mapping_template_save(mapping=MappingTemplate(
        name="Decision email", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template, recipient={"source": "person", "role": "Applicant"}), rows={
        "name": {"source": {"source": "person", "role": "Applicant", "detail": "first_name"}},
        "reference": {"source": {"source": "case", "detail": "reference"}}})
    consenting = factories.PersonFactory(first_name="Amira", consent_email=True)
    case = factories.make_case(case_type, people=[(consenting, "Applicant")])

    sign_in(page, users["admin"])
    visit(page, "/rules/")
    page.get_by_role("button", name="Add a rule for planning application cases").click()
    check_accessibility(page)
    page.get_by_label("Name").fill("Decision issued: email the applicant")
    page.get_by_label("Status changed").check()
    page.get_by_label("To status (optional)").select_option("Decision issued")
    page.get_by_label("email", exact=True).check()
    page.get_by_label("Decision email").check()
    page.get_by_role("button", name="Save rule").click()
    expect(page.get_by_text("Rule 'Decision issued: email the applicant' saved")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name=re.compile("Sign out")).click()

    sign_in(page, users["caseworker"])
    visit(page, f"/cases/{case.pk}/edit/")
    page.get_by_label("Status").select_option(label="Decision issued")
    page.get_by_role("button", name="Save case").click()
    wait_until(lambda: LogEntry.objects.filter(status=Status.SENT).exists(), 30)
    entry = LogEntry.objects.get()
    assert entry.status == Status.SENT
    page.get_by_role("button", name=re.compile("Sign out")).click()

    sign_in(page, users["auditor"])
    expect(page.get_by_text(str(entry.notify_id))).to_be_visible()
    check_accessibility(page)
    assert sandbox.notifications(reference=entry.reference)[0]["id"] == str(entry.notify_id)
