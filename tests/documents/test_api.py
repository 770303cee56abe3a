"""Documents through the API: the same checks as the page, and the same record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from tests.factories import auditor_user, caseworker_user, make_case

from .helpers import multipart, pdf_upload, stored_files, with_document_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_type):
    with_document_types(case_type, "Decision notice")
    return make_case(case_type)


def test_add_list_download_and_delete_a_document(api_as, case):
    api = api_as(caseworker_user())
    upload = pdf_upload()
    content = upload.read()
    upload.seek(0)
    added = api.post(f"/api/cases/{case.pk}/documents/", {"file": upload, "document_type": "Decision notice"},
                     format="multipart")
    assert added.status_code == 201, added.content
    body = added.json()
    assert (body["filename"], body["kind"], body["version"], body["pages"]) == ("decision.pdf", "pdf", 1, 1)
    assert body["uploaded_by"] == "caseworker"
    listed = api.get(f"/api/cases/{case.pk}/documents/").json()
    assert [d["id"] for d in listed] == [body["id"]]
    downloaded = api.get(f"/api/documents/{body['id']}/download/")
    assert b"".join(downloaded.streaming_content) == content
    refused = api.delete(f"/api/documents/{body['id']}/")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    deleted = api.delete(f"/api/documents/{body['id']}/", {"reason": "Sent in error"}, format="json")
    assert deleted.status_code == 200
    assert deleted.json()["delete_reason"] == "Sent in error"
    gone = api.get(f"/api/documents/{body['id']}/download/")
    assert gone.status_code == 410
    assert "Sent in error" in gone.json()["detail"]


def test_the_api_refuses_what_the_page_refuses(api_as, case):
    api = api_as(caseworker_user())
    before = stored_files()
    fake = api.post(f"/api/cases/{case.pk}/documents/",
                    {"file": SimpleUploadedFile("notice.pdf", b"not a pdf at all"), "document_type": "Decision notice"},
                    format="multipart")
    assert fake.status_code == 400
    assert "is named .pdf but is not a PDF file" in fake.json()["file"][0]
    wrong_type = api.post(f"/api/cases/{case.pk}/documents/",
                          {"file": pdf_upload(), "document_type": "Invoice"}, format="multipart")
    assert wrong_type.status_code == 400
    assert "document_type" in wrong_type.json()
    body, content_type = multipart({"document_type": "Decision notice"}, filename="../../x.pdf",
                                   content=pdf_upload().read())
    folder = api.generic("POST", f"/api/cases/{case.pk}/documents/", body, content_type=content_type)
    assert folder.status_code == 400
    assert "must not contain a folder" in folder.json()["file"][0]
    assert not Document.objects.exists()
    assert stored_files() == before


def test_an_oversize_upload_gets_413_in_json(api_as, case, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10_000
    api = api_as(caseworker_user())
    streamed = api.post(f"/api/cases/{case.pk}/documents/",
                        {"file": SimpleUploadedFile("big.txt", b"a" * 20_000), "document_type": "Decision notice"},
                        format="multipart")
    assert streamed.status_code == 413
    assert "too big" in streamed.json()["file"][0]
    declared = api.generic("POST", f"/api/cases/{case.pk}/documents/", b"x" * 100_000,
                           content_type="multipart/form-data; boundary=b")
    assert declared.status_code == 413
    assert not Document.objects.exists()


def test_an_auditor_cannot_reach_a_cases_documents(api_as, case):
    api_as(caseworker_user()).post(f"/api/cases/{case.pk}/documents/",
                                   {"file": pdf_upload(), "document_type": "Decision notice"}, format="multipart")
    document = Document.objects.get()
    auditor = api_as(auditor_user())
    assert auditor.get(f"/api/documents/{document.pk}/download/").status_code == 403
    assert auditor.get(f"/api/cases/{case.pk}/documents/").status_code == 403
