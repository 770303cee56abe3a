"""Journey: an administrator reads the API documentation linked from every page's footer."""

from playwright.sync_api import expect

from .conftest import sign_in


def test_an_admin_reads_the_api_docs_and_finds_the_operations(page, users):
    sign_in(page, users["admin"])
    page.get_by_role("link", name="API documentation").click()
    expect(page.locator(".opblock-summary-path", has_text="/api/cases/").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    assert page.csp_violations == []  # the page's scripts run under the site's policy, unloosened
