"""Case documents: files kept on a case, each of a document type its case type lists (CaseType.document_types).

The file itself is kept through Django's storage API in the "documents" storage (settings.STORAGES): local files by
default, any django-storages backend (S3-compatible) by settings. Its stored name is random; the name a person
gave it is kept apart, checked, and is what a download and a sent email call it.
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models


def documents_storage():
    return storages["documents"]


def stored_name(instance, filename):
    """A random name under documents/: nothing of the uploaded name reaches the storage."""
    return f"documents/{uuid.uuid4().hex}.{instance.kind}"


class Document(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="documents")
    document_type = models.CharField(max_length=100)
    file = models.FileField(storage=documents_storage, upload_to=stored_name, max_length=200)
    filename = models.CharField(max_length=100)
    kind = models.CharField(max_length=10)  # the extension its content was checked against
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # The nth document of this type added to this case: "version 2 of the decision notice".
    version = models.PositiveIntegerField(default=1)
    # For a PDF: its pages, and what would stop Notify printing it as a letter (read once, when it was added).
    pages = models.PositiveIntegerField(null=True, blank=True)
    letter_problems = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # A deleted document keeps its record (who, when, why); its file is removed from the storage.
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    delete_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["case", "document_type", "-uploaded_at"], name="document_latest_of_type")]
        constraints = [models.UniqueConstraint(fields=["case", "document_type", "version"],
                                               name="unique_document_version")]

    def __str__(self):
        return f"{self.document_type}: {self.filename}"

    @property
    def deleted(self):
        return self.deleted_at is not None

    def describe(self):
        return f"{self.document_type} “{self.filename}” (version {self.version})"
