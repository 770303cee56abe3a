"""Received texts as CSV, streamed; every cell is made safe for spreadsheets (integrations.exports.csv_safe)."""

from integrations.exports import csv_response

COLUMNS = ["received_at", "id", "notify_id", "integration", "user_number", "content", "match", "case_reference",
           "dismissed_reason", "source"]


def _rows(texts):
    for t in texts.iterator(chunk_size=2000):
        yield (t.received_at.isoformat(), t.pk, str(t.notify_id), t.integration.name, t.user_number, t.content,
               t.match, t.case.reference if t.case else "", t.dismissed_reason, t.source)


def received_csv_response(texts):
    return csv_response(COLUMNS, _rows(texts), "received-texts.csv")
