"""What a PDF may carry and what shape a letter must be; and a document that cannot be read when its message is
sent: deleted (never sent, saying why), or the storage briefly unreachable (tried again)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from documents import pdfs
from documents.pdfwrite import text_pdf
from documents.services import document_add
from integrations import sending
from integrations.log import FailureKind, LogEntry, Status
from integrations.log_services import can_resend_same
from mappings.models import MappingTemplate
from rules.models import Trigger
from tests.rules.helpers import applicant_case, make_rule

from .helpers import with_document_types


def nested_open_action():
    """A PDF whose catalog opens with a JavaScript action written inside it (not an object of its own)."""
    writer = PdfWriter()
    writer.add_blank_page(width=pdfs.A4_WIDTH, height=pdfs.A4_HEIGHT)
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert(1)")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_action_written_inside_another_object_is_found_without_reading_the_raw_bytes():
    reader = PdfReader(io.BytesIO(nested_open_action()))
    assert pdfs._has_active_content(reader, b"") is True
    assert pdfs._has_active_content(PdfReader(io.BytesIO(text_pdf([["plain"]]))), b"") is False


def test_a_letter_is_a4_portrait_as_notify_prints_it():
    assert pdfs.read_pdf(io.BytesIO(text_pdf([["a"]]))).letter_problems() == []
    landscape = pdfs.read_pdf(io.BytesIO(text_pdf([["a"]], width=pdfs.A4_HEIGHT, height=pdfs.A4_WIDTH)))
    assert landscape.letter_problems() == ["Every page of a letter must be A4 portrait (210 × 297 mm); page 1 is not"]
    writer = PdfWriter()
    writer.add_blank_page(width=pdfs.A4_HEIGHT, height=pdfs.A4_WIDTH).rotate(90)  # landscape, turned to portrait
    out = io.BytesIO()
    writer.write(out)
    assert pdfs.read_pdf(io.BytesIO(out.getvalue())).letter_problems() == []
    near = pdfs.read_pdf(io.BytesIO(text_pdf([["a"]], width=pdfs.A4_WIDTH + 5, height=pdfs.A4_HEIGHT - 5)))
    assert near.letter_problems() == []  # within Notify's 2 mm


@pytest.fixture
def posted(integration, case_type):
    with_document_types(case_type, "Decision notice")
    mapping = MappingTemplate.objects.create(name="By post", integration=integration, case_type=case_type,
                                             channel="precompiled_letter", document_type="Decision notice")
    make_rule(case_type, mapping, name="Post it", trigger=Trigger.DOCUMENT_ADDED,
              trigger_config={"document_type": "Decision notice"}, conditions=[])
    return mapping


def add_notice(case):
    return document_add(case=case, document_type="Decision notice",
                        upload=SimpleUploadedFile("notice.pdf", text_pdf([["Notice"]], address=["A", "B", "SW1A 2AA"])))


@pytest.mark.django_db
def test_a_deleted_notice_whose_file_could_not_be_removed_is_still_not_sent(posted, case_type):
    case = applicant_case(case_type)
    document = add_notice(case)
    type(document).objects.filter(pk=document.pk).update(deleted_at="2026-12-01T10:00:00Z")  # the file stays
    entry = LogEntry.objects.get(case=case)
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.VALIDATION)
    assert "was deleted from the case before it could be sent" in entry.reason


@pytest.mark.django_db
def test_a_storage_that_cannot_be_reached_is_tried_again(posted, case_type, settings):
    case = applicant_case(case_type)
    add_notice(case)
    entry = LogEntry.objects.get(case=case)
    settings.STORAGES = {**settings.STORAGES, "documents": {"BACKEND": "tests.documents.helpers.UnreachableStorage"}}
    sending.send_entry(entry.pk)
    entry.refresh_from_db()
    assert entry.status == Status.RETRYING
    assert "The document storage could not be read (ConnectionError)" in entry.reason
    assert entry.retry_count == 1


@pytest.mark.django_db
def test_a_letter_from_a_document_that_failed_at_notify_can_be_sent_again_as_it_was(posted, case_type):
    case = applicant_case(case_type)
    add_notice(case)
    entry = LogEntry.objects.get(case=case)
    LogEntry.objects.filter(pk=entry.pk).update(status=Status.FAILED, failure_kind=FailureKind.RETRIES_EXHAUSTED)
    entry.refresh_from_db()
    assert can_resend_same(entry)
