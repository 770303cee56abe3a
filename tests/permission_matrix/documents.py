"""Case documents: whoever may see the case may see, download and add its documents; auditors (who see no cases)
get none of them."""

from . import API_CASEWORK_READ, PAGE_CASEWORK, Entry, expect
from .test_matrix import WORLD_EXTENSIONS


def add_document(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.pdfwrite import text_pdf
    from documents.services import document_add

    world.case_type.document_types = ["Decision notice"]
    world.case_type.save(update_fields=["document_types"])
    world.case.case_type.refresh_from_db()
    world.document = document_add(case=world.case, document_type="Decision notice",
                                  upload=SimpleUploadedFile("notice.pdf", text_pdf([["Approved"]])))


WORLD_EXTENSIONS.append(add_document)
CASE = {"case_pk": "case"}
ONE = {"pk": "document"}

MATRIX = {
    # An empty POST re-renders the form with its errors.
    "documents:add": Entry(get=PAGE_CASEWORK, post=expect(302, 200, 200, 403), kwargs=CASE),
    "documents:download": Entry(get=PAGE_CASEWORK, kwargs=ONE),
    "documents:delete": Entry(get=PAGE_CASEWORK, post=expect(302, 200, 200, 403), kwargs=ONE),
    # A JSON body is not an upload: 415 for those who may add.
    "api:case-documents": Entry(get=API_CASEWORK_READ, post=expect(401, 415, 415, 403), kwargs={"pk": "case"}),
    "api:document": Entry(get=API_CASEWORK_READ, post=expect(401, 405, 405, 403), kwargs=ONE),
    "api:document-download": Entry(get=API_CASEWORK_READ, kwargs=ONE),
}
