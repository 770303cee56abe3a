"""Reading received texts: the filtered list, and a case's conversation (texts sent and received, in time order)."""

from integrations.log import LogEntry

from .models import Match, ReceivedText

FILTERS = ("match", "integration", "case_reference", "date_from", "date_to")


def received_texts(filters=None):
    texts = ReceivedText.objects.select_related("case", "integration")
    filters = filters or {}
    if filters.get("match"):
        texts = texts.filter(match=filters["match"])
    if filters.get("integration"):
        texts = texts.filter(integration_id=filters["integration"])
    if filters.get("case_reference"):
        texts = texts.filter(case__reference=filters["case_reference"].strip().upper())
    if filters.get("case"):
        texts = texts.filter(case_id=filters["case"])
    if filters.get("date_from"):
        texts = texts.filter(received_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        texts = texts.filter(received_at__date__lte=filters["date_to"])
    return texts.order_by("-received_at", "-id")


def unmatched():
    return ReceivedText.objects.filter(match=Match.UNMATCHED).order_by("-received_at", "-id")


def conversation(case, limit=100):
    """The case's texts, sent and received, oldest first: [(when, "sent"|"received", item)]."""
    sent = [(e.sent_at or e.created_at, "sent", e)
            for e in LogEntry.objects.filter(case=case, channel="sms").order_by("-created_at")[:limit]]
    received = [(t.received_at, "received", t)
                for t in ReceivedText.objects.filter(case=case).order_by("-received_at")[:limit]]
    return sorted(sent + received, key=lambda item: item[0])[-limit:]
