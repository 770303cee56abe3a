"""Sending a case document by email to every case in a bulk apply: memory stays flat.

The same bulk apply runs twice on the same workers' settings: first with a mapping template of plain text (the
reference), then with one whose placeholder is the case's 2 MB "Decision notice". Each run ends when every message
is accepted by the sandbox over HTTP. The figure is the workers' peak memory with the file over their peak without
it, with both absolute numbers beside it: a log entry holds a reference to the file, never its content, and a
worker reads the file only for the message it is sending, so the ratio stays near 1 however many cases there are.

Every case's notice is the same stored file (one 2 MB file, a row per case pointing at it), so the benchmark does
not write gigabytes; each message still reads it from the storage and checks its SHA-256, as any send does.
"""

import hashlib

from notify_sandbox.testing import SandboxServer

from .pipeline import _send_all, _workers
from .setup import children_of, clean, peak_rss_mb, pipeline

FILE_BYTES = 2 * 1024 * 1024 - 4096  # just under Notify's 2 MB


def _notice():
    from documents.pdfwrite import text_pdf

    pdf = text_pdf([["Decision notice", "Approved"]])
    return pdf + b"%" + b"x" * (FILE_BYTES - len(pdf) - 2) + b"\n"  # a PDF comment pads it to size


def _documents(case_type, content):
    """One stored file, and a Decision notice on every case of the type that points at it."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from cases.models import Case
    from documents.models import Document

    case_type.document_types = ["Decision notice"]
    case_type.save(update_fields=["document_types"])
    name = storages["documents"].save("documents/bench-notice.pdf", ContentFile(content))
    digest = hashlib.sha256(content).hexdigest()
    Document.objects.bulk_create(
        (Document(case_id=pk, document_type="Decision notice", file=name, filename="decision-notice.pdf", kind="pdf",
                  size=len(content), sha256=digest, pages=1)
         for pk in Case.objects.filter(case_type=case_type).values_list("pk", flat=True)), batch_size=5000)
    return name


def _with_file(setup):
    from mappings.models import PlaceholderMapping

    rule = setup["rule"]
    mapping = rule.actions.get().mapping_template
    # The template's ((name)) is filled by the notice (a link in the email), so no template change is needed.
    PlaceholderMapping.objects.filter(mapping_template=mapping, placeholder="name").update(
        source={"source": "document", "type": "Decision notice"})


def _run(sandbox, cases, with_file, concurrency):
    from django.core.files.storage import storages

    setup = pipeline(sandbox, rate=1_000_000, window=60, cases=cases)
    stored = _documents(setup["case_type"], _notice()) if with_file else None
    if with_file:
        _with_file(setup)
    worker = _workers(concurrency)
    try:
        done = _send_all(setup["rule"], cases, timeout=cases / 5 + 120)
        rss = max([peak_rss_mb(worker.process.pid)] + [peak_rss_mb(p) for p in children_of(worker.process.pid)])
    finally:
        worker.stop()
        if stored:
            storages["documents"].delete(stored)
    return done, rss


def documents(cases, concurrency=2):
    """A 2 MB decision notice emailed to `cases` cases by one bulk apply: the workers' peak RSS with it and
    without it."""
    from integrations.log import LogEntry

    clean()
    with SandboxServer(rate_limit="off") as sandbox:
        plain_done, plain_rss = _run(sandbox, cases, False, concurrency)
        clean()
        done, rss = _run(sandbox, cases, True, concurrency)
        linked = sum(1 for n in sandbox.control("GET", "notifications")["notifications"]
                     if "documents.service.gov.uk/d/" in str(n["personalisation"].get("name")))
        largest_entry = max(len(str(p)) for p in LogEntry.objects.values_list("personalisation", flat=True))
    clean()
    return {"cases": cases, "file_mb": round(FILE_BYTES / 1024 / 1024, 2), "all_sent": done and plain_done,
            "sent_as_links": linked, "worker_peak_rss_mb": round(rss), "reference_worker_peak_rss_mb": round(plain_rss),
            "ratio": round(rss / plain_rss, 3) if plain_rss else 0,
            "file_held_n_times_would_be_mb": round(cases * FILE_BYTES / 1024 / 1024),
            "largest_log_entry_personalisation_bytes": largest_entry}
