"""Keeping a received text and matching it to a case.

Matching: the sender's number, normalised with phonenumbers, against people's phone numbers (stored E.164,
indexed). A person on one open case: that case. On several: the case that most recently sent a text to that
number. Otherwise the text waits in "Unmatched texts" for a caseworker to link it or dismiss it.
"""

import logging

import phonenumbers
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone

from cases.models import Case, Person
from integrations.log import LogEntry

from .models import Match, ReceivedText

logger = logging.getLogger(__name__)

# Sent in the transaction that put a text on a case (matched, or linked by a caseworker): text.
text_received_on_case = Signal()


def e164(number):
    """The number in E.164 form (Notify gives UK senders as 447700900123), or "" when it is not a phone number."""
    text = str(number or "").strip()
    for candidate in (text, "+" + text.lstrip("+")):
        try:
            parsed = phonenumbers.parse(candidate, "GB")
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return ""


def keep_received_text(*, integration, notify_id, user_number, notify_number, content, received_at, source):
    """Store a reply once (by Notify's id) and match it to a case. Returns (text, created)."""
    try:
        with transaction.atomic():
            text = ReceivedText.objects.create(
                integration=integration, notify_id=notify_id, user_number=str(user_number)[:30],
                phone=e164(user_number), notify_number=str(notify_number)[:30], content=content,
                received_at=received_at or timezone.now(), source=source)
            _match(text)
    except IntegrityError:  # the other path stored it first
        return ReceivedText.objects.get(notify_id=notify_id), False
    return text, True


def _match(text):
    if not text.phone:
        return
    people = list(Person.objects.filter(phone=text.phone).values_list("pk", flat=True))
    if not people:
        return
    open_cases = list(Case.objects.filter(person_links__person_id__in=people, closed_at__isnull=True).distinct())
    if not open_cases:
        return
    case = open_cases[0] if len(open_cases) == 1 else _most_recently_texted(open_cases, text.phone) or None
    if case is None:
        return
    person = Person.objects.filter(pk__in=people, case_links__case=case).first()
    _put_on_case(text, case, person, Match.MATCHED)


def _most_recently_texted(cases, phone):
    latest = (LogEntry.objects.filter(case__in=cases, channel="sms", recipient__in=_spellings(phone))
              .exclude(sent_at__isnull=True).order_by("-sent_at").values_list("case_id", flat=True).first())
    return next((case for case in cases if case.pk == latest), None)


def _spellings(phone):
    """The ways a number may be written on a log entry: E.164 and the UK national form."""
    spellings = {phone}
    if phone.startswith("+44"):
        national = "0" + phone[3:]
        spellings |= {national, f"{national[:5]} {national[5:]}"}
    return sorted(spellings)


def _put_on_case(text, case, person, how, actor=None):
    text.case, text.person, text.match = case, person, how
    text.handled_by, text.handled_at = actor, timezone.now() if actor else None
    text.dismissed_reason = ""
    text.save(update_fields=["case", "person", "match", "handled_by", "handled_at", "dismissed_reason"])
    if person is not None:
        # Rules act for the case's person who sent it; a text put on a case from a number none of its people hold
        # is kept there for the caseworker, and no rule acts on someone else's behalf.
        text_received_on_case.send(sender=ReceivedText, text=text)


@transaction.atomic
def received_text_link(*, text, case, actor):
    """A caseworker puts an unmatched (or dismissed) text on a case."""
    text = ReceivedText.objects.select_for_update().get(pk=text.pk)
    person = Person.objects.filter(phone=text.phone, case_links__case=case).first() if text.phone else None
    _put_on_case(text, case, person, Match.LINKED, actor)
    return text


class NotDismissible(Exception):
    pass


@transaction.atomic
def received_text_dismiss(*, text, reason, actor):
    """Dismiss a text that is on no case, with the reason."""
    text = ReceivedText.objects.select_for_update().get(pk=text.pk)
    if text.case_id:
        raise NotDismissible("The text is on a case; it cannot be dismissed")
    text.match, text.dismissed_reason = Match.DISMISSED, reason.strip()[:300]
    text.handled_by, text.handled_at = actor, timezone.now()
    text.save(update_fields=["match", "dismissed_reason", "handled_by", "handled_at"])
    return text
