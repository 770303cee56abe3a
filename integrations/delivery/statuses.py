"""Notify's delivery statuses: which are final, their order, and what each means in plain words."""

# Every status word Notify reports (app/constants.py), letters' "accepted" and "received" included.
ALL = ("created", "sending", "pending", "sent", "delivered", "permanent-failure", "temporary-failure",
       "technical-failure", "accepted", "received", "cancelled", "pending-virus-check", "virus-scan-failed",
       "validation-failed", "returned-letter", "failed")
# Notify will not change these again (a letter's "received" can only become "returned-letter").
FINAL = frozenset({"delivered", "permanent-failure", "temporary-failure", "technical-failure", "received",
                   "cancelled", "virus-scan-failed", "validation-failed", "returned-letter", "failed", "sent"})
FAILED = frozenset({"permanent-failure", "temporary-failure", "technical-failure", "cancelled", "virus-scan-failed",
                    "validation-failed", "returned-letter", "failed"})
DELIVERED = frozenset({"delivered", "received", "sent"})
# How far along a status is: a report moves an entry only to a status further along. A temporary failure can
# still end delivered (a provider may report late), a posted letter can come back, and nothing goes back to
# "sending"; between two final statuses of the same rank, the first that Notify reported stands.
_RANK = {"created": 0, "pending-virus-check": 1, "accepted": 2, "sending": 2, "pending": 3, "sent": 4,
         "temporary-failure": 5, "returned-letter": 7}
_FINAL_RANK = 6


def rank(status):
    if not status:
        return -1
    return _RANK.get(status, _FINAL_RANK)


def advances(current, new):
    """Whether a report of `new` moves an entry at `current` on (a repeat never does)."""
    return new != current and rank(new) > rank(current)


def outcome(status):
    """'delivered', 'failed' or 'pending': the three piles of the log's chart and filter."""
    if status in FAILED:
        return "failed"
    if status in DELIVERED:
        return "delivered"
    return "pending"


_WORDS = {
    ("email", "delivered"): "The email was delivered to the recipient's inbox provider",
    ("email", "permanent-failure"): "The email address does not exist",
    ("email", "temporary-failure"): "The inbox was full or refused the email (Notify stopped trying)",
    ("email", "technical-failure"): "Notify could not send the email because of a problem at Notify",
    ("sms", "delivered"): "The text message was delivered to the phone",
    ("sms", "permanent-failure"): "The phone number does not exist",
    ("sms", "temporary-failure"): "The phone was off or out of signal for 72 hours",
    ("sms", "technical-failure"): "Notify could not send the text message because of a problem at Notify",
    ("sms", "sent"): "Sent to an international number: phone networks abroad do not say whether it arrived",
    ("letter", "accepted"): "Notify is preparing the letter for printing",
    ("letter", "received"): "The letter was printed and posted",
    ("letter", "cancelled"): "The letter was cancelled before it was printed",
    ("letter", "pending-virus-check"): "Notify is checking the letter's PDF",
    ("letter", "virus-scan-failed"): "The letter's PDF failed Notify's virus scan and was not sent",
    ("letter", "validation-failed"): "The letter failed Notify's checks and was not sent",
    ("letter", "technical-failure"): "Notify could not print the letter because of a problem at Notify",
    ("letter", "returned-letter"): "The letter was returned to Notify as undeliverable",
}


def in_words(channel, status, note=""):
    """What a caseworker needs to know about a message's delivery, in a sentence."""
    if note == "not_stored":
        return "Sent to one of Notify's test recipients: Notify keeps no delivery status for it"
    if note == "expired" and status not in FINAL:
        return "Notify no longer holds this message's status (it keeps statuses for 7 days)"
    if not status:
        return "Waiting for Notify to report on it"
    if status in ("created", "sending", "pending"):
        return "On its way"
    return _WORDS.get((channel, status), status.replace("-", " ").capitalize())
