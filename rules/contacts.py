"""A permanent delivery failure marks the person's email address or phone number as not working.

Here rather than in integrations (which knows nothing of people) or cases (which knows nothing of Notify): the
log entry says which case and which address failed, and cases marks the people of that case who hold it.
"""

from cases.services import person_contact_failed
from integrations.delivery.statuses import in_words


def on_delivery_failure(entry, status, **kwargs):
    """Signal receiver (integrations.delivery.record.delivery_status_changed). A database error goes up with the
    status (Notify tries again); a person's detail is only marked, so nothing else can fail here."""
    if status != "permanent-failure" or entry.channel not in ("email", "sms") or not entry.case_id:
        return
    reason = f"{in_words(entry.channel, status)} (Notify, message {entry.notify_id or entry.reference})"
    person_contact_failed(case_id=entry.case_id, channel=entry.channel, recipient=entry.recipient,
                          at=entry.delivery_status_at, reason=reason)
