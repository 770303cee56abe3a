"""An auditor filters the log, opens an entry with its attempts and exports CSV; caseworkers cannot."""

from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations.log import Attempt, FailureKind, LogEntry, Outcome, Status
from integrations.models import Integration

from .conftest import check_accessibility, sign_in, visit


@pytest.fixture
def log(transactional_db):
    integration = Integration.objects.create(name="Planning")
    sent = LogEntry.objects.create(integration=integration, channel="email", status=Status.SENT, reference="ref-sent",
                                   case_reference="PA-2026-000001", mapping_template_name="Decision email",
                                   notify_id="740e5834-3a29-46b4-9a6f-16142fde533a", recipient="amira@example.com")
    failed = LogEntry.objects.create(integration=integration, channel="sms", status=Status.FAILED, reference="ref-fail",
                                     failure_kind=FailureKind.RETRIES_EXHAUSTED, mapping_template_name="Visit text",
                                     reason="Failed after 10 retries: Internal server error", recipient="+447700900123")
    for number in range(1, 12):
        Attempt.objects.create(entry=failed, number=number, started_at=timezone.now(), duration_ms=20,
                               outcome=Outcome.FAILED if number == 11 else Outcome.RETRY, status_code=500,
                               error_type="Exception", message="Internal server error")
    return {"integration": integration, "sent": sent, "failed": failed}


def test_an_auditor_filters_opens_an_entry_and_exports(page, users, log):
    sign_in(page, users["auditor"])
    expect(page.get_by_role("heading", name="Integration log")).to_be_visible()
    page.get_by_label("Status").select_option(label="Failed")
    page.get_by_role("button", name="Apply filters").click()
    check_accessibility(page)
    rows = page.locator("table").nth(1).locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Failed after 10 retries")
    rows.first.get_by_role("link").click()
    check_accessibility(page)
    expect(page.get_by_role("table", name="Every call to Notify for this message").locator("tbody tr")).to_have_count(11)
    expect(page.get_by_role("button", name="Resend")).to_have_count(0)
    page.go_back()
    with page.expect_download() as download:
        page.get_by_role("link", name="Export these entries as CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").strip().splitlines()
    assert len(lines) == 2
    assert "ref-fail" in lines[1]


def test_a_caseworker_cannot_open_the_log(page, users, log):
    sign_in(page, users["caseworker"])
    response = page.goto(f"/settings/integrations/{log['integration'].pk}/log/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You cannot view this page")).to_be_visible()
    assert page.goto("/log/").status == 403
    visit(page, "/cases/")
