"""Checking a file before it becomes a case document: its name, its size, and what its content really is.

A file is judged by its bytes, never by its name: a PDF must start as a PDF and open as one, a Word file must be a
Word file. Text files (.txt, .csv) have no signature, so they must be text: UTF-8 (or Windows-1252) with no NUL
bytes. The types allowed are the ones GOV.UK Notify accepts as a file sent by email, so any case document can be
sent that way.
"""

import hashlib
import os
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings

from .pdfs import PdfInfo, PdfProblem, read_pdf

# Extension -> the words a person knows it by.
ALLOWED = {
    "pdf": "PDF",
    "csv": "CSV",
    "txt": "text",
    "doc": "Word (.doc)",
    "docx": "Word (.docx)",
    "xlsx": "Excel (.xlsx)",
    "rtf": "rich text (.rtf)",
    "odt": "OpenDocument text (.odt)",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv",
    "txt": "text/plain",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "rtf": "application/rtf",
    "odt": "application/vnd.oasis.opendocument.text",
}
TEXT_KINDS = {"txt", "csv"}
MAX_NAME = 100
HEAD_BYTES = 8192


class DocumentRefused(ValueError):
    """A file that cannot be a case document; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    kind: str  # the extension its content matched
    size: int
    sha256: str
    pdf: PdfInfo | None = None  # a PDF's pages and sizes, read once

    @property
    def content_type(self):
        return CONTENT_TYPES[self.kind]


def max_upload_bytes():
    return getattr(settings, "DOCUMENTS_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)


def size_words(size):
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


def allowed_words():
    names = list(ALLOWED.values())
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def check_filename(name):
    """The file's name as it will be kept and sent, or DocumentRefused. A name with a folder in it is refused,
    not trimmed: it was not made by choosing a file, and nothing about it can be trusted."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise DocumentRefused("Choose a file")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise DocumentRefused("The file name must not contain a folder (‘/’ or ‘\\’): rename the file and add it again")
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise DocumentRefused("The file name contains characters that cannot be shown: rename the file")
    if len(name) > MAX_NAME:
        raise DocumentRefused(f"The file name must be {MAX_NAME} characters or fewer")
    stem, extension = os.path.splitext(name)
    extension = extension[1:].lower()
    if not stem.strip(" ."):
        raise DocumentRefused("The file name needs a name before its extension, for example decision.pdf")
    if extension not in ALLOWED:
        shown = f"A .{extension} file" if extension else "A file without an extension"
        raise DocumentRefused(f"{shown} cannot be added. Add a {allowed_words()} file")
    return name, extension


def _looks_like_text(head):
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if encoding == "utf-8" and error.start >= len(head) - 3:
                return True
            continue
        return True
    return False


def content_kind(head):
    """What the first bytes of a file are: one of ALLOWED's extensions ("txt" for any text), another type's
    extension, or "" when unknown."""
    guess = filetype.guess(head)
    if guess is not None:
        return guess.extension
    return "txt" if head and _looks_like_text(head) else ""


def _matches(extension, kind):
    if extension in TEXT_KINDS:
        return kind == "txt"
    return kind == extension


def _hash_and_size(upload, limit):
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in iter(lambda: upload.read(64 * 1024), b""):
        size += len(chunk)
        if size > limit:
            raise DocumentRefused(f"The file is too big: the most you can add is {size_words(limit)}")
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def check_upload(upload, name=None):
    """Check an uploaded file (a Django UploadedFile or any binary file object with a name). Returns a CheckedFile;
    raises DocumentRefused with the reason."""
    filename, extension = check_filename(name if name is not None else getattr(upload, "name", ""))
    sha256, size = _hash_and_size(upload, max_upload_bytes())
    if size == 0:
        raise DocumentRefused("The file is empty")
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = content_kind(head)
    if not _matches(extension, kind):
        what = ALLOWED[extension]
        found = f" (its content is a .{kind} file)" if kind and kind != "txt" else ""
        raise DocumentRefused(f"The file is named .{extension} but is not a {what} file{found}: "
                              "choose the file again, or save it in the right format")
    info = None
    if extension == "pdf":
        try:
            info = read_pdf(upload)
        except PdfProblem as problem:
            raise DocumentRefused(str(problem)) from None
        finally:
            upload.seek(0)
    return CheckedFile(filename=filename, kind=extension, size=size, sha256=sha256, pdf=info)
