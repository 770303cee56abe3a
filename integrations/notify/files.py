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
    """The document a message sends cannot be sent; the message says why."""


@dataclass(frozen=True)
class Prepared:
    personalisation: dict | None
    pdf: io.BytesIO | None = None


def _named(reference):
    return f"the document “{reference.get('filename')}” (version {reference.get('version')})"


def read_document(reference):
    """The bytes of a referenced document, checked against the SHA-256 it was sent with."""
    storage = storages["documents"]
    name = reference.get("file") or ""
    try:
        with storage.open(name, "rb") as handle:
            content = handle.read()
    except (FileNotFoundError, ValueError):
        raise DocumentUnavailable(f"Not sent: {_named(reference)} was deleted from the case before it could be "
                                  "sent") from None
    except OSError as error:
        raise DocumentUnavailable(f"Not sent: {_named(reference)} could not be read from the document storage "
                                  f"({type(error).__name__})") from None
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
