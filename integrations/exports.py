"""The log as CSV, streamed row by row from a server-side cursor: memory stays flat at any size."""

import csv

from django.http import StreamingHttpResponse

COLUMNS = ["created_at", "id", "status", "failure_kind", "channel", "integration", "case_reference", "rule",
           "mapping_template", "recipient", "template_id", "template_version", "reference", "notify_id",
           "attempts", "retries", "sent_at", "delivery_status", "delivery_status_at", "reason"]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell a spreadsheet will show as text, never run as a formula (OWASP's advice on CSV injection): text that
    starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe. Every CSV the product writes
    passes its cells through here."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_response(columns, rows, filename):
    """A streamed CSV download: the header, then each row (an iterable of cells), every cell through csv_safe."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(columns)
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _rows(entries):
    for e in entries.iterator(chunk_size=2000):
        yield (
            e.created_at.isoformat(), e.pk, e.status, e.failure_kind, e.channel, e.integration.name, e.case_reference,
            e.rule_name, e.mapping_template_name, e.recipient, e.template_id, e.template_version or "", e.reference,
            e.notify_id or "", e.attempt_count, e.retry_count, e.sent_at.isoformat() if e.sent_at else "",
            e.delivery_status or e.delivery_note, e.delivery_status_at.isoformat() if e.delivery_status_at else "",
            e.reason,
        )


def log_csv_response(entries, filename="integration-log.csv"):
    return csv_response(COLUMNS, _rows(entries), filename)
