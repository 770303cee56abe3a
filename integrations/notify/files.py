"""Case documents in a message: read from the documents storage at the moment of sending, one message at a time.

A log entry holds only a reference to a document (its stored name, size and SHA-256), never its content, so a bulk
send of one file to thousands of cases holds the file in memory once per message being sent, not once per message
queued. Reading checks that the file is still there and is the one the message was built with: a document deleted
or replaced since fails the message with the reason, and is never retried.
"""

import hashlib
import io
from dataclasses import dataclass

from django.core.files.storage import storages
from notifications_python_client import prepare_upload


class DocumentUnavailable(Exception):
    """The document a message sends cannot be sent; the message says why. Never retried."""


class StorageUnavailable(Exception):
    """The document storage could not be read just now (a network or disk error): the send is retried."""


# Set by the documents app (documents.apps): a document's id -> when it was deleted (a date), or None. Integrations
# imports nothing of documents; without it, a deleted document is still refused once its file is gone.
_deleted_on = None


def deleted_check_set(check):
    global _deleted_on
    _deleted_on = check


@dataclass(frozen=True)
class Prepared:
    personalisation: dict | None
    pdf: io.BytesIO | None = None


def _named(reference):
    return f"the document “{reference.get('filename')}” (version {reference.get('version')})"


def read_document(reference):
    """The bytes of a referenced document, checked against the SHA-256 it was sent with."""
    deleted = _deleted_on(reference.get("id")) if _deleted_on else None
    name = reference.get("file") or ""
    if deleted or not name:
        raise DocumentUnavailable(f"Not sent: {_named(reference)} was deleted from the case before it could be "
                                  "sent")
    try:
        with storages["documents"].open(name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise DocumentUnavailable(f"Not sent: {_named(reference)} is no longer in the document storage") from None
    except Exception as error:  # any storage backend's failure (a disk, S3 over the network): try again later
        raise StorageUnavailable(f"The document storage could not be read ({type(error).__name__}): will try "
                                 "again") from None
    if hashlib.sha256(content).hexdigest() != reference.get("sha256"):
        raise DocumentUnavailable(f"Not sent: {_named(reference)} is not the file this message was built with")
    return content


def is_document(value):
    return isinstance(value, dict) and isinstance(value.get("document"), dict)


def prepare(entry):
    """The personalisation and PDF to send for an entry: each document placeholder made into Notify's file upload
    (notifications-python-client's prepare_upload), and a precompiled letter's PDF."""
    if entry.document:
        return Prepared(personalisation=None, pdf=io.BytesIO(read_document(entry.document)))
    personalisation = entry.personalisation or None
    if personalisation and any(is_document(value) for value in personalisation.values()):
        personalisation = {name: _upload(value) if is_document(value) else value
                           for name, value in personalisation.items()}
    return Prepared(personalisation=personalisation)


def _upload(value):
    reference = value["document"]
    try:
        return prepare_upload(io.BytesIO(read_document(reference)), filename=reference.get("filename"),
                              confirm_email_before_download=value.get("confirm_email_before_download"),
                              retention_period=value.get("retention_period"))
    except ValueError as error:  # the client's own limit (2 MB)
        raise DocumentUnavailable(f"Not sent: {_named(reference)}: {error}") from None


def described(value):
    """A personalisation value as the log shows it: a document by its name and version, anything else as is."""
    if is_document(value):
        reference = value["document"]
        return f"File: {reference.get('filename')} (version {reference.get('version')})"
    return value
