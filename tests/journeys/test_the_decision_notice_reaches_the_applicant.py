"""Journey: a caseworker uploads the decision notice, and the applicant gets it at once, as a file to download by
email and as the case's own PDF posted as a letter. Against the sandbox over HTTP, with the real client.

The auditor sees which document (and which version) each message sent, and can download the letter as Notify
holds it; while Notify is still checking the letter, "not ready yet" is said as such.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.models import Document
from documents.pdfwrite import text_pdf
from integrations import sending
from integrations.log import Attempt, FailureKind, LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save
from mappings.models import MappingTemplate, PlaceholderMapping
from notify_sandbox.testing import SandboxServer
from rules.models import Trigger
from tests.documents.helpers import with_document_types
from tests.factories import auditor_user, caseworker_user
from tests.rules.helpers import applicant_case, make_rule
from tests.timing import wait_until

pytestmark = pytest.mark.django_db

ADDRESS = ["Ms Amira Taylor", "1 High Street", "Exampleton", "SW1A 2AA"]


@pytest.fixture
def notify():
    with SandboxServer(rate_limit="off", delivery_seconds=0.2) as server:
        server.key = server.create_key("test")
        yield server


@pytest.fixture
def integration(notify):
    return integration_save(integration=Integration(name="Planning", enabled=True, base_url=notify.base_url),
                            new_key=notify.key)


@pytest.fixture
def by_email(notify, integration, case_type):
    with_document_types(case_type, "Decision notice")
    template_id = notify.create_template("email", subject="Your decision notice",
                                         body="Dear ((name)), download your decision notice: ((notice))")
    mapping = MappingTemplate.objects.create(
        name="Decision notice by email", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template_id, template_version=1, recipient={"source": "person", "role": "Applicant"},
        file_retention_weeks=52)
    PlaceholderMapping.objects.create(mapping_template=mapping, placeholder="name",
                                      source={"source": "person", "role": "Applicant", "detail": "first_name"})
    PlaceholderMapping.objects.create(mapping_template=mapping, placeholder="notice",
                                      source={"source": "document", "type": "Decision notice"})
    make_rule(case_type, mapping, name="Email the decision notice", trigger=Trigger.DOCUMENT_ADDED,
              trigger_config={"document_type": "Decision notice"}, conditions=[])
    return mapping


@pytest.fixture
def by_post(integration, case_type):
    with_document_types(case_type, "Decision notice")
    mapping = MappingTemplate.objects.create(
        name="Decision notice by post", integration=integration, case_type=case_type, channel="precompiled_letter",
        document_type="Decision notice", postage="first")
    make_rule(case_type, mapping, name="Post the decision notice", trigger=Trigger.DOCUMENT_ADDED,
              trigger_config={"document_type": "Decision notice"}, conditions=[])
    return mapping


def upload(client, case, content, name="decision-notice.pdf"):
    client.force_login(caseworker_user())
    response = client.post(reverse("documents:add", args=[case.pk]),
                           {"document_type": "Decision notice", "file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Document.objects.filter(case=case).latest("version")


def test_the_applicant_is_emailed_the_decision_notice_as_soon_as_it_is_uploaded(by_email, notify, case_type, client):
    case = applicant_case(case_type)
    notice = text_pdf([["Decision notice", "Your application is approved."]], address=ADDRESS)
    document = upload(client, case, notice)

    entry = LogEntry.objects.get(case=case)
    assert entry.status == Status.QUEUED
    assert entry.personalisation["notice"]["document"]["sha256"] == document.sha256
    assert entry.personalisation["notice"]["retention_period"] == "52 weeks"
    assert entry.personalisation["notice"]["confirm_email_before_download"] is True
    sending.send_entry(entry.pk)  # what the worker does with it

    entry.refresh_from_db()
    assert entry.status == Status.SENT, entry.reason
    received = notify.control("GET", "notifications")["notifications"]
    assert len(received) == 1
    assert "documents.service.gov.uk/d/" in received[0]["personalisation"]["notice"]  # a link, not the file
    client.force_login(auditor_user())
    page = client.get(reverse("log:detail", args=[entry.pk])).content.decode()
    assert "File: decision-notice.pdf (version 1)" in page


def test_a_notice_deleted_before_it_was_sent_is_not_sent_and_the_log_says_why(by_email, notify, case_type, client,
                                                                               django_capture_on_commit_callbacks):
    case = applicant_case(case_type)
    document = upload(client, case, text_pdf([["Decision notice"]]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("documents:delete", args=[document.pk]), {"reason": "Wrong applicant's notice"})
    entry = LogEntry.objects.get(case=case)
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.VALIDATION)
    assert "was deleted from the case before it could be sent" in entry.reason
    assert not Attempt.objects.filter(entry=entry).exists()  # Notify was never called
    assert notify.control("GET", "notifications")["notifications"] == []


def test_a_notice_over_notifys_limit_fails_at_once_saying_why(by_email, case_type, client, settings):
    case = applicant_case(case_type)
    big = text_pdf([["Decision notice"]]) + b"%" + b"x" * (2 * 1024 * 1024) + b"\n"
    upload(client, case, big)
    entry = LogEntry.objects.get(case=case)
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.VALIDATION)
    assert "Notify sends files of up to 2 MB by email" in entry.reason
    assert entry.next_attempt_at is None


def test_the_decision_notice_is_posted_as_the_cases_own_pdf(by_post, notify, case_type, client):
    case = applicant_case(case_type)
    notice = text_pdf([["Decision notice", "Your application is approved."]], address=ADDRESS)
    document = upload(client, case, notice)
    entry = LogEntry.objects.get(case=case)
    assert (entry.channel, entry.postage, entry.document["version"]) == ("letter", "first", document.version)
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.SENT, entry.reason

    # Notify checks it, then it is received; the auditor downloads it as Notify holds it: the same PDF.
    client.force_login(auditor_user())
    pdf_url = reverse("log:letter_pdf", args=[entry.pk])
    assert wait_until(lambda: client.get(pdf_url).get("Content-Type") == "application/pdf", 30)
    assert client.get(pdf_url).content == notice

    def received():  # the PDF is ready before the letter is received: ask until Notify says so
        client.post(reverse("log:status", args=[entry.pk]))
        entry.refresh_from_db()
        return entry.delivery_status == "received"

    assert wait_until(received, 30), entry.delivery_status
    client.force_login(caseworker_user())
    case_page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "The letter was printed and posted" in case_page


def test_a_pdf_that_is_not_a4_is_refused_before_it_is_sent(by_post, case_type, client):
    case = applicant_case(case_type)
    upload(client, case, text_pdf([["US letter size"]], width=612, height=792))
    entry = LogEntry.objects.get(case=case)
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.VALIDATION)
    assert "Every page of a letter must be A4" in entry.reason


def test_a_letter_notify_refuses_shows_why_on_the_case_and_in_the_log(by_post, notify, case_type, client):
    case = applicant_case(case_type)
    infected = text_pdf([["Decision notice"]], address=ADDRESS) + \
        b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    upload(client, case, infected)
    entry = LogEntry.objects.get(case=case)
    sending.send_entry(entry.pk)
    client.force_login(auditor_user())

    def checked():
        client.post(reverse("log:status", args=[entry.pk]))
        entry.refresh_from_db()
        return entry.delivery_status == "virus-scan-failed"

    assert wait_until(checked, 30)
    log_page = client.get(reverse("log:detail", args=[entry.pk])).content.decode()
    assert "failed Notify&#x27;s virus scan" in log_page or "failed Notify's virus scan" in log_page
    refused = client.get(reverse("log:letter_pdf", args=[entry.pk]), follow=True).content.decode()
    assert "File did not pass the virus scan" in refused


def test_not_ready_yet_is_said_as_such(case_type, client):
    with SandboxServer(rate_limit="off", delivery_seconds=60.0) as slow:
        integration = integration_save(integration=Integration(name="Slow", enabled=True, base_url=slow.base_url),
                                       new_key=slow.create_key("test"))
        with_document_types(case_type, "Decision notice")
        MappingTemplate.objects.create(name="By post", integration=integration, case_type=case_type,
                                       channel="precompiled_letter", document_type="Decision notice")
        case = applicant_case(case_type)
        upload(client, case, text_pdf([["Decision notice"]], address=ADDRESS))
        mapping = MappingTemplate.objects.get(name="By post")
        make_rule(case_type, mapping, name="Post it", trigger=Trigger.DOCUMENT_ADDED,
                  trigger_config={"document_type": "Decision notice"}, conditions=[])
        upload(client, case, text_pdf([["Decision notice, corrected"]], address=ADDRESS))
        entry = LogEntry.objects.get(case=case)
        assert entry.document["version"] == 2
        sending.send_entry(entry.pk)
        client.force_login(auditor_user())
        page = client.get(reverse("log:letter_pdf", args=[entry.pk]), follow=True).content.decode()
    assert "Notify has not made this letter&#x27;s PDF yet" in page or "Notify has not made this letter's PDF yet" in page
