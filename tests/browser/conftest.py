"""Browser tests: Debian's Chromium driven by Playwright against a live server, with axe-core on every page.

`visit(page, url)` opens a page and fails the test on serious or critical accessibility violations and
on Content-Security-Policy violations (the policy stays on: axe is run through the DevTools protocol,
which the policy does not govern).
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories
from tests.timing import scaled

# Playwright's sync API runs an event loop in this thread; Django's ORM is used from the same thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "correct horse battery staple"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1200, "height": 900})
    # Playwright's own waits (5 s for assertions, 30 s for actions) scale with TEST_TIMEOUT_FACTOR.
    context.set_default_timeout(scaled(30_000))
    expect.set_options(timeout=scaled(5_000))
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: message.type == "error" and "Content Security Policy" in message.text
            and page.csp_violations.append(message.text))
    yield page
    context.close()


def check_accessibility(page):
    """Run axe-core on the page; fail on serious or critical violations, naming them."""
    page.evaluate(AXE + "\n;true")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    # Serious and critical violations, and content outside the page's landmarks ("region", moderate in axe).
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical") or v["id"] == "region"]
    assert bad == [], page.url + "\n" + "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad)
    assert page.csp_violations == [], page.csp_violations


def visit(page, path):
    page.goto(path)
    check_accessibility(page)
    return page


def sign_in(page, user):
    visit(page, "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    check_accessibility(page)


@pytest.fixture
def users(transactional_db):
    return {"admin": factories.admin_user(), "caseworker": factories.caseworker_user(),
            "auditor": factories.auditor_user()}
