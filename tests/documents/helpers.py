import io
from pathlib import Path

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.pdfwrite import text_pdf


def stored_files():
    """Every file in the documents storage (local files in tests)."""
    root = Path(storages["documents"].location)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def pdf_upload(name="decision.pdf", pages=(("Decision notice", "Approved"),), **kwargs):
    return SimpleUploadedFile(name, text_pdf([list(p) for p in pages], **kwargs), content_type="application/pdf")


def docx_bytes():
    """A minimal .docx (a zip with Word's parts), enough to be recognised by its content."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def with_document_types(case_type, *names):
    case_type.document_types = list(names)
    case_type.save(update_fields=["document_types"])
    return case_type


def multipart(fields, *, filename, content, field="file"):
    """A multipart body written out by hand: Django's test client cuts any folder off a file's name, a browser or a
    script need not."""
    boundary = "----documents-test-boundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class UnreachableStorage:
    """A storage whose every read fails as a network storage does when it cannot be reached (a test stand-in for
    S3 being down)."""

    def __init__(self, **options):
        pass

    def open(self, name, mode="rb"):
        raise ConnectionError("the storage did not answer")
