"""Adding and deleting case documents. Each is a case event ("document_added" fires rules), in one transaction with
the record; a stored file whose record did not commit is removed again, so nothing is kept that is not listed."""

import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.events import record_event
from cases.models import Case

from .checks import DocumentRefused, check_upload
from .models import Document

logger = logging.getLogger(__name__)


def document_types_of(case):
    return list(case.case_type.document_types or [])


def document_add(*, case, document_type, upload, actor=None, filename=None):
    """Check and keep a file as a document of the case. Returns the Document; DocumentRefused says why not."""
    if document_type not in document_types_of(case):
        raise DocumentRefused(f"Choose a document type of the case type {case.case_type.name}")
    checked = check_upload(upload, filename)
    pages, letter_problems = (checked.pdf.pages, checked.pdf.letter_problems()) if checked.pdf else (None, [])
    stored = None
    try:
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=case.pk).first()  # versions of one case are numbered in turn
            latest = Document.objects.filter(case=case, document_type=document_type).aggregate(v=Max("version"))["v"]
            document = Document(case=case, document_type=document_type, filename=checked.filename, kind=checked.kind,
                                size=checked.size, sha256=checked.sha256, version=(latest or 0) + 1, pages=pages,
                                letter_problems=letter_problems, uploaded_by=actor)
            document.file.save(checked.filename, upload, save=False)
            stored = document.file.name
            document.save()
            record_event(case=case, kind="document_added", actor=actor,
                         data={"document_id": document.pk, "document_type": document_type,
                               "filename": checked.filename, "version": document.version})
    except BaseException:
        # Only a file whose record did not commit is removed: an error after the commit (in an on-commit step such
        # as queuing a rule's message) leaves a document that exists, and its file with it.
        if stored and not Document.objects.filter(pk=document.pk).exists():
            document.file.storage.delete(stored)
        raise
    return document


class NotDeletable(ValueError):
    pass


def document_delete(*, document, reason, actor=None):
    """Delete a document: its file is removed from the storage, its record kept with who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise NotDeletable("Say why the document is deleted")
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("case").get(pk=document.pk)  # a double submit
        if document.deleted:                                                                         # waits, then stops
            raise NotDeletable(f"The document was already deleted on {document.deleted_at:%d %B %Y}")
        stored, storage = document.file.name, document.file.storage
        document.deleted_at, document.deleted_by, document.delete_reason = timezone.now(), actor, reason
        document.file = ""
        document.save(update_fields=["deleted_at", "deleted_by", "delete_reason", "file"])
        record_event(case=document.case, kind="document_deleted", actor=actor,
                     data={"document_id": document.pk, "document_type": document.document_type,
                           "filename": document.filename, "version": document.version, "reason": reason})
        transaction.on_commit(lambda: _remove(storage, stored))
    return document


def _remove(storage, name):
    try:
        storage.delete(name)
    except OSError:
        logger.exception("The file of a deleted document could not be removed from the storage")
