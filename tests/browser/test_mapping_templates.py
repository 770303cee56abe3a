"""An administrator builds an email mapping template for a Notify template, previews it on a case, saves it."""

import pytest
from playwright.sync_api import expect

from integrations.models import Integration
from integrations.services import integration_save
from mappings.models import MappingTemplate
from notify_sandbox.testing import SandboxServer
from tests import factories

from .conftest import check_accessibility, sign_in, visit


@pytest.fixture(scope="module")
def sandbox():
    with SandboxServer(rate_limit="off") as server:
        yield server


def test_an_admin_builds_previews_and_saves_a_mapping_template(page, users, sandbox):
    template = sandbox.create_template("email", name="Planning decision", subject="Decision on ((reference))",
                                       body="Dear ((name)), your application was ((decision)).")
    integration = integration_save(integration=Integration(name="Planning", enabled=True, base_url=sandbox.base_url),
                                   new_key=sandbox.create_key("test"))
    case_type = factories.planning_case_type()
    applicant = factories.PersonFactory(first_name="Amira", email="amira@example.com")
    case = factories.make_case(case_type, field_values={"decision": "Approved"}, people=[(applicant, "Applicant")])

    sign_in(page, users["admin"])
    visit(page, f"/settings/integrations/{integration.pk}/mapping-templates/")
    page.get_by_role("button", name="Add a mapping template").click()
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Continue").click()
    check_accessibility(page)
    page.get_by_label("Name").fill("Decision email")
    page.get_by_label("Notify template").select_option(label="Planning decision")
    page.get_by_role("button", name="Show the template's placeholders").click()
    check_accessibility(page)
    page.get_by_label("Send to").select_option(label="Applicant's email address")
    page.locator("#id_source__reference").select_option(value="case:reference")
    page.locator("#id_source__name").select_option(value="person:Applicant:first_name")
    page.locator("#id_source__decision").select_option(value="field:decision")
    page.get_by_role("button", name="Save mapping template").click()
    expect(page.get_by_text("Mapping template 'Decision email' saved")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="Preview it on a case").click()
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Preview").click()
    check_accessibility(page)
    expect(page.get_by_text(f"Decision on {case.reference}")).to_be_visible()
    expect(page.get_by_text("Dear Amira, your application was Approved.")).to_be_visible()
    mapping = MappingTemplate.objects.get()
    assert (mapping.notify_template_id, mapping.placeholders.count()) == (template, 3)
