"""A caseworker adds documents to a case, downloads them and deletes them with a reason; each file is judged by its
content, and anything refused leaves nothing behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import CASEWORKERS
from cases.models import CaseEvent
from documents.models import Document
from tests.factories import auditor_user, caseworker_user, make_case, user_with_role

from .helpers import docx_bytes, multipart, pdf_upload, stored_files, with_document_types

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(case_type):
    with_document_types(case_type, "Decision notice", "Site plan")
    return make_case(case_type)


def add(client, case, upload, document_type="Decision notice"):
    return client.post(reverse("documents:add", args=[case.pk]), {"document_type": document_type, "file": upload})


def test_a_caseworker_adds_a_decision_notice_and_sees_it_on_the_case(client, case):
    user = caseworker_user()
    client.force_login(user)
    response = add(client, case, pdf_upload())
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert (document.document_type, document.filename, document.kind, document.version, document.pages) == \
           ("Decision notice", "decision.pdf", "pdf", 1, 1)
    assert document.uploaded_by == user
    assert document.letter_problems == []
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "decision.pdf" in page
    assert f"by {user.username}" in page
    assert reverse("documents:download", args=[document.pk]) in page
    event = CaseEvent.objects.get(case=case, kind="document_added")
    assert event.data["document_type"] == "Decision notice"
    assert event.actor == user
    assert "Document added" in page


def test_a_second_notice_of_the_same_type_is_version_2(client, case):
    client.force_login(caseworker_user())
    add(client, case, pdf_upload())
    add(client, case, pdf_upload("decision-corrected.pdf"))
    add(client, case, SimpleUploadedFile("plan.docx", docx_bytes()), "Site plan")
    versions = dict(Document.objects.values_list("filename", "version"))
    assert versions == {"decision.pdf": 1, "decision-corrected.pdf": 2, "plan.docx": 1}


def test_the_download_is_the_same_file_under_its_own_name(client, case):
    client.force_login(caseworker_user())
    upload = pdf_upload()
    content = upload.read()
    upload.seek(0)
    add(client, case, upload)
    document = Document.objects.get()
    response = client.get(reverse("documents:download", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == 'attachment; filename="decision.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "content", "words"), [
    ("notice.pdf", b"MZ\x90\x00 this is a program, not a PDF" * 20, "is named .pdf but is not a PDF file"),
    ("notice.pdf", b"Just some text pretending to be a PDF", "is named .pdf but is not a PDF file"),
    ("../../x.pdf", None, "must not contain a folder"),
    ("..\\..\\x.pdf", None, "must not contain a folder"),
    ("script.exe", b"MZ\x90\x00", "A .exe file cannot be added"),
    ("notes.txt", b"\x00\x01\x02binary", "is named .txt but is not a text file"),
    ("empty.pdf", b"", "The file is empty"),
    ("notice.pdf", "javascript", "contains JavaScript"),
])
def test_a_file_that_is_not_what_it_says_is_refused_and_nothing_is_stored(client, case, name, content, words):
    client.force_login(caseworker_user())
    before = stored_files()
    if content is None:  # a folder in the name, as a script could send it
        body, content_type = multipart({"document_type": "Decision notice"}, filename=name,
                                       content=pdf_upload().read())
        response = client.generic("POST", reverse("documents:add", args=[case.pk]), body, content_type=content_type)
    elif content == "javascript":
        response = add(client, case, pdf_upload(name, javascript="app.alert('hello')"))
    else:
        response = add(client, case, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files() == before
    assert not CaseEvent.objects.filter(kind="document_added").exists()


def test_text_and_office_files_are_recognised_by_their_content(client, case):
    client.force_login(caseworker_user())
    add(client, case, SimpleUploadedFile("fees.csv", "Fee,Paid\n£462,Yes\n".encode()), "Site plan")
    add(client, case, SimpleUploadedFile("plan.docx", docx_bytes()), "Site plan")
    assert set(Document.objects.values_list("kind", flat=True)) == {"csv", "docx"}
    response = add(client, case, SimpleUploadedFile("plan.pdf", docx_bytes()), "Site plan")
    assert "its content is a .docx file" in response.content.decode()


def test_an_oversize_upload_is_refused_before_its_body_is_read(client, case, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 100_000
    client.force_login(caseworker_user())

    class Unreadable:
        read_bytes = 0

        def read(self, size=-1):
            Unreadable.read_bytes += 1
            raise AssertionError("the body was read")

        readline = read

    url = reverse("documents:add", args=[case.pk])
    response = client.generic("POST", url, CONTENT_TYPE="multipart/form-data; boundary=xyz",
                              CONTENT_LENGTH="5000000", **{"wsgi.input": Unreadable()})
    assert Unreadable.read_bytes == 0
    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "The file is too big: the most you can add is 98 KB. Nothing was stored." in page
    assert not Document.objects.exists()


def test_an_upload_larger_than_it_declared_is_stopped_while_it_streams(client, case, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 50_000
    client.force_login(caseworker_user())
    before = stored_files()
    response = add(client, case, SimpleUploadedFile("big.txt", b"a" * 60_000))
    assert response.status_code == 200
    assert "The file is too big: the most you can add is 49 KB" in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files() == before


def test_deleting_keeps_the_record_and_reason_and_removes_the_file(client, case, django_capture_on_commit_callbacks):
    client.force_login(caseworker_user())
    add(client, case, pdf_upload())
    document = Document.objects.get()
    path = document.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:delete", args=[document.pk]), {"reason": "Wrong case"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted
    assert document.delete_reason == "Wrong case"
    assert document.deleted_by is not None
    assert path not in {str(p) for p in stored_files()}
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Deleted" in page
    assert "Wrong case" in page
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    refused = client.post(reverse("documents:delete", args=[document.pk]), {"reason": ""})
    assert "Enter why is it deleted" in refused.content.decode() or "Enter" in refused.content.decode()


def test_who_may_download(client, case):
    client.force_login(caseworker_user())
    add(client, case, pdf_upload())
    document = Document.objects.get()
    url = reverse("documents:download", args=[document.pk])
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    client.force_login(auditor_user())
    assert client.get(url).status_code == 403
    client.force_login(user_with_role(CASEWORKERS, "second"))
    assert client.get(reverse("documents:download", args=[document.pk + 1000])).status_code == 404


def test_documents_go_to_whatever_storage_the_settings_name():
    """Any Django storage backend by settings (an S3-compatible one through django-storages in production): a fresh
    process started with DOCUMENTS_STORAGE_BACKEND keeps and reads documents there, not in the local folder."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "import django; django.setup()\n"
        "from django.core.files.base import ContentFile\n"
        "from documents.models import Document\n"
        "storage = Document._meta.get_field('file').storage\n"
        "name = storage.save('documents/x.txt', ContentFile(b'kept'))\n"
        "print(type(storage).__name__, storage.open(name).read().decode())\n")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test",
           "DOCUMENTS_STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage", "DOCUMENTS_STORAGE_OPTIONS": "{}"}
    result = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["InMemoryStorage", "kept"]
