"""Signing in as each role, and a caseworker's journey: a case with a person and an address, then a status."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case
from tests import factories

from .conftest import check_accessibility, sign_in, visit


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("admin", ["Cases", "Settings", "Notify", "Integration log"], []),
        ("caseworker", ["Cases"], ["Settings", "Notify", "Integration log"]),
        ("auditor", ["Integration log"], ["Cases", "Settings", "Notify"]),
    ],
)
def test_each_role_signs_in_and_sees_its_navigation(page, users, role, sees, does_not_see):
    sign_in(page, users[role])
    navigation = page.get_by_role("navigation", name="Menu")
    for name in sees:
        expect(navigation.get_by_role("link", name=name)).to_be_visible()
    for name in does_not_see:
        expect(navigation.get_by_role("link", name=name)).to_have_count(0)
    expect(page.get_by_text(f"Signed in as {users[role].username}")).to_be_visible()


def test_a_caseworker_creates_a_case_with_a_person_and_an_address_and_changes_its_status(page, users):
    case_type = factories.planning_case_type()
    sign_in(page, users["caseworker"])
    expect(page).to_have_url(re.compile("/cases/$"))
    page.get_by_role("button", name="Create a case").click()
    check_accessibility(page)
    page.get_by_label("Summary").fill("Loft conversion at 1 High Street")
    page.get_by_label("Fee paid").fill("258")
    page.get_by_label("Decision date").fill("2026-03-27")
    page.get_by_role("button", name="Create case").click()
    expect(page.get_by_text(re.compile(r"Case PA-\d{4}-000001 created"))).to_be_visible()
    check_accessibility(page)

    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("First name").fill("Amira")
    page.get_by_label("Last name").fill("Ahmed")
    page.get_by_role("textbox", name="Email").fill("amira@example.com")
    page.get_by_label("Agrees to contact by email").check()
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_role("heading", name=re.compile("Amira Ahmed"))).to_be_visible()

    page.get_by_role("button", name="Add an address").click()
    check_accessibility(page)
    page.get_by_role("textbox", name="Address line 1", exact=True).fill("1 High Street")
    page.get_by_role("textbox", name="Postcode").fill("sw1a 2aa")
    page.get_by_label("Role").fill("Property")
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_text("SW1A 2AA")).to_be_visible()

    page.get_by_role("button", name="Edit case").click()
    page.get_by_label("Status").select_option(label="Decision issued")
    page.get_by_role("button", name="Save case").click()
    check_accessibility(page)
    expect(page.locator("main .govuk-tag").first).to_have_text("Decision issued")
    case = Case.objects.get()
    assert (case.status.name, case.person_links.get().role, case.address_links.get().address.postcode) == (
        "Decision issued", "Applicant", "SW1A 2AA")
    assert case_type.cases.count() == 1


def test_bad_input_shows_the_error_summary_linked_to_the_field(page, users):
    case_type = factories.planning_case_type()
    sign_in(page, users["caseworker"])
    visit(page, f"/cases/new/?type={case_type.pk}")
    page.get_by_label("Fee paid").fill("lots")
    page.get_by_role("button", name="Create case").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    check_accessibility(page)
    summary.get_by_role("link", name="Enter a number, like 12 or 12.5").click()
    expect(page.get_by_label("Fee paid")).to_be_focused()
    assert Case.objects.count() == 0


def test_an_admin_adds_a_field_to_a_case_type(page, users):
    case_type = factories.planning_case_type()
    sign_in(page, users["admin"])
    visit(page, f"/settings/case-types/{case_type.pk}/")
    page.get_by_role("button", name="Add a field").click()
    check_accessibility(page)
    page.get_by_label("Label").fill("Ward")
    page.get_by_label("Key").fill("ward")
    page.get_by_role("button", name="Save field").click()
    expect(page.get_by_role("cell", name="ward", exact=True)).to_be_visible()


def test_the_accessibility_check_fails_on_a_violation(page):
    page.set_content('<html lang="en"><head><title>Bad</title></head><body><main><input type="text">'
                     '<img src="x.png"></main></body></html>')
    with pytest.raises(AssertionError, match="label|image-alt"):
        check_accessibility(page)
